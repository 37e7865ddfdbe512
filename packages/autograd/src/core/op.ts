import { calls } from "./calls";
import { isFloat } from "./dtype";
import type { ProductGrad } from "../backend/backend";
import { checkSameCopy } from "./copy";
import { mode } from "./mode";
import { checkFinite, fmt } from "./shape";
import { Node, type BackwardFn, type Edge } from "./tape";
import { Tensor } from "./tensor";
import { running, show } from "./validate";

/** What a backward returns: one gradient per tensor input, in order (null where none is needed). */
export type GradList = readonly (Tensor | null | undefined)[];
/** What a fast backward returns: a weight's gradient may be left as a product for the tape's sum. */
export type FastGradList = readonly (Tensor | ProductGrad | null | undefined)[];
/** The gradient a backward receives: one tensor for one output, else one per output (null: none arrived). */
export type GradOf<Out> = Out extends Tensor ? Tensor : (Tensor | null)[];

/**
 * A primitive op. `forward` returns the output(s) and what the backward needs, by name. `backward`
 * is written with differentiable tensor ops (always right: it runs when the backward is itself
 * recorded, and under detectAnomaly); `fastBackward`, where given, with kernels, and runs
 * otherwise. Tensors in the saved record are version-checked: changed in place before the
 * backward, they make it throw.
 */
export interface Rule<Args extends unknown[], Saved, Out extends Tensor | Tensor[]> {
  forward(...args: Args): [Out, Saved];
  backward(saved: Saved, grad: GradOf<Out>, needs: readonly boolean[]): GradList;
  fastBackward?(saved: Saved, grad: GradOf<Out>, needs: readonly boolean[]): FastGradList;
  /** Outputs that got no gradient reach backward as zeros (default), or as null. */
  materializeGrads?: boolean;
  /** Its backward runs code from outside the library (a custom op's), which may keep what it is given. */
  external?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any, any, any>;

/** Types a rule from its forward, so that its backward's saved record is checked. */
export function rule<Args extends unknown[], Saved, Out extends Tensor | Tensor[]>(r: Rule<Args, Saved, Out>): Rule<Args, Saved, Out> {
  return r;
}

function tensorInputs(op: string, args: readonly unknown[]): Tensor[] {
  const out: Tensor[] = [];
  for (const a of args) {
    if (a instanceof Tensor) out.push(a);
    else if (Array.isArray(a)) for (const t of a) t instanceof Tensor ? out.push(t) : checkSameCopy(op, t);
    else checkSameCopy(op, a);
  }
  return out;
}

function savedTensors(saved: unknown): [string, Tensor][] {
  if (saved === null || typeof saved !== "object" || saved instanceof OpContext) return [];
  return Object.entries(saved).filter((e): e is [string, Tensor] => e[1] instanceof Tensor);
}

/** needsInputGrad and recording of the op whose forward is running (read by OpContext). */
let call = { needs: [] as readonly boolean[], recorded: false };

/** The function that runs `r` and records it on the tape when an input requires grad. */
export function primitive<Args extends unknown[], Saved, Out extends Tensor | Tensor[]>(name: string, r: Rule<Args, Saved, Out>): (...args: Args) => Out {
  const materialize = r.materializeGrads ?? true;
  return (...args: Args): Out => {
    const inputs = tensorInputs(name, args);
    const recorded = mode.grad && inputs.some((t) => t.requiresGrad);
    const needs = recorded ? inputs.map((t) => t.requiresGrad) : [];
    const outer = call;
    const outerOp = running.op;
    const gradMode = mode.grad;
    call = { needs, recorded };
    running.op = name;
    mode.grad = false;
    let result: Out, saved: Saved;
    try {
      [result, saved] = r.forward(...args);
    } finally {
      mode.grad = gradMode;
      running.op = outerOp;
      call = outer;
    }
    const single = !Array.isArray(result);
    const outputs = (single ? [result] : result) as Tensor[];
    for (let i = 0; i < outputs.length; i++) {
      // an op may hand back an input unchanged; its output still needs an identity of its own
      if (inputs.includes(outputs[i]!)) outputs[i] = outputs[i]!.alias();
      if (mode.anomaly) checkFinite(outputs[i]!, `the forward of '${name}'`, ` in output ${i} (shape ${fmt(outputs[i]!.shape)})`);
    }
    if (calls.listener && !r.external) calls.listener({ op: name, args, outputs });
    if (recorded) {
      const meta = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
      const backward = backwardOf(name, r, saved, needs, meta, single, materialize);
      const node = new Node(name, backward, inputs.map((t) => t.edge()) as (Edge | null)[], meta, r.external);
      for (let i = 0; i < outputs.length; i++) if (isFloat(outputs[i]!.dtype)) outputs[i]!.attach(node, i);
    }
    return (single ? outputs[0] : outputs) as Out;
  };
}

/**
 * The recorded backward of one call of `r`: checks that no saved tensor changed in place, fills
 * in missing output gradients, and runs the fast or the differentiable rule.
 */
function backwardOf<Saved, Out extends Tensor | Tensor[]>(name: string, r: Rule<never, Saved, Out>, saved: Saved, needs: readonly boolean[], meta: readonly { shape: number[]; dtype: Tensor["dtype"] }[], single: boolean, materialize: boolean): BackwardFn {
  const checked = savedTensors(saved);
  const versions = checked.map(([, t]) => t.version);
  return (grads, fast) => {
    for (let i = 0; i < checked.length; i++) {
      const [key, t] = checked[i]!;
      if (t.version !== versions[i]) {
        throw new Error(`backward of '${name}': saved tensor '${key}' (shape ${fmt(t.shape)}) was modified by an in-place operation after it was saved (version ${t.version}, expected ${versions[i]}); its gradient would be wrong`);
      }
    }
    const full = materialize ? grads.map((g, i) => g ?? Tensor.zeros(meta[i]!.shape, meta[i]!.dtype)) : grads;
    const grad = (single ? full[0] : full) as GradOf<Out>;
    return fast && r.fastBackward ? r.fastBackward(saved, grad, needs) : r.backward(saved, grad, needs);
  };
}

/** What a user's op forward leaves for its backward. Other fields may be stored on it freely. */
export class OpContext {
  private savedTensors: Tensor[] = [];
  private savedVersions: number[] = [];
  [key: string]: unknown;
  /** needsInputGrad[i]: whether the i-th tensor input requires a gradient. */
  readonly needsInputGrad: readonly boolean[];
  /** Whether the op is recorded on the tape; if not, its backward never runs and nothing is saved. */
  readonly recorded: boolean;

  /** @param opName - the op's name, used in error messages */
  constructor(readonly opName: string) {
    this.needsInputGrad = call.needs;
    this.recorded = call.recorded;
  }

  /** Keeps tensors for backward; changing them in place afterwards makes backward throw. */
  save(...tensors: Tensor[]): void {
    if (!this.recorded) return;
    for (const t of tensors) {
      this.savedTensors.push(t);
      this.savedVersions.push(t.version);
    }
  }

  /** The tensors kept by `save`, in order; throws if one was changed in place since. */
  get saved(): Tensor[] {
    this.savedTensors.forEach((t, i) => {
      if (t.version !== this.savedVersions[i]) {
        throw new Error(
          `backward of '${this.opName}': saved tensor ${i} (shape ${fmt(t.shape)}) was modified by an in-place operation after it was saved (version ${t.version}, expected ${this.savedVersions[i]}); its gradient would be wrong`,
        );
      }
    });
    return this.savedTensors;
  }
}

/**
 * A user's op: forward computes the result from its arguments (Tensors, arrays of Tensors, or
 * plain values); backward receives the gradient of each output and returns one gradient per
 * tensor input, in order (null for inputs that need none), written with tensor ops so that it is
 * itself differentiable (createGraph).
 */
export interface OpDefinition<Args extends unknown[], Out extends Tensor | Tensor[]> {
  /** The op's name in error messages and anomaly traces. */
  name: string;
  /** Computes the outputs from the arguments; may `ctx.save` tensors for backward. */
  forward(ctx: OpContext, ...args: Args): Out;
  /** Gets each output's gradient; returns one gradient per tensor input (null where none is needed). */
  backward(ctx: OpContext, ...grads: Tensor[]): GradList | Tensor;
  /** Pass missing output gradients to backward as zeros (default) or as null. */
  materializeGrads?: boolean;
}

/**
 * Declares an op of one's own with its forward and backward; the returned function records it on
 * the tape. What forward returns is checked (a Tensor or an array of them), and so is each
 * gradient backward returns (one per tensor input, of its shape and dtype, or null).
 */
export function customOp<Args extends unknown[], Out extends Tensor | Tensor[]>(def: OpDefinition<Args, Out>): (...args: Args) => Out {
  if (def === null || typeof def !== "object") throw new Error(`customOp: expected { name, forward, backward }, got ${show(def)}`);
  if (typeof def.name !== "string" || def.name === "") throw new Error(`customOp: name must be a non-empty string, got ${show(def.name)}`);
  for (const fn of ["forward", "backward"] as const) {
    if (typeof def[fn] !== "function") throw new Error(`customOp '${def.name}': ${fn} must be a function, got ${show(def[fn])}`);
  }
  const inputsOf = new WeakMap<OpContext, { shape: number[]; dtype: Tensor["dtype"] }[]>();
  return primitive(def.name, {
    forward(...args: Args): [Out, OpContext] {
      const ctx = new OpContext(def.name);
      if (ctx.recorded) inputsOf.set(ctx, tensorInputs(def.name, args).map((t) => ({ shape: t.shape, dtype: t.dtype })));
      const out = def.forward(ctx, ...args);
      checkForwardResult(def.name, out);
      return [out, ctx];
    },
    backward(ctx: OpContext, grad: GradOf<Out>): GradList {
      const out = def.backward(ctx, ...((Array.isArray(grad) ? grad : [grad]) as Tensor[]));
      const grads = Array.isArray(out) ? out : [out];
      checkCustomGrads(def.name, grads, inputsOf.get(ctx)!);
      return grads;
    },
    materializeGrads: def.materializeGrads ?? true,
    external: true,
  });
}

/** A forward must return a Tensor, or a non-empty array of Tensors (one per output). */
function checkForwardResult(name: string, out: unknown): void {
  if (out instanceof Tensor) return;
  if (Array.isArray(out) && out.length > 0 && out.every((t) => t instanceof Tensor)) return;
  const bad = Array.isArray(out) ? out.findIndex((t) => !(t instanceof Tensor)) : -1;
  const what = bad >= 0 ? `${show(out)}, whose output ${bad} is ${describeOutput((out as unknown[])[bad])}` : show(out);
  throw new Error(`forward of '${name}' returned ${what}; expected a Tensor or a non-empty array of Tensors (one per output)`);
}

/** What a user's forward returned, as an error message shows it. */
function describeOutput(out: unknown): string {
  return out instanceof Tensor ? `a ${out.dtype} tensor` : show(out);
}

/** PyTorch's checks on what a Function's backward returns: one gradient per tensor input, each null or of the input's shape and dtype. */
function checkCustomGrads(name: string, grads: readonly unknown[], inputs: readonly { shape: number[]; dtype: Tensor["dtype"] }[]): void {
  if (grads.length !== inputs.length) {
    throw new Error(`backward of '${name}' returned ${grads.length} gradient(s), expected ${inputs.length} (one per tensor input, null where none)`);
  }
  grads.forEach((g, i) => {
    const want = inputs[i]!;
    if (g === null || g === undefined) return;
    if (!(g instanceof Tensor)) throw new Error(`backward of '${name}' returned ${show(g)} as the gradient for input ${i}; expected a Tensor or null`);
    if (g.dtype !== want.dtype || fmt(g.shape) !== fmt(want.shape)) {
      throw new Error(`backward of '${name}' returned a ${g.dtype} gradient of shape ${fmt(g.shape)} for input ${i}, expected ${want.dtype} of shape ${fmt(want.shape)}`);
    }
  });
}
