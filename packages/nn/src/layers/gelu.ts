import { customOp, tensor, type OpContext, type Tensor } from "@tapegrad/autograd";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) in float64 to within a few ulp: for |x| < 3 the series
 * erf(x) = 2/√π e^(-x²) Σ 2ⁿ x^(2n+1) / (1·3···(2n+1)) (all terms positive, no cancellation);
 * beyond, 1 - erfc(x) with erfc's continued fraction (modified Lentz).
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 3) return Math.sign(x) * (1 - erfcContinuedFraction(a));
  let term = a;
  let sum = a;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
}

/** erfc(x) for x >= 3: e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). */
function erfcContinuedFraction(x: number): number {
  if (x > 27) return 0;
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = x + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** The error function as an op: d erf(x) = 2/√π e^(-x²) dx (written with ops, so it differentiates again). */
export const erf = customOp({
  name: "erf",
  forward(ctx: OpContext, x: Tensor): Tensor {
    ctx.save(x);
    return tensor(Array.from(x.data(), erfScalar), { shape: x.shape, dtype: x.dtype });
  },
  backward(ctx: OpContext, g: Tensor): Tensor {
    const [x] = ctx.saved as [Tensor];
    return g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI));
  },
});

/** Exact GELU, x Φ(x) = x/2 (1 + erf(x/√2)), as PyTorch's gelu with approximate="none". */
export function gelu(x: Tensor): Tensor {
  return x.mul(erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}
