import { describe, expect, it } from "vitest";
import { detectAnomaly, tensor } from "../src/index";

const f64 = (data: number[]) => tensor(data, { dtype: "float64", requiresGrad: true });

describe("detectAnomaly", () => {
  it("names the op whose forward first produced NaN or Inf", () => {
    const x = f64([1, 0]);
    expect(() => detectAnomaly(() => x.mul(2).log().exp())).toThrow("detectAnomaly: the forward of 'log' produced Inf in output 0 (shape [2])");
    expect(() => detectAnomaly(() => x.sub(1).div(x.sub(1)))).toThrow("detectAnomaly: the forward of 'div' produced NaN in output 0 (shape [2])");
  });

  it("names the op whose backward first produced NaN or Inf, even from finite values", () => {
    const x = f64([4, 0]);
    const run = () => x.sqrt().mul(3).sum().backward();
    expect(() => detectAnomaly(run)).toThrow(/detectAnomaly: the backward of 'sqrt' \(gradient for input 0\) produced Inf/);
    const y = f64([1, 2]);
    // the first op to produce a non-finite value is named, not the later ones that propagate it
    const late = () => y.mul(0).log().mul(0).sum().backward();
    expect(() => detectAnomaly(late)).toThrow("detectAnomaly: the forward of 'log' produced Inf in output 0 (shape [2])");
  });

  it("is off outside the block: NaN and Inf pass through silently, like PyTorch", () => {
    const x = f64([0]);
    expect(x.log().item()).toBe(-Infinity);
    x.sqrt().sum().backward();
    expect(x.grad!.item()).toBe(Infinity);
  });
});
