import { mode } from "./mode";
import { fmt } from "./shape";
import { Node, type Edge, type ProductGrad } from "./tape";
import { Tensor } from "./tensor";

/** What an op's forward leaves for its backward. Extra fields may be stored on it freely. */
export class OpContext {
  private savedTensors: Tensor[] | null = null;
  private savedVersions: number[] | null = null;
  [key: string]: unknown;

  constructor(
    readonly opName: string,
    /** needsInputGrad[i]: whether the i-th tensor input requires a gradient. */
    readonly needsInputGrad: readonly boolean[],
    /** Whether the op is recorded on the tape; if not, its backward never runs and nothing is saved. */
    readonly recorded = true,
  ) {}

  /** Keeps tensors for backward; changing them in place afterwards makes backward throw. */
  save(...tensors: Tensor[]): void {
    if (!this.recorded) return;
    const saved = (this.savedTensors ??= []);
    const versions = (this.savedVersions ??= []);
    for (const t of tensors) {
      saved.push(t);
      versions.push(t.version);
    }
  }

  get saved(): Tensor[] {
    const saved = this.savedTensors ?? [];
    for (let i = 0; i < saved.length; i++) {
      const t = saved[i]!;
      if (t.version !== this.savedVersions![i]) {
        throw new Error(
          `backward of '${this.opName}': saved tensor ${i} (shape ${fmt(t.shape)}) was modified by an in-place operation after it was saved (version ${t.version}, expected ${this.savedVersions![i]}); its gradient would be wrong`,
        );
      }
    }
    return saved;
  }
}

export type GradList = readonly (Tensor | ProductGrad | null | undefined)[];

/**
 * An op: forward computes the result from its arguments (Tensors, arrays of Tensors, or plain
 * values); backward receives the gradient of each output and returns one gradient per tensor
 * input, in order (null for inputs that need none). Backward is written with tensor ops, so it
 * is itself differentiable (createGraph).
 */
export interface OpDefinition<Args extends unknown[], Out extends Tensor | Tensor[]> {
  name: string;
  forward(ctx: OpContext, ...args: Args): Out;
  backward(ctx: OpContext, ...grads: Tensor[]): GradList;
  /** Pass missing output gradients to backward as zeros (default) or as null. */
  materializeGrads?: boolean;
}

export const registeredOps = new Set<string>();

function tensorInputs(args: readonly unknown[]): Tensor[] {
  const out: Tensor[] = [];
  for (const a of args) {
    if (a instanceof Tensor) out.push(a);
    else if (Array.isArray(a)) for (const t of a) if (t instanceof Tensor) out.push(t);
  }
  return out;
}

/** Whether any input takes part in the tape (grad mode on and the input requires grad). */
function anyRequiresGrad(inputs: readonly Tensor[]): boolean {
  if (!mode.grad) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** needsInputGrad of an op that is not recorded: its backward never runs. */
const NOTHING_NEEDED: readonly boolean[] = [];

function checkFiniteOutput(op: string, t: Tensor, i: number): void {
  if (t.dtype === "int32") return;
  const data = t.data();
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]!)) {
      throw new Error(`detectAnomaly: the forward of '${op}' produced ${Number.isNaN(data[k]!) ? "NaN" : "Inf"} in output ${i} (shape ${fmt(t.shape)})`);
    }
  }
}

/**
 * Declares an op with its backward; the returned function records it on the tape. `custom`
 * marks a user's op, whose backward may keep the gradients it is given.
 */
export function defineOp<Args extends unknown[], Out extends Tensor | Tensor[]>(def: OpDefinition<Args, Out>, custom = false): (...args: Args) => Out {
  registeredOps.add(def.name);
  const materialize = def.materializeGrads ?? true;
  return (...args: Args): Out => {
    const inputs = tensorInputs(args);
    const record = anyRequiresGrad(inputs);
    const ctx = record ? new OpContext(def.name, inputs.map((t) => t.requiresGrad)) : new OpContext(def.name, NOTHING_NEEDED, false);
    const previous = mode.grad;
    mode.grad = false;
    let result: Out;
    try {
      result = def.forward(ctx, ...args);
    } finally {
      mode.grad = previous;
    }
    const single = !Array.isArray(result);
    const outputs = (single ? [result] : result) as Tensor[];
    for (let i = 0; i < outputs.length; i++) {
      // An op may hand back an input unchanged; its output still needs an identity of its own.
      if (inputs.includes(outputs[i]!)) outputs[i] = outputs[i]!.alias();
      if (mode.anomaly) checkFiniteOutput(def.name, outputs[i]!, i);
    }
    if (record) {
      const edges: (Edge | null)[] = inputs.map((t) => t.edge());
      const meta = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
      const node = new Node(
        def.name,
        (grads) => {
          const full = materialize ? grads.map((g, i) => g ?? Tensor.zeros(meta[i]!.shape, meta[i]!.dtype)) : grads;
          const out = def.backward(ctx, ...(full as Tensor[]));
          return Array.isArray(out) ? out : [out as unknown as Tensor];
        },
        edges,
        meta,
        custom,
      );
      for (let i = 0; i < outputs.length; i++) if (outputs[i]!.dtype !== "int32") outputs[i]!.attach(node, i);
    }
    return (single ? outputs[0] : outputs) as Out;
  };
}

/** defineOp for ops written outside the library (the public defineOp and customOp). */
export function defineCustomOp<Args extends unknown[], Out extends Tensor | Tensor[]>(def: OpDefinition<Args, Out>): (...args: Args) => Out {
  return defineOp(def, true);
}
