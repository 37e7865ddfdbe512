import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, normalize, tensor, type Tensor } from "../src/index";
import { expectAllClose, layoutArb, makeInput, shapeDimArb } from "./helpers";

describe("normalize (torch.nn.functional.normalize)", () => {
  it("divides by the p-norm over dim 1 by default, and by eps where that norm is smaller", () => {
    const x = tensor([[3, 4], [0, 0], [1e-13, 0]], { dtype: "float64" });
    expect(normalize(x).tolist()).toEqual([[0.6, 0.8], [0, 0], [0.1, 0]]);
    expect((normalize(x, { p: 1, dim: 0 }).tolist() as number[][])[0]).toEqual([3 / (3 + 1e-13), 1]);
  });

  it("over any shape, dim, p and layout: unit norm along dim where the slice's norm exceeds eps", () => {
    const arb = shapeDimArb.chain(({ shape, dim }) => fc.record({ shape: fc.constant(shape), dim: fc.constant(dim), layout: layoutArb, p: fc.constantFrom(1, 2, 3, Infinity), seed: fc.nat() }));
    fc.assert(
      fc.property(arb, ({ shape, dim, layout, p, seed }) => {
        const { leaf, use } = makeInput(shape, layout, new Generator(seed));
        const x: Tensor = use(leaf.detach());
        const y = normalize(x, { p, dim });
        expect(y.shape).toEqual(shape);
        expectAllClose(y.norm(p, dim), x.norm(p, dim).gt(1e-12).to("float64"), 1e-12, 1e-12);
        expectAllClose(y, normalize(tensor(x.data(), { shape, dtype: "float64" }), { p, dim }), 0, 0);
      }),
      { numRuns: 50 },
    );
  });

  it("names the op on a bad dim, eps, p or dtype", () => {
    const x = tensor([[1, 2]]);
    expect(() => normalize(tensor([1, 2]))).toThrow(/normalize: dim 1 is out of range/);
    expect(() => normalize(x, { eps: NaN })).toThrow(/normalize: eps must be a number, got NaN/);
    expect(() => normalize(x, { p: "2" as unknown as number })).toThrow(/norm: p must be a number or "fro", got 2/);
    expect(() => normalize(tensor([[1, 2]], { dtype: "int32" }))).toThrow(/normalize: expected a float tensor, got int32/);
    expect(() => normalize(null as unknown as Tensor)).toThrow(/normalize: the input must be a Tensor, got null/);
  });
});
