import fc from "fast-check";
import { amax, amin, linear, logSumExp } from "../../src/index";
import { REDUCE_MORE_CHECKS } from "./reduce-more";
import { broadcastableTo, spec, dimSize, shapeArb, shapeDimArb, type Case, type OpSpecs } from "../helpers";

/** A shape, a list of its dims (possibly negative, possibly none = every dim) and keepdim. */
const dimsCase: fc.Arbitrary<Case<{ dims: number[] | undefined; keepdim: boolean }>> = shapeArb().chain((shape) =>
  fc.record({
    shapes: fc.constant([shape]),
    arg: fc.record({
      dims:
        shape.length === 0
          ? fc.constant(undefined)
          : fc.option(fc.subarray(shape.map((_, d) => d), { minLength: 1 }).chain((ds) => fc.tuple(...ds.map((d) => fc.constantFrom(d, d - shape.length)))), { nil: undefined }),
      keepdim: fc.boolean(),
    }),
  }),
);

const dimCase = shapeDimArb.map(({ shape, dim, keepdim }) => ({ shapes: [shape], arg: { dim, keepdim } }));

/** torch.matmul operands: 1-D, 2-D and batched with broadcast batch dims. */
const matmulCase: fc.Arbitrary<Case<null>> = fc
  .record({ m: dimSize, k: dimSize, n: dimSize, batch: shapeArb(0, 2), aVec: fc.boolean(), bVec: fc.boolean() })
  .chain(({ m, k, n, batch, aVec, bVec }) =>
    fc.tuple(broadcastableTo(batch), broadcastableTo(batch)).map(([ba, bb]) => ({
      shapes: [aVec ? [k] : [...ba, m, k], bVec ? [k] : [...bb, k, n]],
      arg: null,
    })),
  );

/** linear: x (..., in), W (out, in) and, with bias, a b that broadcasts to the output (..., out). */
const linearCase = (bias: boolean): fc.Arbitrary<Case<null>> =>
  fc.record({ lead: shapeArb(0, 2), k: dimSize, n: dimSize }).chain(({ lead, k, n }) =>
    (bias ? broadcastableTo([...lead, n]) : fc.constant(null)).map((b) => ({ shapes: b ? [[...lead, k], [n, k], b] : [[...lead, k], [n, k]], arg: null })),
  );

/** gradcheck of the reductions and matmul (primitives first, then composites). */
export const REDUCE_CHECKS: OpSpecs = {
  sum: spec(dimsCase, ([a], { dims, keepdim }) => a!.sum(dims, keepdim)),
  max: [spec(dimCase, ([a], { dim, keepdim }) => a!.max(dim, keepdim)), spec(dimCase, ([a]) => a!.max())],
  min: [spec(dimCase, ([a], { dim, keepdim }) => a!.min(dim, keepdim)), spec(dimCase, ([a]) => a!.min())],
  matmul: spec(matmulCase, ([a, b]) => a!.matmul(b!)),
  linear: [spec(linearCase(true), ([x, w, b]) => linear(x!, w!, b!)), spec(linearCase(false), ([x, w]) => linear(x!, w!))],
  mean: spec(dimsCase, ([a], { dims, keepdim }) => a!.mean(dims, keepdim)),
  amax: spec(dimsCase, ([a], { dims, keepdim }) => amax(a!, dims, keepdim)),
  amin: spec(dimsCase, ([a], { dims, keepdim }) => amin(a!, dims, keepdim)),
  logSumExp: spec(dimsCase, ([a], { dims, keepdim }) => logSumExp(a!, dims, keepdim)),
  softmax: spec(dimCase, ([a], { dim }) => a!.softmax(dim)),
  logSoftmax: spec(dimCase, ([a], { dim }) => a!.logSoftmax(dim)),
  ...REDUCE_MORE_CHECKS,
};
