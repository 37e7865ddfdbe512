import { fmt } from "./shape";
import { runBackward } from "./tape";
import { Tensor } from "./tensor";

/** Options of {@link grad}. */
export interface GradOptions {
  /** The gradient of each output (needed for outputs that are not scalars). */
  gradOutputs?: Tensor | Tensor[];
  /** Keep the graph for another backward pass (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass so the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Return null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Gradients of outputs (weighted by gradOutputs, default ones for scalars) with respect to
 * inputs, returned instead of accumulated into .grad. With createGraph the results are
 * themselves differentiable.
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts?: GradOptions & { allowUnused?: false }): Tensor[];
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions): (Tensor | null)[];
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const given = opts.gradOutputs === undefined ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  const seeds = outs.map((o, i) => {
    const g = given[i];
    if (g) {
      if (fmt(g.shape) !== fmt(o.shape) || g.dtype !== o.dtype) {
        throw new Error(`grad: gradOutputs[${i}] is ${g.dtype} of shape ${fmt(g.shape)}, expected ${o.dtype} of shape ${fmt(o.shape)}`);
      }
      return g;
    }
    if (o.numel !== 1) throw new Error(`grad: output ${i} has shape ${fmt(o.shape)}; a gradient can only be created implicitly for scalar outputs, pass gradOutputs`);
    return Tensor.scalar(1, o.dtype).reshape(o.shape);
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`grad: input ${i} (shape ${fmt(t.shape)}) does not require grad`);
  });
  return runBackward(outs, seeds, { ...opts, inputs: ins });
}
