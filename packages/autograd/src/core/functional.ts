import { view } from "../ops/movement";
import { gradOf, jacobianColumns, jacobianRows } from "./jacobian";
import { enableGrad } from "./mode";
import { fmt, sameShape } from "./shape";
import { Tensor } from "./tensor";

/**
 * torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp and vhp with PyTorch 1.13's
 * semantics. Inputs (and v) are a Tensor or an array of Tensors; a result mirrors the nesting
 * of what it is shaped like (a Tensor for a Tensor, an array for an array). Results are
 * detached unless createGraph; an input the outputs do not depend on gets zeros, or an error
 * with strict.
 */

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];
/** A Tensor for a Tensor, an array of Tensors for an array. */
export type Like<T> = T extends Tensor ? Tensor : Tensor[];
/** Jacobian nesting: a Tensor when both are single, one array level per array, [output][input]. */
export type JacobianOf<In, Out> = Out extends Tensor ? Like<In> : In extends Tensor ? Tensor[] : Tensor[][];
/** Hessian nesting: a Tensor for one input, else [input i][input j]. */
export type HessianOf<In> = In extends Tensor ? Tensor : Tensor[][];

/** Options of the functional transforms (vjp, jvp, jacobian, hessian, ...). */
export interface FunctionalOptions {
  /** Compute the result differentiably (it can be differentiated again). */
  createGraph?: boolean;
  /** Throw when an output does not depend on an input, instead of returning zeros. */
  strict?: boolean;
}

/** How `jacobian` builds the matrix: one backward per output element, or per input element. */
export type JacobianStrategy = "reverse-mode" | "forward-mode";

/** Options of `jacobian` and `hessian`. */
export interface JacobianOptions extends FunctionalOptions {
  /**
   * PyTorch's batched-gradient switch, needed for strategy "forward-mode" and not allowed with
   * strict. The tape has no batched backward (each gradient has its op's recorded shape), so a
   * Jacobian is one backward per row ("reverse-mode") or per column ("forward-mode") either way.
   */
  vectorize?: boolean;
  /**
   * "reverse-mode" (default): one backward per output element. "forward-mode": one recorded
   * backward, then one backward of it per input element (the double-vjp trick); fewer sweeps
   * when the outputs have more elements than the inputs. As in PyTorch it needs vectorize and
   * rules out createGraph and strict.
   */
  strategy?: JacobianStrategy;
}

export interface HessianOptions extends FunctionalOptions {
  /** PyTorch's batched-gradient switch, as in {@link JacobianOptions}. */
  vectorize?: boolean;
  /** The strategy of the outer Jacobian (of the gradient); "forward-mode" is forward-over-reverse. */
  outerJacobianStrategy?: JacobianStrategy;
}

type Out<T> = [Tensor | Tensor[], Like<T>];

function checkOptions(op: string, opts: object, allowed: readonly string[]): void {
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) throw new Error(`functional.${op}: unknown option "${key}"; expected one of ${allowed.join(", ")}`);
  }
}

/** [was it an array, the tensors]; throws naming the op when an element is not a Tensor. */
function asTuple(value: unknown, what: string, op: string): [boolean, Tensor[]] {
  const isTuple = Array.isArray(value);
  const list = (isTuple ? value : [value]) as unknown[];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) {
      throw new Error(`functional.${op}: ${what} must be a Tensor or an array of Tensors, but ${isTuple ? `element ${i}` : "it"} is ${t === null ? "null" : typeof t}`);
    }
  });
  return [isTuple, list as Tensor[]];
}

/** Fresh tensors the caller's function runs on (views keep the graph to the originals with createGraph). */
function preprocess(inputs: readonly Tensor[], createGraph: boolean, needGraph: boolean): Tensor[] {
  return inputs.map((t) => (createGraph && t.requiresGrad ? view(t, t.shape) : t.detach().requiresGrad_(needGraph)));
}

function postprocess(ts: readonly Tensor[], createGraph: boolean): Tensor[] {
  return createGraph ? [...ts] : ts.map((t) => t.detach());
}

function unpack<T>(list: readonly T[], isTuple: boolean): T | T[] {
  return isTuple ? [...list] : list[0]!;
}

function validateV(op: string, v: readonly Tensor[], other: readonly Tensor[], isOtherTuple: boolean, what: string): void {
  if (v.length !== other.length) {
    throw new Error(`functional.${op}: v has ${v.length} tensor(s), expected ${other.length} (one per ${what})`);
  }
  v.forEach((t, i) => {
    if (!sameShape(t.shape, other[i]!.shape)) {
      throw new Error(`functional.${op}: ${isOtherTuple ? `v[${i}]` : "v"} has shape ${fmt(t.shape)}, expected ${fmt(other[i]!.shape)} (the shape of the ${what})`);
    }
  });
}

/** [was v given as an array, v] after validation; v may be omitted only for one single-element tensor. */
function prepareV(op: string, v: Tensor | readonly Tensor[] | undefined, like: readonly Tensor[], isLikeTuple: boolean, what: string, createGraph: boolean): Tensor[] | undefined {
  if (v === undefined) {
    if (like.length !== 1 || like[0]!.numel !== 1) throw new Error(`functional.${op}: v can only be omitted when the ${what} is a single Tensor with a single element`);
    return undefined;
  }
  const [, vs] = asTuple(v, "v", op);
  const prepared = preprocess(vs, createGraph, false);
  validateV(op, prepared, like, isLikeTuple, what);
  return prepared;
}

function checkRequiresGrad(op: string, ts: readonly (Tensor | null)[], kind: "outputs" | "gradInputs" | "jacobian" | "hessian", strict: boolean): void {
  if (!strict) return;
  ts.forEach((t, i) => {
    if (t === null) throw new Error(`functional.${op}: the output of the function is independent of input ${i}; not allowed with strict`);
    if (t.requiresGrad) return;
    const what = {
      outputs: `output ${i} of the function does not require grad; with strict the outputs must be computed differentiably from the inputs`,
      gradInputs: `the gradient with respect to input ${i} is independent of the inputs; not allowed with strict`,
      jacobian: `the jacobian with respect to input ${i} is independent of the input (a linear function?); not allowed with strict`,
      hessian: `the hessian with respect to input ${i} is independent of the input; not allowed with strict (the function must be thrice differentiable)`,
    }[kind];
    throw new Error(`functional.${op}: ${what}`);
  });
}

function fillZeros(op: string, grads: readonly (Tensor | null)[], refs: readonly Tensor[], strict: boolean, createGraph: boolean, what: string): Tensor[] {
  return grads.map((g, i) => {
    if (g === null) {
      if (strict) throw new Error(`functional.${op}: ${what} is independent of input ${i}; not allowed with strict`);
      return Tensor.zeros(refs[i]!.shape, refs[i]!.dtype);
    }
    if (strict && createGraph && !g.requiresGrad) throw new Error(`functional.${op}: ${what} is independent of input ${i}; not allowed with strict and createGraph`);
    return g;
  });
}

function callFn(op: string, fn: Fn, inputs: readonly Tensor[]): [boolean, Tensor[]] {
  return asTuple(enableGrad(() => fn(...inputs)), "the function's output", op);
}

/** vᵀJ at inputs: [fn(inputs), vᵀJ shaped like the inputs]. v may be omitted for one single-element output. */
export function vjp<I extends Tensor | readonly Tensor[]>(fn: Fn, inputs: I, v?: Tensor | readonly Tensor[], opts: FunctionalOptions = {}): Out<I> {
  checkOptions("vjp", opts, ["createGraph", "strict"]);
  const { createGraph = false, strict = false } = opts;
  const [isInputsTuple, raw] = asTuple(inputs, "inputs", "vjp");
  const ins = preprocess(raw, createGraph, true);
  const [isOutputsTuple, outs] = callFn("vjp", fn, ins);
  checkRequiresGrad("vjp", outs, "outputs", strict);
  const vs = prepareV("vjp", v, outs, isOutputsTuple, "output of the function", createGraph);
  const res = fillZeros("vjp", gradOf(outs, ins, vs, createGraph), ins, strict, createGraph, "the output of the function");
  return [unpack(postprocess(outs, createGraph), isOutputsTuple), unpack(postprocess(res, createGraph), isInputsTuple) as Like<I>];
}

/**
 * J v at inputs: [fn(inputs), J v shaped like the outputs], by the double-vjp trick (the vjp is
 * linear in its cotangent u, so differentiating uᵀJ with respect to u along v gives J v).
 */
export function jvp<I extends Tensor | readonly Tensor[]>(fn: Fn, inputs: I, v?: Tensor | readonly Tensor[], opts: FunctionalOptions = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  checkOptions("jvp", opts, ["createGraph", "strict"]);
  const { createGraph = false, strict = false } = opts;
  const [isInputsTuple, raw] = asTuple(inputs, "inputs", "jvp");
  const ins = preprocess(raw, createGraph, true);
  const vs = prepareV("jvp", v, ins, isInputsTuple, "input", createGraph);
  const [isOutputsTuple, outs] = callFn("jvp", fn, ins);
  checkRequiresGrad("jvp", outs, "outputs", strict);
  const us = outs.map((o) => Tensor.zeros(o.shape, o.dtype).requiresGrad_());
  const gradInputs = enableGrad(() => gradOf(outs, ins, us, true));
  checkRequiresGrad("jvp", gradInputs, "gradInputs", strict);
  const present = gradInputs.filter((g): g is Tensor => g !== null);
  const seeds = vs?.filter((_, i) => gradInputs[i] !== null);
  const res = present.length === 0 ? us.map(() => null) : gradOf(present, us, seeds, createGraph);
  const filled = fillZeros("jvp", res, outs, strict, createGraph, "the gradient with respect to the input (double-vjp trick)");
  return [unpack(postprocess(outs, createGraph), isOutputsTuple), unpack(postprocess(filled, createGraph), isOutputsTuple)];
}

/** Throws for a missing row or column in strict mode (PyTorch's messages); zeros are used otherwise. */
function strictCheck(op: string, strict: boolean, createGraph: boolean) {
  return (i: number, k: number, g: Tensor | null): void => {
    if (!strict) return;
    if (g === null) throw new Error(`functional.${op}: output ${i} of the function is independent of input ${k}; not allowed with strict`);
    if (createGraph && !g.requiresGrad) throw new Error(`functional.${op}: the jacobian of the function is independent of input ${k}; not allowed with strict and createGraph`);
  };
}

function checkStrategy(op: string, what: string, strategy: unknown, vectorize: boolean, createGraph: boolean, strict: boolean): void {
  if (strategy !== "reverse-mode" && strategy !== "forward-mode") throw new Error(`functional.${op}: ${what} must be "reverse-mode" or "forward-mode", got ${JSON.stringify(strategy)}`);
  if (vectorize && strict) throw new Error(`functional.${op}: strict and vectorize cannot be combined (as in PyTorch); set one of them to false`);
  if (strategy === "reverse-mode") return;
  if (createGraph) throw new Error(`functional.${op}: createGraph and ${what} "forward-mode" are not supported together (as in PyTorch); set createGraph to false or use "reverse-mode"`);
  if (strict) throw new Error(`functional.${op}: strict and ${what} "forward-mode" are not supported together (as in PyTorch); set strict to false or use "reverse-mode"`);
  if (!vectorize) throw new Error(`functional.${op}: ${what} "forward-mode" is only implemented with vectorize: true (as in PyTorch)`);
}

function jacobianOf(op: string, fn: Fn, inputs: readonly Tensor[], createGraph: boolean, strict: boolean, strategy: JacobianStrategy = "reverse-mode"): [boolean, Tensor[][]] {
  const ins = preprocess(inputs, createGraph, true);
  const [isOutputsTuple, outs] = callFn(op, fn, ins);
  checkRequiresGrad(op, outs, "outputs", strict);
  const jac = strategy === "forward-mode" ? jacobianColumns(outs, ins) : jacobianRows(outs, ins, createGraph, strictCheck(op, strict, createGraph));
  return [isOutputsTuple, jac.map((row) => postprocess(row, createGraph))];
}

/** The Jacobian: entry [i][j] has shape output_i.shape ++ input_j.shape; nesting as in PyTorch. */
export function jacobian<I extends Tensor | readonly Tensor[]>(fn: Fn, inputs: I, opts: JacobianOptions = {}): Tensor | Tensor[] | Tensor[][] {
  checkOptions("jacobian", opts, ["createGraph", "strict", "vectorize", "strategy"]);
  const { createGraph = false, strict = false, vectorize = false, strategy = "reverse-mode" } = opts;
  checkStrategy("jacobian", "strategy", strategy, vectorize, createGraph, strict);
  const [isInputsTuple, raw] = asTuple(inputs, "inputs", "jacobian");
  const [isOutputsTuple, jac] = jacobianOf("jacobian", fn, raw, createGraph, strict, strategy);
  const perOutput = jac.map((row) => unpack(row, isInputsTuple));
  return unpack(perOutput, isOutputsTuple) as Tensor | Tensor[] | Tensor[][];
}

function scalarOutput(op: string, fn: Fn, ins: readonly Tensor[], strict: boolean): Tensor {
  const out = enableGrad(() => fn(...ins));
  const [isTuple, outs] = asTuple(out, "the function's output", op);
  checkRequiresGrad(op, outs, "outputs", strict);
  if (isTuple) throw new Error(`functional.${op}: the function should return a single Tensor, got an array of ${outs.length}`);
  if (outs[0]!.numel !== 1) throw new Error(`functional.${op}: the function should return a single-element Tensor, got shape ${fmt(outs[0]!.shape)}`);
  return outs[0]!;
}

/** The Hessian of a scalar function: [i][j] has shape input_i.shape ++ input_j.shape. */
export function hessian<I extends Tensor | readonly Tensor[]>(fn: Fn, inputs: I, opts: HessianOptions = {}): HessianOf<I> {
  checkOptions("hessian", opts, ["createGraph", "strict", "vectorize", "outerJacobianStrategy"]);
  const { createGraph = false, strict = false, vectorize = false, outerJacobianStrategy = "reverse-mode" } = opts;
  checkStrategy("hessian", "outerJacobianStrategy", outerJacobianStrategy, vectorize, createGraph, strict);
  const [isInputsTuple, raw] = asTuple(inputs, "inputs", "hessian");
  const gradient = (...inner: Tensor[]) => {
    const [, jac] = jacobianOf("hessian", (...x) => scalarOutput("hessian", fn, x, strict).reshape([]), inner, true, false);
    checkRequiresGrad("hessian", jac[0]!, "jacobian", strict);
    return jac[0]!;
  };
  const [, hess] = jacobianOf("hessian", gradient, raw, createGraph, strict, outerJacobianStrategy);
  return (isInputsTuple ? hess : hess[0]![0]!) as HessianOf<I>;
}

/** vᵀH at inputs: [fn(inputs), vᵀH shaped like the inputs]. */
export function vhp<I extends Tensor | readonly Tensor[]>(fn: Fn, inputs: I, v?: Tensor | readonly Tensor[], opts: FunctionalOptions = {}): [Tensor, Like<I>] {
  return hessianProduct("vhp", fn, inputs, v, opts);
}

/** H v at inputs: [fn(inputs), H v shaped like the inputs], by the double-vjp trick. */
export function hvp<I extends Tensor | readonly Tensor[]>(fn: Fn, inputs: I, v?: Tensor | readonly Tensor[], opts: FunctionalOptions = {}): [Tensor, Like<I>] {
  return hessianProduct("hvp", fn, inputs, v, opts);
}

function hessianProduct<I extends Tensor | readonly Tensor[]>(op: "hvp" | "vhp", fn: Fn, inputs: I, v: Tensor | readonly Tensor[] | undefined, opts: FunctionalOptions): [Tensor, Like<I>] {
  checkOptions(op, opts, ["createGraph", "strict"]);
  const { createGraph = false, strict = false } = opts;
  const [isInputsTuple, raw] = asTuple(inputs, "inputs", op);
  const ins = preprocess(raw, createGraph, true);
  const vs = prepareV(op, v, ins, isInputsTuple, "input", createGraph);
  const out = scalarOutput(op, fn, ins, strict);
  const jac = enableGrad(() => gradOf([out], ins, undefined, true));
  checkRequiresGrad(op, jac, "jacobian", strict);
  const present = jac.map((g, i) => g ?? Tensor.zeros(ins[i]!.shape, ins[i]!.dtype));
  let res: (Tensor | null)[];
  if (op === "vhp") {
    res = gradOf(present, ins, vs, createGraph);
  } else {
    const us = ins.map((t) => Tensor.zeros(t.shape, t.dtype).requiresGrad_());
    const doubleBack = enableGrad(() => gradOf(present, ins, us, true));
    checkRequiresGrad(op, jac, "hessian", strict);
    const kept = doubleBack.filter((g): g is Tensor => g !== null);
    const seeds = vs?.filter((_, i) => doubleBack[i] !== null);
    res = kept.length === 0 ? us.map(() => null) : gradOf(kept, us, seeds, createGraph);
  }
  const filled = fillZeros(op, res, ins, strict, createGraph, "the hessian of the function");
  return [postprocess([out], createGraph)[0]!, unpack(postprocess(filled, createGraph), isInputsTuple) as Like<I>];
}
