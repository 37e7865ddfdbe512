import { fmt, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { map, operands, type Operand } from "./pointwise";

/** Bool masks of the elements that are NaN, ±inf, or neither. */
export const isnan = (x: Tensor): Tensor => map("isnan", [x], "bool");
/** Elementwise ±Infinity test, as a bool tensor. */
export const isinf = (x: Tensor): Tensor => map("isinf", [x], "bool");
/** Elementwise test for a finite value, as a bool tensor. */
export const isfinite = (x: Tensor): Tensor => map("isfinite", [x], "bool");

/** Options of {@link isclose} and {@link allclose}. */
export interface IscloseOptions {
  /** Relative tolerance (1e-5 by default). */
  rtol?: number;
  /** Absolute tolerance (1e-8 by default). */
  atol?: number;
  /** Count NaN as close to NaN (false by default). */
  equalNan?: boolean;
}

/** |a - b| <= atol + rtol·|b| elementwise (broadcasting), as a bool mask; equal infinities are close. PyTorch's defaults. */
export function isclose(a: Operand, b: Operand, opts: IscloseOptions = {}): Tensor {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  if (!(rtol >= 0) || !(atol >= 0)) throw new Error(`isclose: rtol and atol must be non-negative, got rtol ${rtol} and atol ${atol}`);
  return map(equalNan ? "iscloseNan" : "isclose", operands("isclose", a, b), "bool", rtol, atol);
}

/** Whether every element of a is close to b's (see isclose). */
export function allclose(a: Operand, b: Operand, opts: IscloseOptions = {}): boolean {
  return isclose(a, b, opts).data().every((v) => v === 1);
}

/** Whether a and b have the same shape and elements (NaN equals nothing). Same dtype required. */
export function equal(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype) throw new Error(`equal: dtype mismatch: ${a.dtype} (shape ${fmt(a.shape)}) and ${b.dtype} (shape ${fmt(b.shape)})`);
  return sameShape(a.shape, b.shape) && a.eq(b).data().every((v) => v === 1);
}
