import { describe, expect, it } from "vitest";
import { grad, maximum, tensor, where } from "../src/index";
import { expectAllClose } from "./helpers";

const f64 = (data: number[]) => tensor(data, { dtype: "float64", requiresGrad: true });

/** Gradients at the points where PyTorch picks a convention. */
describe("gradients at kinks and special points follow PyTorch", () => {
  it("relu, abs and clamp at their kinks", () => {
    const x = f64([0, -1, 2]);
    expectAllClose(grad(x.relu().sum(), x)[0]!, [0, 0, 1]);
    expectAllClose(grad(x.abs().sum(), x)[0]!, [0, -1, 1]);
    expectAllClose(grad(x.clamp(0, 2).sum(), x)[0]!, [1, 0, 1]); // the bounds themselves pass the gradient
  });

  it("maximum and minimum split the gradient evenly on ties", () => {
    const a = f64([1, 2, 3]);
    const b = f64([1, 5, 0]);
    const [ga, gb] = grad(maximum(a, b).sum(), [a, b]);
    expectAllClose(ga!, [0.5, 0, 1]);
    expectAllClose(gb!, [0.5, 1, 0]);
  });

  it("pow at zero: 0 for the base where the exponent is 0 and for the exponent where the base is 0", () => {
    const a = f64([0, 0, 2]);
    const b = f64([0, 2, 0]);
    const [ga, gb] = grad(a.pow(b).sum(), [a, b]);
    expectAllClose(ga!, [0, 0, 0]);
    expectAllClose(gb!, [0, 0, Math.log(2)]);
    const x = f64([0, 3]);
    expectAllClose(grad(x.pow(2).sum(), x)[0]!, [0, 6]);
    expectAllClose(grad(x.pow(0).sum(), x)[0]!, [0, 0]);
  });

  it("where sends the gradient only to the chosen branch, broadcasting the condition", () => {
    const a = f64([1, 2, 3]);
    const b = f64([10]);
    const cond = tensor([1, 0, 1], { dtype: "float64" });
    const [ga, gb] = grad(where(cond, a, b).mul(tensor([1, 2, 3], { dtype: "float64" })).sum(), [a, b]);
    expectAllClose(ga!, [1, 0, 3]);
    expectAllClose(gb!, [2]);
    expect(where(cond, a, b).tolist()).toEqual([1, 10, 3]);
  });

  it("comparisons give a bool mask (1/0) and no gradient", () => {
    const x = f64([1, 2, 3]);
    const m = x.gt(2);
    expect(m.requiresGrad).toBe(false);
    expect(m.dtype).toBe("bool");
    expect([m, x.lt(2), x.ge(2), x.le(2), x.eq(2), x.ne(2)].map((t) => t.tolist())).toEqual([
      [0, 0, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 1, 0], [1, 0, 1],
    ]);
  });
});

describe("piecewise-constant ops record a zero gradient, as PyTorch", () => {
  it("sign, floor, ceil, round, trunc and a rounding division have a gradFn and send back zeros", () => {
    const x = f64([-1.5, 0.5, 2.5]);
    for (const y of [x.sign(), x.floor(), x.ceil(), x.round(), x.trunc(), x.div(2, { roundingMode: "floor" }), x.div(2, { roundingMode: "trunc" })]) {
      expect(y.gradFn).not.toBeNull();
      expect(grad(y.sum(), x)[0]!.tolist()).toEqual([0, 0, 0]);
    }
    expect(x.round().tolist()).toEqual([-2, 0, 2]); // halves to even
    expect(grad(x.frac().sum(), x)[0]!.tolist()).toEqual([1, 1, 1]);
  });

  it("pow(0, b) sends -inf to the exponent for b < 0 (PyTorch 1.13), 0 for b >= 0", () => {
    const a = f64([0, 0, 0]);
    const b = f64([-1, 0, 2]);
    const [ga, gb] = grad(a.pow(b).sum(), [a, b]);
    expect(gb!.tolist()).toEqual([-Infinity, 0, 0]);
    expect(ga!.tolist()).toEqual([-Infinity, 0, 0]);
  });
});
