import { fmt, normalizeDim, normalizeDims } from "../core/shape";
import { checkNumber, checkTensor } from "../core/validate";
import type { Tensor } from "../core/tensor";
import { requireFloat, where } from "./pointwise";
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

/** Options of `normalize`. */
export interface NormalizeOptions {
  /** The exponent of the norm (2). */
  p?: number | "fro";
  /** The dim normalized over (1). */
  dim?: number;
  /** The smallest denominator (1e-12), so that a zero slice stays zero. */
  eps?: number;
}

/** torch.nn.functional.normalize: x / max(‖x‖_p over dim, eps), differentiable through norm and clamp. */
export function normalize(x: Tensor, opts: NormalizeOptions = {}): Tensor {
  checkTensor("normalize", "the input", x);
  const { p = 2, dim = 1, eps = 1e-12 } = opts;
  checkNumber("normalize", "eps", eps, false);
  requireFloat("normalize", x);
  const d = normalizeDim(dim, x.shape, "normalize");
  return x.div(norm(x, p, d, true).clamp(eps));
}
