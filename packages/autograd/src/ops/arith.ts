import { Tensor } from "../core/tensor";
import { div, where, type Operand } from "./pointwise";
import { isfinite, isnan } from "./predicates";

/* Elementwise arithmetic written from primitives: the gradients come from the tape. */

/** 1 / x. */
export const reciprocal = (x: Tensor): Tensor => div(1, x);
/** 1 / √x. */
export const rsqrt = (x: Tensor): Tensor => div(1, x.sqrt());
/** x · x. */
export const square = (x: Tensor): Tensor => x.mul(x);
/** x - trunc(x): the fractional part with the sign of x; its gradient is 1. */
export const frac = (x: Tensor): Tensor => x.sub(x.trunc());

/**
 * start + weight (end - start), evaluated as PyTorch does for accuracy at both ends:
 * end - (end - start)(1 - weight) where |weight| >= 0.5.
 */
export function lerp(start: Tensor, end: Tensor, weight: Operand): Tensor {
  const diff = end.sub(start);
  const near = (w: Operand) => start.add(diff.mul(w));
  const far = (w: Operand) => end.sub(diff.mul(typeof w === "number" ? 1 - w : w.neg().add(1)));
  if (typeof weight === "number") return Math.abs(weight) < 0.5 ? near(weight) : far(weight);
  // each branch sees a harmless weight where the other is taken: no inf·0 = NaN in the gradient
  const small = weight.abs().lt(0.5);
  return where(small, near(where(small, weight, 0)), far(where(small, 1, weight)));
}

/** Options of {@link addcmul} and {@link addcdiv}. */
export interface AddcOptions {
  /** The factor of the product or quotient (1 by default). */
  value?: number;
}

/** input + value · t1 · t2 (out of place, differentiable). */
export function addcmul(input: Tensor, t1: Tensor, t2: Tensor, opts: AddcOptions = {}): Tensor {
  return t1.mul(opts.value ?? 1).mul(t2).add(input);
}

/** input + value · t1 / t2 (out of place, differentiable). */
export function addcdiv(input: Tensor, t1: Tensor, t2: Tensor, opts: AddcOptions = {}): Tensor {
  return t1.mul(opts.value ?? 1).div(t2).add(input);
}

/** Options of {@link nanToNum}. */
export interface NanToNumOptions {
  /** Replaces NaN (0 by default). */
  nan?: number;
  /** Replaces +Infinity (the dtype's largest finite value by default). */
  posinf?: number;
  /** Replaces -Infinity (the dtype's smallest finite value by default). */
  neginf?: number;
}

const LARGEST = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE } as const;

/** NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest finite values by default); gradient 1 where x is finite, else 0. */
export function nanToNum(x: Tensor, opts: NanToNumOptions = {}): Tensor {
  if (x.dtype !== "float32" && x.dtype !== "float64") return x.clone();
  const largest = LARGEST[x.dtype];
  const { nan = 0, posinf = largest, neginf = -largest } = opts;
  const replacement = where(isnan(x), nan, where(x.gt(0), Tensor.scalar(posinf, x.dtype), neginf));
  return where(isfinite(x), x, replacement);
}
