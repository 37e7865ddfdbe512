import fc from "fast-check";
import {
  addcdiv, addcmul, atan2, celu, copysign, elu, fmod, gelu, hardsigmoid, hardswish, hardtanh, hypot, leakyRelu, lerp, logaddexp,
  logaddexp2, logit, logsigmoid, mish, nanToNum, relu6, remainder, selu, silu, softplus, softsign, tensor, where, xlogy, type Tensor,
} from "../../src/index";
import { ANY, broadcastShapesArb, spec, POSITIVE, shapeArb, shapesOnly, type OpSpecs } from "../helpers";

const one = shapesOnly(shapeArb().map((s) => [s]));
const two = shapesOnly(broadcastShapesArb(2));
const three = shapesOnly(broadcastShapesArb(3));
const OPEN_UNIT = { low: -0.9, high: 0.9 };
const ABOVE_ONE = { low: 1.2, high: 3 };
const PROBABILITY = { low: 0.1, high: 0.9 };
/** A number argument drawn from the given values. */
const withArg = <A>(...values: A[]) => one.chain((c) => fc.constantFrom(...values).map((arg) => ({ ...c, arg })));

/** A 0/1 float64 mask of `shape` from generated bits (bits repeat when too short). */
export function mask(shape: readonly number[], bits: readonly boolean[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, (_, i) => (bits[i % bits.length] ? 1 : 0)), { shape: [...shape] });
}

const clampBounds = fc
  .tuple(fc.option(fc.double({ min: -1.5, max: 0, noNaN: true })), fc.option(fc.double({ min: 0.1, max: 1.5, noNaN: true })))
  .filter(([lo, hi]) => lo !== null || hi !== null);

/** gradcheck of every elementwise op with a backward, one line each. */
export const POINTWISE_CHECKS: OpSpecs = {
  neg: spec(one, ([a]) => a!.neg()),
  exp: spec(one, ([a]) => a!.exp()),
  log: spec(one, ([a]) => a!.log(), { range: POSITIVE }),
  sqrt: spec(one, ([a]) => a!.sqrt(), { range: POSITIVE }),
  abs: spec(one, ([a]) => a!.abs()),
  tanh: spec(one, ([a]) => a!.tanh()),
  sigmoid: spec(one, ([a]) => a!.sigmoid()),
  relu: spec(one, ([a]) => a!.relu()),
  add: spec(two, ([a, b]) => a!.add(b!)),
  sub: spec(two, ([a, b]) => a!.sub(b!)),
  mul: spec(two, ([a, b]) => a!.mul(b!)),
  div: spec(two, ([a, b]) => a!.div(b!), { range: [ANY, POSITIVE] }),
  maximum: spec(two, ([a, b]) => a!.maximum(b!)),
  minimum: spec(two, ([a, b]) => a!.minimum(b!)),
  pow: spec(two, ([a, b]) => a!.pow(b!), { range: [POSITIVE, ANY] }),
  powScalar: 
    spec(
      one.chain((c) => fc.constantFrom(3, 2, 0.5, -1.5, 0, 1).map((p) => ({ ...c, arg: p }))),
      ([a], p) => a!.pow(p),
      { range: POSITIVE },
    ),
  clamp: spec(one.chain((c) => clampBounds.map((b) => ({ ...c, arg: b }))), ([a], [lo, hi]) => a!.clamp(lo ?? undefined, hi ?? undefined)),
  where: 
    spec(
      broadcastShapesArb(3).chain((shapes) => fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }).map((bits) => ({ shapes: shapes.slice(1), arg: { shape: shapes[0]!, bits } }))),
      ([a, b], { shape, bits }) => where(mask(shape, bits), a!, b!),
    ),
  // float64 -> float32 -> float64 rounds to float32, so the differences need a wide step
  cast: spec(one, ([a]) => a!.to("float32").to("float64"), { eps: 1e-3, atol: 1e-3 }),

  sin: spec(one, ([a]) => a!.sin()),
  cos: spec(one, ([a]) => a!.cos()),
  tan: spec(one, ([a]) => a!.tan(), { range: OPEN_UNIT }),
  asin: spec(one, ([a]) => a!.asin(), { range: OPEN_UNIT }),
  acos: spec(one, ([a]) => a!.acos(), { range: OPEN_UNIT }),
  atan: spec(one, ([a]) => a!.atan()),
  sinh: spec(one, ([a]) => a!.sinh()),
  cosh: spec(one, ([a]) => a!.cosh()),
  asinh: spec(one, ([a]) => a!.asinh()),
  acosh: spec(one, ([a]) => a!.acosh(), { range: ABOVE_ONE }),
  atanh: spec(one, ([a]) => a!.atanh(), { range: OPEN_UNIT }),
  log1p: spec(one, ([a]) => a!.log1p(), { range: POSITIVE }),
  expm1: spec(one, ([a]) => a!.expm1()),
  log2: spec(one, ([a]) => a!.log2(), { range: POSITIVE }),
  log10: spec(one, ([a]) => a!.log10(), { range: POSITIVE }),
  exp2: spec(one, ([a]) => a!.exp2()),
  erf: spec(one, ([a]) => a!.erf()),
  erfc: spec(one, ([a]) => a!.erfc()),
  erfinv: spec(one, ([a]) => a!.erfinv(), { range: OPEN_UNIT }),
  // piecewise constant: a zero gradient (values a step apart from every jump)
  sign: spec(one, ([a]) => a!.sign()),
  floor: spec(one, ([a]) => a!.floor()),
  ceil: spec(one, ([a]) => a!.ceil()),
  round: spec(one, ([a]) => a!.round()),
  trunc: spec(one, ([a]) => a!.trunc()),
  logit: [spec(one, ([a]) => logit(a!), { range: PROBABILITY }), spec(withArg(0.2, 0.3), ([a], eps) => logit(a!, eps), { range: PROBABILITY })],
  atan2: spec(two, ([a, b]) => atan2(a!, b!), { range: [ANY, POSITIVE] }),
  fmod: spec(two, ([a, b]) => fmod(a!, b!), { range: [ANY, POSITIVE] }),
  remainder: spec(two, ([a, b]) => remainder(a!, b!), { range: [ANY, POSITIVE] }),
  hypot: spec(two, ([a, b]) => hypot(a!, b!)),
  copysign: spec(two, ([a, b]) => copysign(a!, b!)),
  logaddexp: spec(two, ([a, b]) => logaddexp(a!, b!)),
  logaddexp2: spec(two, ([a, b]) => logaddexp2(a!, b!)),
  xlogy: spec(two, ([a, b]) => xlogy(a!, b!), { range: [ANY, POSITIVE] }),
  divTrunc: spec(two, ([a, b]) => a!.div(b!, { roundingMode: "trunc" }), { range: [ANY, POSITIVE] }),
  divFloor: spec(two, ([a, b]) => a!.div(b!, { roundingMode: "floor" }), { range: [ANY, POSITIVE] }),

  // composites
  reciprocal: spec(one, ([a]) => a!.reciprocal(), { range: POSITIVE }),
  rsqrt: spec(one, ([a]) => a!.rsqrt(), { range: POSITIVE }),
  square: spec(one, ([a]) => a!.square()),
  frac: spec(one, ([a]) => a!.frac()),
  lerp: [spec(three, ([a, b, w]) => lerp(a!, b!, w!)), spec(shapesOnly(broadcastShapesArb(2)).chain((c) => fc.constantFrom(0.25, 0.75).map((arg) => ({ ...c, arg }))), ([a, b], w) => lerp(a!, b!, w))],
  addcmul: spec(three, ([a, b, c]) => addcmul(a!, b!, c!, { value: 0.7 })),
  addcdiv: spec(three, ([a, b, c]) => addcdiv(a!, b!, c!, { value: -1.5 }), { range: [ANY, ANY, POSITIVE] }),
  nanToNum: spec(one, ([a]) => nanToNum(a!.log()), { range: { low: -1, high: 2 } }),
  softplus: [spec(one, ([a]) => softplus(a!)), spec(one, ([a]) => softplus(a!, { beta: 2, threshold: 1 }))],
  logsigmoid: spec(one, ([a]) => logsigmoid(a!)),
  silu: spec(one, ([a]) => silu(a!)),
  gelu: [spec(one, ([a]) => gelu(a!)), spec(one, ([a]) => gelu(a!, { approximate: "tanh" }))],
  mish: spec(one, ([a]) => mish(a!)),
  elu: spec(withArg(1, 0.5), ([a], alpha) => elu(a!, alpha)),
  selu: spec(one, ([a]) => selu(a!)),
  celu: spec(withArg(1, 2), ([a], alpha) => celu(a!, alpha)),
  leakyRelu: spec(withArg(0.01, 0.2), ([a], slope) => leakyRelu(a!, slope)),
  hardtanh: spec(one, ([a]) => hardtanh(a!, -0.5, 1)),
  relu6: spec(one, ([a]) => relu6(a!.mul(4))),
  hardsigmoid: spec(one, ([a]) => hardsigmoid(a!.mul(2))),
  hardswish: spec(one, ([a]) => hardswish(a!.mul(2))),
  softsign: spec(one, ([a]) => softsign(a!)),
};
