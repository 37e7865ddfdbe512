import { describe, expect, it } from "vitest";
import { functional, grad, tensor } from "../src/index";

describe("grad of several outputs where one is computed from another", () => {
  it("sums every path: d(a + b)/dx with a = x², b = 3a is 8x", () => {
    const x = tensor([2, -0.5], { dtype: "float64", requiresGrad: true });
    const a = x.mul(x);
    const b = a.mul(3);
    const ones = tensor([1, 1], { dtype: "float64" });
    expect(grad([a, b], x, { gradOutputs: [ones, ones], retainGraph: true })[0]!.tolist()).toEqual([16, -4]);
    // the same with the consumer listed first
    expect(grad([b.sum(), a.sum()], x)[0]!.tolist()).toEqual([16, -4]);
  });

  it("functional.vjp of a function returning an intermediate result and its successor", () => {
    const x = tensor([1.5], { dtype: "float64" });
    const [, g] = functional.vjp((t) => {
      const h = t.mul(t);
      return [h, h.mul(h)];
    }, x, [tensor([1], { dtype: "float64" }), tensor([1], { dtype: "float64" })]);
    // d(x² + x⁴)/dx = 2x + 4x³
    expect(g.tolist()).toEqual([2 * 1.5 + 4 * 1.5 ** 3]);
  });
});
