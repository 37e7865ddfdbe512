import { isTensor, noGrad, type Tensor } from "@tapegrad/autograd";
import { requireNonNegative } from "./options";

/** The p of the norm: a number, or "inf" (or Infinity) for the largest absolute value. */
export type NormType = number | "inf";

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of returning it. Default false. */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = isTensor(params) ? [params] : [...params];
  list.forEach((p, i) => {
    if (!isTensor(p)) throw new Error(`${op}: parameter ${i} is not a Tensor (got ${typeof p})`);
  });
  return list.flatMap((p) => (p.grad ? [p.grad] : []));
}

/** ‖g‖_p of one tensor: sqrt(Σg²) for p = 2, max|g| for Infinity, (Σ|g|^p)^(1/p) otherwise. */
function norm(g: Tensor, p: number): number {
  if (g.numel === 0) return 0;
  if (p === Infinity) return g.abs().max().item();
  if (p === 2) return Math.sqrt(g.mul(g).sum().item());
  if (p === 1) return g.abs().sum().item();
  return g.abs().pow(p).sum().item() ** (1 / p);
}

function combine(norms: number[], p: number): number {
  if (p === Infinity) return norms.reduce((acc, n) => Math.max(acc, n), 0);
  if (p === 2) return Math.sqrt(norms.reduce((acc, n) => acc + n * n, 0));
  return norms.reduce((acc, n) => acc + n ** p, 0) ** (1 / p);
}

/**
 * Scales the gradients in place so that their total norm (all gradients taken as one vector)
 * is at most maxNorm: each is multiplied by min(1, maxNorm / (total + 1e-6)), as in PyTorch.
 * Returns the total norm before clipping.
 *
 * A NaN or infinite total norm is returned as it is and the gradients are left unchanged (PyTorch
 * would turn them into NaN): check `Number.isFinite(total)` and skip the step, or pass
 * `errorIfNonfinite: true` to get an error instead.
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType: NormType = 2, opts: ClipGradNormOptions = {}): number {
  requireNonNegative("clipGradNorm", "maxNorm", maxNorm);
  const p = normType === "inf" ? Infinity : normType;
  if (typeof p !== "number" || !(p > 0)) throw new Error(`clipGradNorm: normType must be a positive number or "inf", got ${String(normType)}`);
  const grads = gradsOf("clipGradNorm", params);
  if (grads.length === 0) return 0;
  return noGrad(() => {
    const total = combine(grads.map((g) => norm(g, p)), p);
    if (!Number.isFinite(total)) {
      if (opts.errorIfNonfinite) {
        throw new Error(`clipGradNorm: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped (shapes ${grads.map((g) => `[${g.shape}]`).join(", ")})`);
      }
      return total;
    }
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient element into [-clipValue, clipValue] in place. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  requireNonNegative("clipGradValue", "clipValue", clipValue);
  const grads = gradsOf("clipGradValue", params);
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}
