import fc from "fast-check";
import { addmm, baddbmm, bmm, cross, diagEmbed, einsum, kron, meshgrid, outer, pad, tensordot, tensor, type PadMode } from "../../src/index";
import { dimSize, spec, shapeArb, shapeDimArb, shapesOnly, type OpSpecs } from "../helpers";
import { adjoint } from "./movement";

const pos = (dim: number, nd: number) => (dim < 0 ? dim + nd : dim);
const matrixLike = shapeArb(2, 3).map((s) => ({ shapes: [s], arg: null }));

const repeatCase = shapeArb(0, 2).chain((shape) =>
  fc.array(fc.integer({ min: 1, max: 3 }), { minLength: shape.length, maxLength: shape.length + 1 }).map((sizes) => ({ shapes: [shape], arg: sizes })),
);

const rollCase = shapeDimArb.chain(({ shape, dim }) => fc.integer({ min: -4, max: 4 }).map((shift) => ({ shapes: [shape], arg: { dim, shift } })));

/** Two of a tensor's dims, an offset and the tensor's shape. */
const diagonalCase = shapeArb(2, 3).chain((shape) =>
  fc
    .tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: shape.length - 1 }), fc.integer({ min: -2, max: 2 }))
    .map(([d1, shift, offset]) => ({ shapes: [shape], arg: { d1, d2: (d1 + shift) % shape.length, offset } })),
);

const unfoldCase = shapeDimArb.chain(({ shape, dim }) =>
  fc.record({ size: fc.integer({ min: 0, max: shape[pos(dim, shape.length)]! }), step: fc.integer({ min: 1, max: 3 }) }).map((w) => ({ shapes: [shape], arg: { dim, ...w } })),
);

/** Padding for every mode: amounts each mode accepts for the trailing dims of a generated shape. */
const padCase = shapeArb(1, 3).chain((shape) =>
  fc.constantFrom<PadMode>("constant", "reflect", "replicate", "circular").chain((mode) =>
    fc.integer({ min: 1, max: shape.length }).chain((n) =>
      fc
        .tuple(
          ...shape.slice(-n).reverse().flatMap((size) => {
            const limit = mode === "reflect" ? size - 1 : mode === "circular" ? size : 3;
            const amount = fc.integer({ min: mode === "constant" ? -1 : 0, max: Math.max(0, limit) });
            return [amount, amount];
          }),
        )
        .filter((p) => shape.slice(-n).reverse().every((s, k) => s + p[2 * k]! + p[2 * k + 1]! > 0))
        .map((padding) => ({ shapes: [shape], arg: { mode, padding } })),
    ),
  ),
);

const matmulSizes = fc.record({ b: dimSize, n: dimSize, k: dimSize, m: dimSize });

/** Equations with their operand shapes: products, traces, ellipses, broadcasting, implicit output. */
const EINSUMS: [string, number[][]][] = [
  ["ij,jk->ik", [[2, 3], [3, 2]]],
  ["ii->i", [[3, 3]]],
  ["ii", [[2, 2]]],
  ["bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]],
  ["...ij,...jk", [[2, 1, 2, 3], [3, 3, 2]]],
  ["i,i->", [[3], [3]]],
  ["ijk,kj->i", [[2, 3, 2], [2, 3]]],
  ["ij,jk,kl->il", [[2, 3], [3, 2], [2, 2]]],
  ["iij,jk->ik", [[2, 2, 3], [3, 2]]],
  ["j,i", [[3], [2]]],
  ["ijk->kji", [[2, 3, 2]]],
  ["i...->...", [[2, 3, 2]]],
];

/** gradcheck of the view, rearranging and product ops beyond the basic views. */
export const SHAPE_MORE_CHECKS: OpSpecs = {
  diagonal: spec(diagonalCase, ([a], { offset, d1, d2 }) => a!.diagonal(offset, d1, d2)),
  // the adjoint of diagonal, checked as diagonal's vector-Jacobian product as a function of v
  diagEmbed: [
    spec(
      diagonalCase.map((c) => ({ ...c, shapes: [c.shapes[0]!, diagonalShape(c.shapes[0]!, c.arg)] })),
      (inputs, { offset, d1, d2 }) => adjoint((x) => x.diagonal(offset, d1, d2))(inputs),
    ),
    spec(diagonalCase.map((c) => ({ ...c, shapes: [c.shapes[0]!.slice(1)] })), ([a], { offset, d1, d2 }) => diagEmbed(a!, offset, d1, d2)),
  ],
  unfold: spec(unfoldCase, ([a], { dim, size, step }) => a!.unfold(dim, size, step)),
  diag: [spec(shapesOnly(shapeArb(1, 1).map((s) => [s])), ([a]) => a!.diag(1)), spec(shapesOnly(shapeArb(2, 2).map((s) => [s])), ([a]) => a!.diag(-1))],
  trace: spec(shapesOnly(shapeArb(2, 2).map((s) => [s])), ([a]) => a!.trace()),
  tril: spec(matrixLike.chain((c) => fc.integer({ min: -2, max: 2 }).map((k) => ({ ...c, arg: k }))), ([a], k) => a!.tril(k)),
  triu: spec(matrixLike.chain((c) => fc.integer({ min: -2, max: 2 }).map((k) => ({ ...c, arg: k }))), ([a], k) => a!.triu(k)),
  repeat: spec(repeatCase, ([a], sizes) => a!.repeat(sizes)),
  tile: spec(repeatCase, ([a], sizes) => a!.tile(sizes.slice(1))),
  repeatInterleave: [
    spec(shapeDimArb.map(({ shape, dim }) => ({ shapes: [shape], arg: dim })), ([a], dim) => a!.repeatInterleave(2, dim)),
    spec(shapeDimArb.map(({ shape, dim }) => ({ shapes: [shape], arg: { dim, size: shape[pos(dim, shape.length)]! } })), ([a], { dim, size }) =>
      a!.repeatInterleave(tensor(Int32Array.from({ length: size }, (_, i) => (i * 2) % 3)), dim),
    ),
  ],
  roll: [spec(rollCase, ([a], { dim, shift }) => a!.roll(shift, dim)), spec(rollCase, ([a], { shift }) => a!.roll(shift))],
  movedim: spec(shapeArb(1, 3).map((s) => ({ shapes: [s], arg: null })), ([a]) => a!.movedim(0, -1)),
  swapaxes: spec(shapeArb(1, 3).map((s) => ({ shapes: [s], arg: null })), ([a]) => a!.swapaxes(0, -1)),
  unflatten: spec(shapeDimArb.map(({ shape, dim }) => ({ shapes: [shape], arg: dim })), ([a], dim) => a!.unflatten(dim, [1, -1, 1])),
  meshgrid: spec(
    fc.tuple(shapeArb(1, 1), shapeArb(1, 1), fc.constantFrom<"ij" | "xy">("ij", "xy")).map(([a, b, indexing]) => ({ shapes: [a, b], arg: indexing })),
    ([a, b], indexing) => meshgrid([a!, b!], { indexing }),
  ),
  pad: spec(padCase, ([a], { mode, padding }) => pad(a!, padding, { mode, value: mode === "constant" ? 0.5 : undefined })),
  outer: spec(fc.tuple(shapeArb(1, 1), shapeArb(1, 1)).map((s) => ({ shapes: s, arg: null })), ([a, b]) => outer(a!, b!)),
  bmm: spec(matmulSizes.map(({ b, n, k, m }) => ({ shapes: [[b, n, k], [b, k, m]], arg: null })), ([a, b]) => bmm(a!, b!)),
  addmm: spec(
    matmulSizes.chain(({ n, k, m }) => fc.constantFrom<number[]>([n, m], [m], [1, m], [n, 1]).chain((c) => fc.constantFrom(0, 0.5, 1).map((beta) => ({ shapes: [c, [n, k], [k, m]], arg: beta })))),
    ([c, a, b], beta) => addmm(c!, a!, b!, { beta, alpha: 1.5 }),
  ),
  baddbmm: spec(
    matmulSizes.chain(({ b, n, k, m }) => fc.constantFrom<number[]>([b, n, m], [n, 1]).map((c) => ({ shapes: [c, [b, n, k], [b, k, m]], arg: null }))),
    ([c, a, b]) => baddbmm(c!, a!, b!, { beta: -0.5, alpha: 2 }),
  ),
  einsum: spec(fc.constantFrom(...EINSUMS).map(([eq, shapes]) => ({ shapes, arg: eq })), (xs, eq) => einsum(eq, ...xs)),
  tensordot: spec(
    fc.record({ a: dimSize, b: dimSize, c: dimSize, d: dimSize }).map(({ a, b, c, d }) => ({ shapes: [[a, b, c], [c, b, d]], arg: null })),
    ([x, y]) => tensordot(x!, y!, [[1, 2], [1, 0]]),
  ),
  kron: spec(fc.tuple(shapeArb(0, 2), shapeArb(0, 2)).map((s) => ({ shapes: s, arg: null })), ([a, b]) => kron(a!, b!)),
  cross: spec(
    fc.tuple(dimSize, fc.integer({ min: 0, max: 1 })).map(([n, d]) => ({ shapes: d === 0 ? [[3, n], [3, 1]] : [[n, 3], [n, 3]], arg: d })),
    ([a, b], d) => cross(a!, b!, d),
  ),
};

/** The shape of x.diagonal(offset, d1, d2) for x of shape s. */
function diagonalShape(s: number[], { offset, d1, d2 }: { offset: number; d1: number; d2: number }): number[] {
  const length = Math.max(0, offset >= 0 ? Math.min(s[d1]!, s[d2]! - offset) : Math.min(s[d1]! + offset, s[d2]!));
  return [...s.filter((_, i) => i !== d1 && i !== d2), length];
}
