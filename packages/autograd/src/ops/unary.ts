import { primitive, rule } from "../core/op";
import { Tensor } from "../core/tensor";
import { input, map, none, output, requireFloat, unary } from "./pointwise";
import type { RuleTable } from "./primitives";

type Unary = (x: Tensor) => Tensor;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** The gradient of a piecewise-constant op: zeros, as PyTorch's (a recorded op, not a missing one). */
const zero = (_: unknown, g: Tensor) => Tensor.zeros(g.shape, g.dtype);

const rules = {
  sin: unary("sin", input, ({ x }, g) => g.mul(x.cos())), //                            d sin x = cos x dx
  cos: unary("cos", input, ({ x }, g) => g.mul(x.sin().neg())), //                      d cos x = -sin x dx
  tan: unary("tan", output, ({ y }, g) => g.mul(y.mul(y).add(1))), //                   d tan x = (1 + tan² x) dx
  asin: unary("asin", input, ({ x }, g) => g.div(x.mul(x).neg().add(1).sqrt())), //     d asin x = dx / √(1 - x²)
  acos: unary("acos", input, ({ x }, g) => g.div(x.mul(x).neg().add(1).sqrt()).neg()), // d acos x = -dx / √(1 - x²)
  atan: unary("atan", input, ({ x }, g) => g.div(x.mul(x).add(1))), //                  d atan x = dx / (1 + x²)
  sinh: unary("sinh", input, ({ x }, g) => g.mul(x.cosh())), //                         d sinh x = cosh x dx
  cosh: unary("cosh", input, ({ x }, g) => g.mul(x.sinh())), //                         d cosh x = sinh x dx
  asinh: unary("asinh", input, ({ x }, g) => g.div(x.mul(x).add(1).sqrt())), //         d asinh x = dx / √(x² + 1)
  acosh: unary("acosh", input, ({ x }, g) => g.div(x.mul(x).sub(1).sqrt())), //         d acosh x = dx / √(x² - 1)
  atanh: unary("atanh", input, ({ x }, g) => g.div(x.mul(x).neg().add(1))), //          d atanh x = dx / (1 - x²)
  log1p: unary("log1p", input, ({ x }, g) => g.div(x.add(1))), //                       d ln(1 + x) = dx / (1 + x)
  expm1: unary("expm1", output, ({ y }, g) => g.mul(y.add(1))), //                      d (e^x - 1) = e^x dx
  log2: unary("log2", input, ({ x }, g) => g.div(x.mul(Math.LN2))), //                  d log2 x = dx / (x ln 2)
  log10: unary("log10", input, ({ x }, g) => g.div(x.mul(Math.LN10))), //               d log10 x = dx / (x ln 10)
  exp2: unary("exp2", output, ({ y }, g) => g.mul(y.mul(Math.LN2))), //                 d 2^x = 2^x ln 2 dx
  erf: unary("erf", input, ({ x }, g) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))), //  d erf x = 2/√π e^(-x²) dx
  erfc: unary("erfc", input, ({ x }, g) => g.mul(x.mul(x).neg().exp().mul(-TWO_OVER_SQRT_PI))), // d erfc x = -2/√π e^(-x²) dx
  erfinv: unary("erfinv", output, ({ y }, g) => g.mul(y.mul(y).exp().mul(1 / TWO_OVER_SQRT_PI))), // d erfinv x = √π/2 e^(y²) dx
  sign: unary("sign", none, zero),
  floor: unary("floor", none, zero),
  ceil: unary("ceil", none, zero),
  round: unary("round", none, zero),
  trunc: unary("trunc", none, zero),
  logit: rule({
    forward(x: Tensor, eps: number | undefined) {
      requireFloat("logit", x);
      const [lo, hi] = eps === undefined ? [-Infinity, Infinity] : [eps, 1 - eps];
      return [map("logit", [x], x.dtype, lo, hi), { x, lo, hi }];
    },
    // d logit x = dx / (x (1 - x)) inside [eps, 1 - eps] (else 0), or inside [0, 1] (else NaN) without eps
    backward: ({ x, lo, hi }, g: Tensor) => [g.div(x.mul(x.neg().add(1))).where(x.ge(Math.max(lo, 0)).bitwiseAnd(x.le(Math.min(hi, 1))), lo < 0 ? NaN : 0)],
  }),
} satisfies RuleTable<"unary">;

/** Elementwise sine. */
export const sin: Unary = primitive("sin", rules.sin);
/** Elementwise cosine. */
export const cos: Unary = primitive("cos", rules.cos);
/** Elementwise tangent. */
export const tan: Unary = primitive("tan", rules.tan);
/** Elementwise arcsine. */
export const asin: Unary = primitive("asin", rules.asin);
/** Elementwise arccosine. */
export const acos: Unary = primitive("acos", rules.acos);
/** Elementwise arctangent. */
export const atan: Unary = primitive("atan", rules.atan);
/** Elementwise hyperbolic sine. */
export const sinh: Unary = primitive("sinh", rules.sinh);
/** Elementwise hyperbolic cosine. */
export const cosh: Unary = primitive("cosh", rules.cosh);
/** Elementwise inverse hyperbolic sine. */
export const asinh: Unary = primitive("asinh", rules.asinh);
/** Elementwise inverse hyperbolic cosine. */
export const acosh: Unary = primitive("acosh", rules.acosh);
/** Elementwise inverse hyperbolic tangent. */
export const atanh: Unary = primitive("atanh", rules.atanh);
/** Elementwise log(1 + x), accurate near 0. */
export const log1p: Unary = primitive("log1p", rules.log1p);
/** Elementwise e^x - 1, accurate near 0. */
export const expm1: Unary = primitive("expm1", rules.expm1);
/** Elementwise base-2 logarithm. */
export const log2: Unary = primitive("log2", rules.log2);
/** Elementwise base-10 logarithm. */
export const log10: Unary = primitive("log10", rules.log10);
/** Elementwise 2^x. */
export const exp2: Unary = primitive("exp2", rules.exp2);
/** Elementwise error function. */
export const erf: Unary = primitive("erf", rules.erf);
/** Elementwise complementary error function 1 - erf(x). */
export const erfc: Unary = primitive("erfc", rules.erfc);
/** Elementwise inverse error function. */
export const erfinv: Unary = primitive("erfinv", rules.erfinv);
/** -1, 0 or 1 (NaN stays NaN, ±0 stay); a zero gradient, as PyTorch. */
export const sign: Unary = primitive("sign", rules.sign);
/** Elementwise round down (zero gradient). */
export const floor: Unary = primitive("floor", rules.floor);
/** Elementwise round up (zero gradient). */
export const ceil: Unary = primitive("ceil", rules.ceil);
/** To the nearest integer, halves to even (as PyTorch). */
export const round: Unary = primitive("round", rules.round);
/** Elementwise round toward zero (zero gradient). */
export const trunc: Unary = primitive("trunc", rules.trunc);
/** log(x / (1 - x)), with x first clamped to [eps, 1 - eps] when eps is given (PyTorch's logit). */
export const logit: (x: Tensor, eps?: number) => Tensor = primitive("logit", rules.logit);
