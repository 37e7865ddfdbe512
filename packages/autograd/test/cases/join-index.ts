import fc from "fast-check";
import { cat, chunk, gather, indexSelect, scatterAdd, split, stack, tensor, unbind } from "../../src/index";
import { spec, dimSize, shapeArb, shapeDimArb, type Case, type OpSpecs } from "../helpers";
import { adjoint } from "./movement";
import { INDEX_MORE_CHECKS } from "./index-more";

const pos = (dim: number, nd: number) => (dim < 0 ? dim + nd : dim);

/** 1 to 3 shapes that agree everywhere but along dim. */
const catCase = shapeDimArb.chain(({ shape, dim }) =>
  fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }).map((sizes) => ({
    shapes: sizes.map((size) => shape.map((s, i) => (i === pos(dim, shape.length) ? size : s))),
    arg: dim,
  })),
);

const splitCase = shapeDimArb.chain(({ shape, dim }) => fc.record({ shapes: fc.constant([shape] as number[][]), arg: fc.record({ dim: fc.constant(dim), size: dimSize, keep: fc.integer({ min: 0, max: 3 }) }) }));

/** x, and an index for gather along dim: same rank, no larger elsewhere, values in range (repeats allowed). */
const gatherCase: fc.Arbitrary<Case<{ dim: number; indexShape: number[]; index: number[] }>> = shapeDimArb.chain(({ shape, dim }) => {
  const d = pos(dim, shape.length);
  return fc
    .tuple(...shape.map((s, i) => fc.integer({ min: 1, max: i === d ? 4 : s })))
    .chain((indexShape) =>
      fc
        .array(fc.integer({ min: 0, max: shape[d]! - 1 }), { minLength: indexShape.reduce((a, b) => a * b, 1), maxLength: indexShape.reduce((a, b) => a * b, 1) })
        .map((index) => ({ shapes: [shape], arg: { dim, indexShape, index } })),
    );
});

const indexSelectCase = shapeDimArb.chain(({ shape, dim }) =>
  fc.array(fc.integer({ min: 0, max: shape[pos(dim, shape.length)]! - 1 }), { minLength: 1, maxLength: 4 }).map((index) => ({ shapes: [shape], arg: { dim, index } })),
);

const int32 = (data: number[], shape: number[] = [data.length]) => tensor(Int32Array.from(data), { shape });
const indexShape = (shape: number[], dim: number, n: number) => shape.map((s, i) => (i === pos(dim, shape.length) ? n : s));

/** gradcheck of joining, splitting and indexing ops. */
export const JOIN_INDEX_CHECKS: OpSpecs = {
  cat: spec(catCase, (xs, dim) => cat(xs, dim)),
  split: [
    spec(splitCase, ([a], { dim, size }) => split(a!, size, dim)),
    // only some pieces used: the others get no gradient and count as zeros
    spec(splitCase, ([a], { dim, size, keep }) => split(a!, size, dim).slice(0, keep + 1).map((p) => p.mul(p))),
  ],
  gather: spec(gatherCase, ([a], { dim, indexShape, index }) => gather(a!, dim, int32(index, indexShape))),
  scatterAdd: 
    spec(
      gatherCase.map((c) => ({ shapes: [c.arg.indexShape], arg: { ...c.arg, shape: c.shapes[0]! } })),
      ([src], { shape, dim, indexShape, index }) => scatterAdd(shape, dim, int32(index, indexShape), src!),
    ),
  indexSelect: spec(indexSelectCase, ([a], { dim, index }) => indexSelect(a!, dim, int32(index))),
  // the adjoint of indexSelect, checked as indexSelect's vector-Jacobian product as a function of v
  indexAdd: 
    spec(
      indexSelectCase.map((c) => ({ ...c, shapes: [c.shapes[0]!, indexShape(c.shapes[0]!, c.arg.dim, c.arg.index.length)] })),
      (inputs, { dim, index }) => adjoint((x) => indexSelect(x, dim, int32(index)))(inputs),
    ),
  stack: spec(shapeArb().chain((s) => fc.integer({ min: 1, max: 3 }).chain((n) => fc.integer({ min: -s.length - 1, max: s.length }).map((dim) => ({ shapes: Array(n).fill(s), arg: dim })))), (xs, dim) => stack(xs, dim)),
  chunk: spec(splitCase, ([a], { dim, size }) => chunk(a!, size, dim)),
  unbind: spec(shapeDimArb.map(({ shape, dim }) => ({ shapes: [shape], arg: dim })), ([a], dim) => unbind(a!, dim)),
  ...INDEX_MORE_CHECKS,
};
