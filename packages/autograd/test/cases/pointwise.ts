import fc from "fast-check";
import { tensor, where, type Tensor } from "../../src/index";
import { ANY, broadcastShapesArb, spec, POSITIVE, shapeArb, shapesOnly, type OpSpecs } from "../helpers";

const one = shapesOnly(shapeArb().map((s) => [s]));
const two = shapesOnly(broadcastShapesArb(2));

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
};
