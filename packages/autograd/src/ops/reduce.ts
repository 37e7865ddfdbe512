import { isFloat } from "../core/dtype";
import { primitive, rule } from "../core/op";
import { backend, kernels, type ReduceOp, type StridedView } from "../backend/backend";
import { fmt, normalizeDim, normalizeDims } from "../core/shape";
import { Tensor } from "../core/tensor";
import { evenExtreme } from "./extremes";
import { scatterAddPrim } from "./indexing";
import type { RuleTable } from "./primitives";

export type Dims = number | number[];

function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((s, i) => (dims.includes(i) ? 1 : s)) : shape.filter((_, i) => !dims.includes(i));
}

function reduceRaw(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean): Tensor {
  const out = Tensor.zeros(reducedShape(x.shape, dims, keepdim), x.dtype);
  kernels.reduce(op, x, dims, out.buf);
  return out;
}

/** The index of the extreme element along dim for max/min, spread back: the gradient goes to it alone. */
function extremeRule(op: "max" | "min") {
  return rule({
    forward(x: Tensor, dim: number, keepdim: boolean): [Tensor[], { index: Tensor; inShape: number[]; dim: number; keepdim: boolean }] {
      const shape = reducedShape(x.shape, [dim], keepdim);
      const values = Tensor.zeros(shape, x.dtype);
      const indices = new Int32Array(values.numel);
      kernels.reduce(op, x, [dim], values.buf, indices);
      const index = Tensor.fromBuffer(indices, shape);
      return [[values, index], { index, inShape: x.shape, dim, keepdim }];
    },
    backward: ({ index, inShape, dim, keepdim }, [g]) => [scatterAddPrim(inShape, dim, keepdim ? index : index.unsqueeze(dim), keepdim ? g! : g!.unsqueeze(dim))],
  });
}

/** softmax (log = false) or logSoftmax along one dim: one kernel each way, the output saved for backward. */
function softmaxRule(log: boolean) {
  return rule({
    forward(x: Tensor, dim: number) {
      const y = Tensor.zeros(x.shape, x.dtype);
      kernels.softmaxForward(dimLast(x, dim), dimLast(y, dim), log);
      return [y, { y, dim }];
    },
    // log: dx = g - exp(y) Σg;  softmax: dx = y (g - Σ g·y)
    backward: ({ y, dim }, g: Tensor) => [log ? g.sub(y.exp().mul(g.sum(dim, true))) : y.mul(g.sub(g.mul(y).sum(dim, true)))],
    fastBackward({ y, dim }, g: Tensor) {
      const dx = Tensor.zeros(y.shape, y.dtype);
      kernels.softmaxBackward(dimLast(y, dim), dimLast(g, dim), dimLast(dx, dim), log);
      return [dx];
    },
  });
}

const rules = {
  sum: rule({
    forward: (x: Tensor, dims: number[], keepdim: boolean) => [reduceRaw("sum", x, dims, keepdim), { inShape: x.shape, keptShape: reducedShape(x.shape, dims, true) }],
    // every input element contributed once: spread g back over the reduced dims
    backward: ({ inShape, keptShape }, g: Tensor) => [g.reshape(keptShape).expand(inShape)],
  }),
  max: extremeRule("max"),
  min: extremeRule("min"),
  softmax: softmaxRule(false),
  logSoftmax: softmaxRule(true),
} satisfies RuleTable<"reduce">;

const sumPrim: (x: Tensor, dims: number[], keepdim: boolean) => Tensor = primitive("sum", rules.sum);

/** Sum over `dim` (a dim, several, or all when omitted); `keepdim` keeps reduced dims with size 1. bool and int32 sum to int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (x.dtype === "bool") x = x.to("int32"); // a mask's sum counts its true elements
  const dims = normalizeDims(dim, x.shape, "sum");
  return x.dtype === "int32" ? exactIntSum(x, dims, keepdim) : sumPrim(x, dims, keepdim);
}

/** An int32 sum computed exactly in float64; a total int32 cannot hold is an error, not a wrapped value. */
function exactIntSum(x: Tensor, dims: number[], keepdim: boolean): Tensor {
  const total = sumPrim(x.to("float64"), dims, keepdim);
  const bad = total.data().find((v) => v < -(2 ** 31) || v > 2 ** 31 - 1);
  if (bad !== undefined) throw new Error(`sum: the sum ${bad} of an int32 tensor (shape ${fmt(x.shape)}) overflows int32; convert with .to("float64") first`);
  return total.to("int32");
}

/** Mean over `dim` (a dim, several, or all when omitted), optionally keeping reduced dims. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloat(x.dtype)) throw new Error(`mean: expected a float tensor, got ${x.dtype} (shape ${fmt(x.shape)}); convert with .to("float32")`);
  const dims = normalizeDims(dim, x.shape, "mean");
  const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
  return sumPrim(x, dims, keepdim).div(count);
}

function checkNonEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  if (dims.some((d) => x.shape[d] === 0) || (dims.length === 0 && x.numel === 0)) {
    throw new Error(`${op}: cannot reduce over an empty dimension (shape ${fmt(x.shape)})`);
  }
}

const maxDim: (x: Tensor, dim: number, keepdim: boolean) => Tensor[] = primitive("max", rules.max);
const minDim: (x: Tensor, dim: number, keepdim: boolean) => Tensor[] = primitive("min", rules.min);

/** max over all elements (a 0-d tensor), or over one dim as [values, indices]. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): [Tensor, Tensor];
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
  return extreme("max", x, dim, keepdim);
}

/** The smallest element, as a scalar tensor (NaN if any element is NaN). */
export function min(x: Tensor): Tensor;
/** Along `dim`: `[values, indices]` of the smallest entries (indices int32). */
export function min(x: Tensor, dim: number, keepdim?: boolean): [Tensor, Tensor];
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
  return extreme("min", x, dim, keepdim);
}

function extreme(op: "max" | "min", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | [Tensor, Tensor] {
  const prim = op === "max" ? maxDim : minDim;
  if (dim === undefined) return evenExtreme(op, x, undefined, false);
  const d = normalizeDim(dim, x.shape, op);
  checkNonEmpty(op, x, [d]);
  if (x.ndim === 0) return prim(x.reshape([1]), 0, false) as [Tensor, Tensor];
  return prim(x, d, keepdim) as [Tensor, Tensor];
}

/** Max over several dims at once (values only). */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return evenExtreme("amax", x, dim, keepdim);
}

/** Indices (int32) of the largest entries along `dim`, or into the flattened tensor when omitted. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme("max", x, dim, keepdim);
}

/** Indices (int32) of the smallest entries along `dim`, or into the flattened tensor when omitted. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argExtreme("min", x, dim, keepdim);
}

function argExtreme(op: "max" | "min", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  const name = op === "max" ? "argmax" : "argmin";
  const flat = dim === undefined;
  const src = flat ? x.reshape([-1]) : x;
  const d = flat ? 0 : normalizeDim(dim, x.shape, name);
  checkNonEmpty(name, src, [d]);
  if (src.ndim === 0) return Tensor.zeros([], "int32");
  const shape = reducedShape(src.shape, [d], keepdim && !flat);
  const values = backend.allocate(x.dtype, shape.reduce((a, b) => a * b, 1), "temporary");
  const indices = new Int32Array(values.length);
  kernels.reduce(op, src, [d], values, indices);
  return Tensor.fromBuffer(indices, shape);
}

/** The max over dims (kept), detached and with infinities replaced by 0: a safe shift for exp. */
function shiftFor(x: Tensor, dims: number[]): Tensor {
  const m = amax(x.detach(), dims, true);
  return m.where(m.abs().lt(Infinity), 0);
}

/** log(sum(exp(x))) over dims, computed stably by subtracting the max first. */
export function logSumExp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.shape, "logSumExp");
  if (dims.some((d) => x.shape[d] === 0)) return x.sum(dims, keepdim).sub(Infinity); // the log of an empty sum is -∞, as in PyTorch
  const shift = shiftFor(x, dims);
  const out = x.sub(shift).exp().sum(dims, true).log().add(shift);
  return keepdim ? out : out.squeeze(dims);
}

/** The view of t with dim d moved last, as the softmax kernels read it. */
function dimLast(t: Tensor, d: number): StridedView {
  const order = t.shape.map((_, i) => i).filter((i) => i !== d).concat(d);
  return { buf: t.buf, shape: order.map((i) => t.shape[i]!), strides: order.map((i) => t.strides[i]!), offset: t.offset };
}

const softmaxOp = primitive("softmax", rules.softmax);
const logSoftmaxOp = primitive("logSoftmax", rules.logSoftmax);

function softmaxArgs(op: string, x: Tensor, dim: number): [Tensor, number] {
  const d = normalizeDim(dim, x.shape, op);
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a float tensor, got ${x.dtype} (shape ${fmt(x.shape)}); convert with .to("float32")`);
  return x.ndim === 0 ? [x.reshape([1]), 0] : [x, d];
}

/** exp(x - m) / Σ exp(x - m) along dim, m the max along dim. */
export function softmax(x: Tensor, dim: number): Tensor {
  const [input, d] = softmaxArgs("softmax", x, dim);
  const y = softmaxOp(input, d);
  return x.ndim === 0 ? y.reshape([]) : y;
}

/** (x - m) - log Σ exp(x - m): the shifted values keep full precision even when |x| is large. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const [input, d] = softmaxArgs("logSoftmax", x, dim);
  const y = logSoftmaxOp(input, d);
  return x.ndim === 0 ? y.reshape([]) : y;
}
