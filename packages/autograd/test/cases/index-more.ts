import fc from "fast-check";
import { index, indexPut, maskedFill, maskedSelect, scatter, scatterReduce, take, takeAlongDim, tensor, zeros, type ScatterReduction } from "../../src/index";
import { spec, shapeArb, shapeDimArb, type Case, type OpSpecs } from "../helpers";
import { mask } from "./pointwise";

const pos = (dim: number, nd: number) => (dim < 0 ? dim + nd : dim);
const int32 = (data: number[], shape: number[] = [data.length]) => tensor(Int32Array.from(data), { shape });
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
const bitsArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 6 });

/** x, src and an index no larger than either (outside dim: than x); values in range, repeats allowed. */
const scatterCase: fc.Arbitrary<Case<{ dim: number; indexShape: number[]; index: number[] }>> = shapeDimArb.chain(({ shape, dim }) => {
  const d = pos(dim, shape.length);
  return fc.tuple(...shape.map((s, i) => fc.integer({ min: 1, max: i === d ? 3 : s }))).chain((indexShape) =>
    fc
      .array(fc.integer({ min: 0, max: shape[d]! - 1 }), { minLength: numel(indexShape), maxLength: numel(indexShape) })
      .map((index) => ({ shapes: [shape, indexShape], arg: { dim, indexShape, index } })),
  );
});

/** Index values for every position of indexShape along dim with no position of x named twice in one line. */
const uniqueScatterCase = scatterCase.filter(({ arg: { indexShape, index, dim } }) => {
  const d = pos(dim, indexShape.length);
  const seen = new Set<string>();
  return index.every((v, k) => {
    const coord = indexShape.map((_, j) => Math.floor(k / numel(indexShape.slice(j + 1))) % indexShape[j]!);
    coord[d] = v;
    const key = coord.join();
    return !seen.has(key) && !!seen.add(key);
  });
});

/** x of 1-3 dims and one or two int32 index tensors (broadcasting, negative values) with optional nulls. */
const advancedCase = shapeArb(1, 3).chain((shape) =>
  fc.tuple(...shape.map(() => fc.boolean()), fc.constantFrom([[1], [3]], [[2], [1]], [[2, 1], [3]], [[1, 3], [2, 1]], [[2], [2, 1]]), fc.integer({ min: 0, max: 2 ** 30 })).map((parts) => {
    const picks = parts.slice(0, shape.length) as boolean[];
    const [[shapeA, shapeB], seed] = parts.slice(shape.length) as [number[][], number];
    if (!picks.some(Boolean)) picks[0] = true;
    let nth = 0;
    const indices = shape.map((s, d) => {
      if (!picks[d]) return null;
      const ishape = nth++ === 0 ? shapeA : shapeB;
      return { shape: ishape, data: Array.from({ length: numel(ishape) }, (_, k) => ((seed >> (k + d)) % (2 * s)) - s) };
    });
    return { shapes: [shape], arg: indices };
  }),
);

type IndexArg = ({ shape: number[]; data: number[] } | null)[];
const toIndices = (arg: IndexArg) => arg.map((i) => (i ? int32(i.data, i.shape) : null));
const REDUCTIONS: ScatterReduction[] = ["sum", "prod", "mean", "amax", "amin"];

/** gradcheck of masking, scattering and advanced indexing. */
export const INDEX_MORE_CHECKS: OpSpecs = {
  maskedFill: spec(
    shapeArb().chain((s) => fc.tuple(bitsArb, fc.boolean()).map(([bits, tensorValue]) => ({ shapes: tensorValue ? [s, []] : [s], arg: bits }))),
    ([a, v], bits) => maskedFill(a!, mask(a!.shape.slice(1), bits), v ?? -1.5),
  ),
  maskedSelect: spec(shapeArb().chain((s) => bitsArb.map((bits) => ({ shapes: [s], arg: bits }))), ([a], bits) => maskedSelect(a!, mask(a!.shape, bits))),
  take: spec(
    shapeArb().chain((s) => fc.array(fc.integer({ min: -numel(s), max: numel(s) - 1 }), { minLength: 1, maxLength: 5 }).map((i) => ({ shapes: [s], arg: i }))),
    ([a], i) => take(a!, int32(i)),
  ),
  // x as large as the indices outside dim, or larger where the indices have size 1 (broadcast)
  takeAlongDim: spec(
    scatterCase.map(({ shapes: [x], arg }) => ({ shapes: [x!.map((s, i) => (i === pos(arg.dim, x!.length) || arg.indexShape[i] === 1 ? s : arg.indexShape[i]!))], arg })),
    ([a], { dim, indexShape, index }) => takeAlongDim(a!, int32(index, indexShape), dim),
  ),
  scatter: [
    spec(uniqueScatterCase, ([a, src], { dim, indexShape, index }) => scatter(a!, dim, int32(index, indexShape), src!)),
    spec(scatterCase, ([a], { dim, indexShape, index }) => scatter(a!, dim, int32(index, indexShape), 0.5)),
  ],
  scatterReduce: spec(
    scatterCase.chain((c) => fc.tuple(fc.constantFrom(...REDUCTIONS), fc.boolean()).map(([reduce, includeSelf]) => ({ ...c, arg: { ...c.arg, reduce, includeSelf } }))),
    ([a, src], { dim, indexShape, index, reduce, includeSelf }) => scatterReduce(a!, dim, int32(index, indexShape), src!, reduce, { includeSelf }),
  ),
  index: spec(advancedCase, ([a], arg) => index(a!, toIndices(arg))),
  indexPut: [
    spec(advancedCase, ([a], arg) => {
      const indices = toIndices(arg);
      return indexPut(a!, indices, index(a!, indices).mul(2).add(1), { accumulate: true });
    }),
    spec(
      // values of the shape of x[indices]'s last dim, broadcast over the rest
      advancedCase.map((c) => ({ ...c, shapes: [c.shapes[0]!, index(zeros(c.shapes[0]!), toIndices(c.arg)).shape.slice(-1)] })),
      ([a, v], arg) => indexPut(a!, toIndices(arg), v!),
    ),
  ],
};
