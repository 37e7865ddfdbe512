import { fmt, normalizeDims } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { where } from "./pointwise";
import type { Dims } from "./reduce";

/** r(s) where s > 0, else 0, with no NaN in the gradient where s = 0 (the r branch sees 1 there). */
function atNonZero(s: Tensor, r: (t: Tensor) => Tensor): Tensor {
  const zero = s.detach().eq(0);
  return where(zero, 0, r(where(zero, 1, s)));
}

/**
 * The p-norm over dims (every dim when undefined): p = "fro" or 2 (Euclidean), 1, Infinity
 * (largest |x|), -Infinity (smallest |x|), 0 (number of non-zeros) or any other number
 * (Σ|x|^p)^(1/p). As in PyTorch, the gradient at a zero norm is 0.
 */
export function norm(x: Tensor, p: number | "fro" = "fro", dim?: Dims, keepdim = false): Tensor {
  if (x.dtype === "int32") throw new Error(`norm: expected a float tensor, got int32 (shape ${fmt(x.shape)}); convert with .to("float32")`);
  if (p !== "fro" && (typeof p !== "number" || Number.isNaN(p))) throw new Error(`norm: p must be a number or "fro", got ${String(p)}`);
  const dims = normalizeDims(dim, x.shape, "norm");
  const a = x.abs();
  if (p === "fro" || p === 2) return atNonZero(x.mul(x).sum(dims, keepdim), (s) => s.sqrt());
  if (p === 1) return a.sum(dims, keepdim);
  if (p === Infinity) return a.amax(dims, keepdim);
  if (p === -Infinity) return a.neg().amax(dims, keepdim).neg();
  if (p === 0) return a.detach().ne(0).sum(dims, keepdim);
  return atNonZero(a.pow(p).sum(dims, keepdim), (s) => s.pow(1 / p));
}
