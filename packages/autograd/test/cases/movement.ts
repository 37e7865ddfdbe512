import fc from "fast-check";
import { grad, type Tensor } from "../../src/index";
import { SHAPE_MORE_CHECKS } from "./shape-more";
import { broadcastableTo, spec, shapeArb, shapeDimArb, shapesOnly, type Case, type OpSpecs } from "../helpers";

const one = shapesOnly(shapeArb().map((s) => [s]));
const oneNd = (min: number) => shapesOnly(shapeArb(min, 3).map((s) => [s]));
const dimCase = shapeDimArb.map(({ shape, dim }) => ({ shapes: [shape], arg: dim }));

/** A shape and another one with as many elements (some -1, some 1s inserted). */
const reshapeCase: fc.Arbitrary<Case<number[]>> = shapeArb().chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc
    .constantFrom([n], [-1], [...shape].reverse(), [1, ...shape, 1], [n, 1], shape.length > 1 ? [shape[0]!, -1] : [1, n])
    .map((target) => ({ shapes: [shape], arg: target }));
});

const permuteCase = shapeArb().chain((shape) =>
  fc.shuffledSubarray(shape.map((_, d) => d), { minLength: shape.length, maxLength: shape.length }).map((perm) => ({ shapes: [shape], arg: perm })),
);

/** A target shape and a smaller shape that expands to it. */
const expandCase = shapeArb().chain((out) => broadcastableTo(out).map((s) => ({ shapes: [s], arg: out })));

/** A Python-style slice (start/end may be negative or past the end) with step 1..3. */
const sliceCase = shapeDimArb.chain(({ shape, dim }) =>
  fc
    .record({ start: fc.integer({ min: -4, max: 3 }), end: fc.integer({ min: -4, max: 5 }), step: fc.integer({ min: 1, max: 3 }) })
    .map((s) => ({ shapes: [shape], arg: { dim, ...s } })),
);

const narrowCase = shapeDimArb.chain(({ shape, dim }) => {
  const size = shape[(dim + shape.length) % shape.length]!;
  return fc
    .integer({ min: 0, max: size - 1 })
    .chain((start) => fc.integer({ min: 0, max: size - start }).map((length) => ({ shapes: [shape], arg: { dim, start, length } })));
});

const flipCase = shapeArb().chain((shape) => fc.subarray(shape.map((_, d) => d)).map((dims) => ({ shapes: [shape], arg: dims })));

/** vᵀ·J of a linear view op, as a function of v: checking it wrt v checks the op's adjoint. */
export function adjoint(op: (x: Tensor) => Tensor): (inputs: Tensor[]) => Tensor {
  return ([x, v]) => grad(op(x!), x!, { gradOutputs: v!, createGraph: true })[0]!;
}

/** gradcheck of the view and copy ops. */
export const MOVEMENT_CHECKS: OpSpecs = {
  reshape: spec(reshapeCase, ([a], shape) => a!.reshape(shape)),
  permute: spec(permuteCase, ([a], perm) => a!.permute(perm)),
  expand: spec(expandCase, ([a], shape) => a!.expand(shape)),
  slice: spec(sliceCase, ([a], { dim, start, end, step }) => a!.slice(dim, start, end, step)),
  // the adjoint of slice: checked as the gradient of slice's vector-Jacobian product wrt v
  // the adjoint of slice, checked as slice's vector-Jacobian product as a function of v
  sliceScatter: 
    spec(
      sliceCase
        .map((c) => ({ ...c, shapes: [c.shapes[0]!, sliceShape(c.shapes[0]!, c.arg)] }))
        .filter(({ shapes: [x, v] }) => x!.join() !== v!.join()),
      (inputs, { dim, start, end, step }) => adjoint((x) => x.slice(dim, start, end, step))(inputs),
    ),
  flip: spec(flipCase, ([a], dims) => a!.flip(dims)),
  contiguous: spec(one, ([a]) => a!.contiguous()),
  clone: spec(one, ([a]) => a!.clone()),
  view: spec(reshapeCase, ([a], shape) => a!.contiguous().view(shape)),
  transpose: spec(oneNd(2), ([a]) => a!.transpose(0, -1)),
  T: spec(one, ([a]) => a!.T),
  narrow: spec(narrowCase, ([a], { dim, start, length }) => a!.narrow(dim, start, length)),
  select: spec(dimCase, ([a], dim) => a!.select(dim, -1)),
  squeeze: spec(one, ([a]) => a!.squeeze()),
  unsqueeze: spec(dimCase, ([a], dim) => a!.unsqueeze(dim)),
  flatten: spec(oneNd(1), ([a]) => a!.flatten(1 % a!.ndim)),
  ...SHAPE_MORE_CHECKS,
};

/** The shape of x.slice(dim, start, end, step) for x of shape s. */
function sliceShape(s: number[], { dim, start, end, step }: { dim: number; start: number; end: number; step: number }): number[] {
  const d = dim < 0 ? dim + s.length : dim;
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + s[d]! : i, 0), s[d]!);
  const b = clamp(start);
  return s.map((size, i) => (i === d ? Math.ceil((Math.max(clamp(end), b) - b) / step) : size));
}
