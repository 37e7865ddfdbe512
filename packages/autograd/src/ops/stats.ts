import { fmt, normalizeDims } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { cat } from "./join";
import { where } from "./pointwise";
import type { Dims } from "./reduce";

// Reductions composed from primitives: their gradients come from the tape.

/** Options of {@link variance}, {@link std}, {@link varMean} and {@link stdMean}. */
export interface VarOptions {
  /** Subtracted from the number of elements in the divisor: 1 (default) is Bessel's correction. */
  correction?: number;
  /** Keep reduced dims with size 1. */
  keepdim?: boolean;
}

function floatInput(op: string, x: Tensor): void {
  if (x.dtype === "int32") throw new Error(`${op}: expected a float tensor, got int32 (shape ${fmt(x.shape)}); convert with .to("float32")`);
}

/** Σ (x - mean)² / (N - correction) over dims (every dim when undefined). */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return varMean(x, dim, opts)[0];
}

/** Standard deviation over `dim` (all when omitted): the square root of {@link variance}. */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return varMean(x, dim, opts)[0].sqrt();
}

/** [variance, mean] over dims. */
export function varMean(x: Tensor, dim?: Dims, opts: VarOptions = {}): [Tensor, Tensor] {
  floatInput("variance", x);
  const dims = normalizeDims(dim, x.shape, "variance");
  const { correction = 1, keepdim = false } = opts;
  const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
  const mean = x.mean(dims, true);
  const centered = x.sub(mean);
  const v = centered.mul(centered).sum(dims, keepdim).div(Math.max(0, count - correction));
  return [v, keepdim ? mean : mean.squeeze(dims)];
}

/** [standard deviation, mean] over dims. */
export function stdMean(x: Tensor, dim?: Dims, opts: VarOptions = {}): [Tensor, Tensor] {
  const [v, mean] = varMean(x, dim, opts);
  return [v.sqrt(), mean];
}

/** The product along d (kept, size 1) as a tree of pairwise products: exact gradients where x has zeros. */
function prodAlong(x: Tensor, d: number): Tensor {
  if (x.shape[d] === 0) return x.sum(d, true).add(1);
  let y = x;
  while (y.shape[d]! > 1) {
    const n = y.shape[d]!;
    const half = Math.floor(n / 2);
    const pairs = y.slice(d, 0, 2 * half, 2).mul(y.slice(d, 1, 2 * half, 2));
    y = n % 2 === 1 ? cat([pairs, y.narrow(d, n - 1, 1)], d) : pairs;
  }
  return y;
}

/** The product of the elements over dims (every dim when undefined). */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.shape, "prod");
  const out = dims.reduce(prodAlong, x);
  return keepdim || dims.length === 0 ? out : out.squeeze(dims);
}

/** Sum treating NaN as zero. */
export function nansum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return (x.dtype === "int32" ? x : where(x.ne(x), 0, x)).sum(dim, keepdim);
}

/** Mean of the non-NaN elements (NaN where there is none). */
export function nanmean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  floatInput("nanmean", x);
  const present = x.detach().eq(x.detach());
  return where(present, x, 0).sum(dim, keepdim).div(present.sum(dim, keepdim).to(x.dtype));
}

/** Whether every element over dims is non-zero (a bool tensor). */
export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return x.detach().eq(0).sum(normalizeDims(dim, x.shape, "all"), keepdim).eq(0);
}

/** Whether some element over dims is non-zero (a bool tensor). */
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return x.detach().ne(0).sum(normalizeDims(dim, x.shape, "any"), keepdim).gt(0);
}

/** The number of non-zero elements over dims, as int32. */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  return x.detach().ne(0).to("int32").sum(normalizeDims(dim, x.shape, "countNonzero"));
}
