import { Tensor } from "../core/tensor";
import { where } from "./pointwise";
import { erf } from "./unary";

/*
 * Activations written from primitives, with PyTorch's values and its gradient at every kink: a
 * `where` picks the branch PyTorch's backward uses at the boundary.
 */

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/** Options of {@link softplus}. */
export interface SoftplusOptions {
  /** β in log(1 + e^(βx)) / β (1 by default). */
  beta?: number;
  /** Above βx > threshold the result is x (20 by default). */
  threshold?: number;
}

/** log(1 + e^(βx)) / β, and x itself where βx > threshold (PyTorch's defaults β = 1, threshold = 20). */
export function softplus(x: Tensor, opts: SoftplusOptions = {}): Tensor {
  const { beta = 1, threshold = 20 } = opts;
  const bx = x.mul(beta);
  // the exp reads a clamped copy: the branch not taken must not send inf·0 = NaN back
  return where(bx.gt(threshold), x, bx.clamp(undefined, threshold).exp().log1p().div(beta));
}

/** log σ(x) = min(x, 0) - log(1 + e^-|x|). */
export function logsigmoid(x: Tensor): Tensor {
  return x.minimum(0).sub(x.abs().neg().exp().log1p());
}

/** x σ(x). */
export function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** "none" (default): x · Φ(x) with the exact normal CDF; "tanh": PyTorch's tanh approximation. */
  approximate?: "none" | "tanh";
}

/** x Φ(x); with approximate "tanh", 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))). */
export function gelu(x: Tensor, opts: GeluOptions = {}): Tensor {
  const approximate = opts.approximate ?? "none";
  if (approximate === "none") return x.mul(0.5).mul(erf(x.mul(Math.SQRT1_2)).add(1));
  if (approximate === "tanh") return x.mul(0.5).mul(x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh().add(1));
  throw new Error(`gelu: unknown approximate ${JSON.stringify(approximate)}; expected "none" or "tanh"`);
}

/** x tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return x.mul(softplus(x).tanh());
}

/**
 * x for x > 0, else α (e^x - 1) (as PyTorch computes it: exp, not expm1); the gradient at 0 is α.
 * The exp reads x clamped to <= 0 so that the branch not taken never overflows into inf·0 = NaN.
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  return where(x.gt(0), x, x.clamp(undefined, 0).exp().sub(1).mul(alpha));
}

/** scale · elu(x, α) with PyTorch's constants. */
export function selu(x: Tensor): Tensor {
  return elu(x, SELU_ALPHA).mul(SELU_SCALE);
}

/** x for x > 0, else α (e^(x/α) - 1), computed as elu. */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (alpha === 0) throw new Error("celu: alpha must not be 0");
  return where(x.gt(0), x, x.div(alpha).clamp(undefined, 0).exp().sub(1).mul(alpha));
}

/** x for x > 0, else negativeSlope · x (the slope also at 0, as PyTorch). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(negativeSlope));
}

/** x clamped to [minVal, maxVal]; the gradient passes strictly inside only (not at the bounds, nor at NaN), as PyTorch's. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (minVal > maxVal) throw new Error(`hardtanh: minVal ${minVal} is greater than maxVal ${maxVal}`);
  return where(x.gt(minVal).bitwiseAnd(x.lt(maxVal)), x, x.detach().clamp(minVal, maxVal));
}

/** hardtanh(x, 0, 6). */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/** relu6(x + 3) / 6. */
export function hardsigmoid(x: Tensor): Tensor {
  return relu6(x.add(3)).div(6);
}

/** x · relu6(x + 3) / 6; the gradient x/3 + 1/2 on [-3, 3], bounds included (PyTorch's scalar kernel). */
export function hardswish(x: Tensor): Tensor {
  const inner = x.clamp(-3, 3); // finite in the branch not taken, so no inf·0 = NaN flows back
  return where(x.lt(-3), x.mul(0), where(x.le(3), inner.mul(inner.add(3)).div(6), x));
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return x.div(x.abs().add(1));
}
