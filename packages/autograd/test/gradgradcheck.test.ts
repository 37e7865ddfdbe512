import { describe, expect, it } from "vitest";
import { customOp, gradcheck, gradgradcheck, tensor, type OpContext, type Tensor } from "../src/index";

/** x³ with a backward written with tensor ops; with `detached` it treats x as a constant, so it is right but its own derivative misses 6x·g. */
const cubeOp = (detached: boolean) =>
  customOp({
    name: detached ? "testCubeDetachedBackward" : "testCube",
    forward(ctx: OpContext, x: Tensor) {
      ctx.save(x);
      return x.pow(3);
    },
    backward(ctx, g) {
      const x = detached ? ctx.saved[0]!.detach() : ctx.saved[0]!;
      return [g.mul(x.pow(2).mul(3))];
    },
  });
const cube = cubeOp(false);
const cubeDetached = cubeOp(true);

const x = () => tensor([[0.5, -1.2, 0.8], [2, 0.3, -0.7]], { dtype: "float64", requiresGrad: true });
const w = () => tensor([1.5, -0.5, 0.25], { dtype: "float64", requiresGrad: true });

describe("gradgradcheck", () => {
  it("passes for correct second derivatives (several inputs and outputs)", () => {
    const r = gradgradcheck((a, b) => [a!.matmul(b!).tanh(), a!.mul(b!).exp().sum(0)], [x(), w()]);
    expect(r.ok).toBe(true);
    expect(r.maxAbsError).toBeLessThan(1e-6);
    expect(gradgradcheck((a) => cube(a!), [x()]).ok).toBe(true);
  });

  it("catches a backward that is right but not correctly differentiable", () => {
    expect(gradcheck((a) => cubeDetached(a!), [x()]).ok).toBe(true);
    const r = gradgradcheck((a) => cubeDetached(a!), [x()]);
    expect(r.ok).toBe(false);
    // d/dx of u·3x² is 6x·u; the broken rule gives 0 there
    expect(r.worst!.input).toBe(0);
    expect(r.worst!.analytical).toBe(0);
    expect(Math.abs(r.worst!.numerical)).toBeGreaterThan(0.1);
  });

  it("uses given gradOutputs (copied, not mutated) and checks their shapes", () => {
    const u = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    expect(gradgradcheck((a) => a!.pow(3), [x()], { gradOutputs: [u] }).ok).toBe(true);
    expect(Array.from(u.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(u.requiresGrad).toBe(false);
    expect(() => gradgradcheck((a) => a!.pow(3), [x()], { gradOutputs: [w()] })).toThrow(/gradgradcheck: gradOutputs\[0\] has shape \[3\], expected \[2, 3\]/);
    expect(() => gradgradcheck((a) => a!.pow(3), [x()], { gradOutputs: [] })).toThrow(/gradgradcheck: gradOutputs has 0 tensor\(s\), expected 1/);
  });
});
