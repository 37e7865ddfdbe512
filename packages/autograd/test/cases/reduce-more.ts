import fc from "fast-check";
import { arange, norm, normalize, stdMean, varMean, where, type Tensor } from "../../src/index";
import { POSITIVE, spec, shapeArb, shapeDimArb, type Case, type OpSpecs } from "../helpers";
import { mask } from "./pointwise";

const pos = (dim: number, nd: number) => (dim < 0 ? dim + nd : dim);

/** A shape with at least one dim, some of its dims (none: every dim), keepdim, and mask bits. */
const dimsCase: fc.Arbitrary<Case<{ dims: number[] | undefined; keepdim: boolean; bits: boolean[] }>> = shapeArb(1, 3).chain((shape) =>
  fc.record({
    shapes: fc.constant([shape]),
    arg: fc.record({
      dims: fc.option(fc.subarray(shape.map((_, d) => d), { minLength: 1 }).chain((ds) => fc.tuple(...ds.map((d) => fc.constantFrom(d, d - shape.length)))), { nil: undefined }),
      keepdim: fc.boolean(),
      bits: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
    }),
  }),
);

/** How many elements dims cover. */
const count = (shape: number[], dims: number[] | undefined) => (dims ?? shape.map((_, d) => d)).reduce((n, d) => n * shape[pos(d, shape.length)]!, 1);

/** At least two elements reduced, so that a variance with correction 1 is finite and non-zero. */
const spreadCase = dimsCase.filter((c) => count(c.shapes[0]!, c.arg.dims) >= 2);

const dimCase = shapeDimArb.chain(({ shape, dim, keepdim }) => fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }).map((bits) => ({ shapes: [shape], arg: { dim, keepdim, bits } })));

/** Some elements set to exactly 0 (bits false), where products and their gradients need care. */
const withZeros = (a: Tensor, bits: boolean[]) => a.mul(mask(a.shape, bits));
/** a plus distinct constants, so that no reduced group is constant (std's gradient is infinite there). */
const spread = (a: Tensor) => a.add(arange(0, a.numel, { dtype: "float64" }).mul(0.37).reshape(a.shape));
/** Some elements set to NaN (bits true). */
const withNaN = (a: Tensor, bits: boolean[]) => where(mask(a.shape, bits), NaN, a);

const normCase = dimsCase.chain((c) => fc.constantFrom<number | "fro">(2, "fro", 1, Infinity, -Infinity, 3, 1.5).map((p) => ({ ...c, arg: { ...c.arg, p } })));

/** A dim of a shape and a p for normalize, with some slices set to zero (bits false) so that eps decides them. */
const normalizeCase = dimCase.chain((c) => fc.constantFrom<number | "fro">(2, 1, 3, Infinity).map((p) => ({ ...c, arg: { ...c.arg, p } })));

const kCase = shapeDimArb.chain(({ shape, dim, keepdim }) => fc.integer({ min: 1, max: shape[pos(dim, shape.length)]! }).map((k) => ({ shapes: [shape], arg: { dim, keepdim, k } })));

/** gradcheck of the reductions, scans and order statistics composed from primitives. */
export const REDUCE_MORE_CHECKS: OpSpecs = {
  prod: [
    spec(dimsCase, ([a], { dims, keepdim }) => a!.prod(dims, keepdim)),
    spec(dimsCase, ([a], { dims, keepdim, bits }) => withZeros(a!, bits).prod(dims, keepdim)),
  ],
  variance: [
    spec(spreadCase, ([a], { dims, keepdim }) => a!.var(dims, { keepdim })),
    spec(dimsCase, ([a], { dims, keepdim }) => a!.var(dims, { correction: 0, keepdim })),
  ],
  std: spec(spreadCase, ([a], { dims, keepdim }) => spread(a!).std(dims, { keepdim })),
  varMean: spec(spreadCase, ([a], { dims, keepdim }) => varMean(a!, dims, { keepdim })),
  stdMean: spec(spreadCase, ([a], { dims, keepdim }) => stdMean(spread(a!), dims, { correction: 0, keepdim })),
  norm: [
    spec(normCase, ([a], { dims, keepdim, p }) => norm(a!, p, dims, keepdim)),
    spec(dimsCase, ([a], { dims, keepdim }) => a!.norm(0.5, dims, keepdim), { range: POSITIVE }),
  ],
  normalize: [
    spec(normalizeCase, ([a], { dim, p }) => normalize(a!, { p, dim })),
    spec(normalizeCase, ([a], { dim, bits }) => normalize(withZeros(a!, bits).sum(dim, true).mul(a!), { dim, eps: 0.3 })),
  ],
  nansum: spec(dimsCase, ([a], { dims, keepdim, bits }) => withNaN(a!, bits).nansum(dims, keepdim)),
  // every element but the first may be NaN: over all dims, some element is always left
  nanmean: spec(dimsCase, ([a], { keepdim, bits }) => withNaN(a!, [false, ...bits]).nanmean(undefined, keepdim)),
  cumsum: spec(dimCase, ([a], { dim }) => a!.cumsum(dim)),
  cumprod: [spec(dimCase, ([a], { dim }) => a!.cumprod(dim)), spec(dimCase, ([a], { dim, bits }) => withZeros(a!, bits).cumprod(dim))],
  logcumsumexp: spec(dimCase, ([a], { dim }) => a!.logcumsumexp(dim), { range: { low: -5, high: 5 } }),
  cummax: spec(dimCase, ([a], { dim }) => a!.cummax(dim)),
  cummin: spec(dimCase, ([a], { dim }) => a!.cummin(dim)),
  sort: [spec(dimCase, ([a], { dim }) => a!.sort(dim)), spec(dimCase, ([a], { dim }) => a!.sort(dim, { descending: true })[0])],
  topk: spec(kCase, ([a], { dim, k, keepdim }) => a!.topk(k, dim, { largest: keepdim })),
  kthvalue: spec(kCase, ([a], { dim, k, keepdim }) => a!.kthvalue(k, dim, keepdim)),
  // distinct values (repeats, where the choice is a real one, are in the PyTorch fixtures)
  mode: spec(dimCase, ([a], { dim, keepdim }) => a!.mode(dim, keepdim)),
  median: [spec(dimCase, ([a], { dim, keepdim }) => a!.median(dim, keepdim)), spec(dimCase, ([a]) => a!.median())],
};

