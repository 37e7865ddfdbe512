import { kernels } from "../backend/backend";
import { fmt, normalizeDim, numel } from "../core/shape";
import { Tensor } from "../core/tensor";
import { gather } from "./indexing";

// Sorting and selection: the order is found without the tape (indices have no gradient), the
// values are gathered through it, so their gradient goes to the elements they came from.

/** Stable ascending (or descending) order of x along d, as int32 positions. */
function orderAlong(x: Tensor, d: number, descending: boolean): Tensor {
  const out = new Int32Array(x.numel);
  kernels.sortIndices(x.data(), numel(x.shape.slice(0, d)), x.shape[d]!, numel(x.shape.slice(d + 1)), descending, out);
  return Tensor.fromBuffer(out, x.shape);
}

/** x as at least 1-d, and dim normalized against it. */
function lined(op: string, x: Tensor, dim: number): [Tensor, number] {
  const d = normalizeDim(dim, x.shape, op);
  return x.ndim === 0 ? [x.reshape([1]), 0] : [x, d];
}

/** Options of {@link sort} and {@link argsort}. */
export interface SortOptions {
  /** Largest first (false by default). */
  descending?: boolean;
  /** Accepted for PyTorch compatibility: the sort is always stable. */
  stable?: boolean;
}

/** [values, indices] of x sorted along dim (stable; NaN counts as the largest value). */
export function sort(x: Tensor, dim = -1, opts: SortOptions = {}): [Tensor, Tensor] {
  const [src, d] = lined("sort", x, dim);
  const indices = orderAlong(src, d, opts.descending ?? false);
  return [gather(src, d, indices).reshape(x.shape), indices.reshape(x.shape)];
}

/** The indices that sort `x` along `dim` (default -1), as in {@link sort}. */
export function argsort(x: Tensor, dim = -1, opts: SortOptions = {}): Tensor {
  const [src, d] = lined("argsort", x, dim);
  return orderAlong(src, d, opts.descending ?? false).reshape(x.shape);
}

/** The k largest (or smallest) elements along dim and their indices, in sorted order. */
export function topk(x: Tensor, k: number, dim = -1, opts: { largest?: boolean; sorted?: boolean } = {}): [Tensor, Tensor] {
  const [src, d] = lined("topk", x, dim);
  if (!Number.isInteger(k) || k < 0 || k > src.shape[d]!) {
    throw new Error(`topk: k must be an integer in [0, ${src.shape[d]}] (the size of dim ${dim} of shape ${fmt(x.shape)}), got ${k}`);
  }
  const indices = orderAlong(src, d, opts.largest ?? true).narrow(d, 0, k).contiguous();
  const values = gather(src, d, indices);
  return x.ndim === 0 ? [values.reshape([]), indices.reshape([])] : [values, indices];
}

/** The order statistic at position `pick(n)` of each line: [values, indices], dim kept or not. */
function orderStatistic(op: string, x: Tensor, dim: number, keepdim: boolean, pick: (n: number, order: Tensor, d: number, src: Tensor) => Tensor): [Tensor, Tensor] {
  const [src, d] = lined(op, x, dim);
  if (src.shape[d] === 0) throw new Error(`${op}: cannot reduce over an empty dimension (dim ${dim} of shape ${fmt(x.shape)})`);
  const order = orderAlong(src, d, false);
  const index = pick(src.shape[d]!, order, d, src.detach()).contiguous();
  const values = gather(src, d, index);
  if (x.ndim === 0) return [values.reshape([]), index.reshape([])];
  return keepdim ? [values, index] : [values.squeeze(d), index.squeeze(d)];
}

/** The k-th smallest element along dim (k counts from 1) and its index. */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): [Tensor, Tensor] {
  return orderStatistic("kthvalue", x, dim, keepdim, (n, order, d) => {
    if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`kthvalue: k must be an integer in [1, ${n}] (the size of dim ${dim} of shape ${fmt(x.shape)}), got ${k}`);
    return order.narrow(d, k - 1, 1);
  });
}

/**
 * The lower median (element (n-1)/2 of the sorted line). Without dim: of all elements, a 0-d
 * tensor; with dim: [values, indices]. A line holding NaN gives its first NaN, as in PyTorch.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): [Tensor, Tensor];
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
  if (dim === undefined) return median(x.reshape([-1]), 0)[0];
  return orderStatistic("median", x, dim, keepdim, (n, order, d, src) => {
    const lower = order.narrow(d, Math.floor((n - 1) / 2), 1);
    const sortedValues = gather(src, d, order);
    const nans = sortedValues.ne(sortedValues).to("int32").sum(d, true);
    // NaNs sort last in their original order: the first of them sits at n - (number of NaNs)
    const firstNan = gather(order, d, nans.mul(-1).add(n).minimum(n - 1));
    return lower.where(nans.eq(0), firstNan);
  });
}

/** The most frequent value along dim (ties: the smallest) and the index of its last occurrence. */
export function mode(x: Tensor, dim = -1, keepdim = false): [Tensor, Tensor] {
  return orderStatistic("mode", x, dim, keepdim, (_, order, d, src) => {
    const out = new Int32Array(src.numel / src.shape[d]!);
    kernels.modeIndices(src.data(), numel(src.shape.slice(0, d)), src.shape[d]!, numel(src.shape.slice(d + 1)), out);
    return Tensor.fromBuffer(out, src.shape.map((s, i) => (i === d ? 1 : s)));
  });
}
