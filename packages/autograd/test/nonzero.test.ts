import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, argwhere, index, maskedSelect, nonzero, tensor, zeros, type Tensor } from "../src/index";
import { layoutArb, makeInput, shapeArb } from "./helpers";

/** The row-major multi-indices of the non-zero elements, by brute force over every position. */
function reference(x: Tensor): number[][] {
  const values = x.data();
  const rows: number[][] = [];
  for (let flat = 0; flat < values.length; flat++) {
    if (values[flat] === 0) continue;
    let rest = flat;
    const idx = x.shape.map(() => 0);
    for (let d = x.ndim - 1; d >= 0; d--) {
      idx[d] = rest % x.shape[d]!;
      rest = Math.floor(rest / x.shape[d]!);
    }
    rows.push(idx);
  }
  return rows;
}

/** A strided view (permuted, offset, flipped or expanded) of a float64 tensor with about half its elements zero. */
const sparseView = fc.record({ shape: shapeArb(0, 4), layout: layoutArb, seed: fc.integer({ min: 0, max: 2 ** 31 }) }).map(({ shape, layout, seed }) => {
  const { leaf, use } = makeInput(shape, layout, new Generator(seed));
  const base = leaf.detach();
  base.buf.forEach((v, i) => (base.buf[i] = v > 0 ? 0 : v));
  return use(base);
});

describe("nonzero", () => {
  it("gives (n, ndim) int32 indices in row-major order; NaN and -0 as PyTorch", () => {
    const x = tensor([[1.5, 0, -2], [0, NaN, -0]], { dtype: "float64" });
    const out = nonzero(x);
    expect(out.dtype).toBe("int32");
    expect(out.tolist()).toEqual([[0, 0], [0, 2], [1, 1]]);
    expect(x.argwhere().tolist()).toEqual(out.tolist());
    expect(nonzero(tensor([0, 3, 0, 7], { dtype: "int32" })).tolist()).toEqual([[1], [3]]);
    expect(nonzero(tensor([1, 0, 1], { dtype: "bool" })).tolist()).toEqual([[0], [2]]);
  });

  it("asTuple gives one index tensor per dim; a 0-d input counts as 1-d", () => {
    const x = tensor([[0, 2], [3, 0], [0, 5]]);
    const [rows, cols] = x.nonzero({ asTuple: true });
    expect([rows!.tolist(), cols!.tolist()]).toEqual([[0, 1, 2], [1, 0, 1]]);
    expect(rows!.dtype).toBe("int32");
    expect(tensor(2.5).nonzero({ asTuple: true }).map((t) => t.tolist())).toEqual([[0]]);
    expect(tensor(0).nonzero({ asTuple: true }).map((t) => t.shape)).toEqual([[0]]);
  });

  it("empty results keep PyTorch's shapes", () => {
    expect(nonzero(tensor(5)).shape).toEqual([1, 0]);
    expect(nonzero(tensor(0)).shape).toEqual([0, 0]);
    expect(nonzero(zeros([2, 0, 3])).shape).toEqual([0, 3]);
    expect(nonzero(zeros([2, 3])).shape).toEqual([0, 2]);
    expect(nonzero(zeros([2, 0, 3]), { asTuple: true }).map((t) => t.shape)).toEqual([[0], [0], [0]]);
  });

  it("has no gradient (indices), like argmax", () => {
    const x = tensor([0, 1.5, -2], { requiresGrad: true });
    const out = nonzero(x.mul(2));
    expect(out.requiresGrad).toBe(false);
    expect(out.gradFn).toBeNull();
    expect(argwhere(x).requiresGrad).toBe(false);
  });

  it("on any strided, offset, flipped or expanded view equals the brute-force indices of its contiguous copy", () => {
    fc.assert(
      fc.property(sparseView, (x) => {
        const copy = tensor(x.data(), { shape: x.shape, dtype: "float64" });
        expect(nonzero(x).tolist()).toEqual(nonzero(copy).tolist());
        const expected = reference(copy);
        expect(nonzero(x).shape).toEqual([expected.length, x.ndim]);
        if (x.ndim > 0) expect(nonzero(x).tolist()).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("asTuple indexes exactly the non-zero elements, in maskedSelect's order", () => {
    fc.assert(
      fc.property(sparseView.filter((x) => x.ndim > 0), (x) => {
        const parts = nonzero(x, { asTuple: true });
        expect(parts).toHaveLength(x.ndim);
        parts.forEach((p, d) => expect(p.tolist()).toEqual(nonzero(x).select(1, d).tolist()));
        expect(index(x, parts).tolist()).toEqual(maskedSelect(x, x.ne(0)).tolist());
      }),
      { numRuns: 60 },
    );
  });

  it("rejects what is not a tensor and a non-boolean asTuple, naming the op", () => {
    expect(() => nonzero([1, 2] as unknown as Tensor)).toThrow(/nonzero: the input must be a Tensor/);
    expect(() => nonzero(tensor([1]), { asTuple: "yes" as unknown as boolean })).toThrow(/nonzero: asTuple must be a boolean, got "yes"/);
  });
});
