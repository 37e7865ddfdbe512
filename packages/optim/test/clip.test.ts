import { tensor, type Tensor } from "@tapegrad/autograd";
import { clipGradNorm, clipGradValue } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";

function withGrad(grad: number[]): Tensor {
  const p = tensor(new Float64Array(grad.length), { requiresGrad: true });
  p.grad = tensor(new Float64Array(grad));
  return p;
}
const grads = (ps: Tensor[]) => ps.map((p) => Array.from(p.grad!.data()));

describe("clipGradNorm", () => {
  it("takes all gradients as one vector for p = 1, 2, 3 and inf", () => {
    const values = [[3, -4], [12], [-1, 2, -2]];
    const flat = values.flat();
    const cases: [number | "inf", number][] = [
      [1, flat.reduce((s, v) => s + Math.abs(v), 0)],
      [2, Math.sqrt(flat.reduce((s, v) => s + v * v, 0))],
      [3, flat.reduce((s, v) => s + Math.abs(v) ** 3, 0) ** (1 / 3)],
      ["inf", 12],
      [Infinity, 12],
    ];
    for (const [p, expected] of cases) {
      const params = values.map(withGrad);
      const total = clipGradNorm(params, 1, p);
      expect(total).toBeCloseTo(expected, 12);
      const coef = 1 / (expected + 1e-6);
      grads(params).forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(values[i]![j]! * coef, 14)));
    }
  });

  it("leaves gradients alone when the norm is within maxNorm, and skips parameters without a gradient", () => {
    const params = [withGrad([0.3, 0.4]), tensor([1, 2], { requiresGrad: true })];
    expect(clipGradNorm(params, 1)).toBeCloseTo(0.5, 15);
    expect(grads([params[0]!])).toEqual([[0.3, 0.4]]);
    expect(params[1]!.grad).toBeNull();
    expect(clipGradNorm(withGrad([6, 8]), 5)).toBe(10); // a single tensor is accepted
    expect(clipGradNorm([tensor([1], { requiresGrad: true })], 1)).toBe(0);
  });

  it("reports a non-finite total norm, leaving the gradients unchanged, or throws on request", () => {
    const params = [withGrad([1, Infinity]), withGrad([2])];
    expect(clipGradNorm(params, 1)).toBe(Infinity);
    expect(grads(params)).toEqual([[1, Infinity], [2]]);
    expect(clipGradNorm([withGrad([NaN, 1])], 1, "inf")).toBeNaN();
    expect(() => clipGradNorm(params, 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total norm of order 2 of the gradients is Infinity, so they cannot be clipped \(shapes \[2\], \[1\]\)/);
    expect(() => clipGradNorm([withGrad([NaN])], 1, 1, { errorIfNonfinite: true })).toThrow(/is NaN/);
  });

  it("rejects a bad maxNorm or normType", () => {
    expect(() => clipGradNorm([withGrad([1])], -1)).toThrow(/clipGradNorm: maxNorm must be >= 0, got -1/);
    expect(() => clipGradNorm([withGrad([1])], 1, 0)).toThrow(/clipGradNorm: normType must be a positive number or "inf", got 0/);
    expect(() => clipGradNorm([withGrad([1])], 1, "max" as never)).toThrow(/normType must be a positive number or "inf", got max/);
    expect(() => clipGradNorm([[1]] as never, 1)).toThrow(/clipGradNorm: parameter 0 is not a Tensor/);
  });
});

describe("clipGradValue", () => {
  it("clamps every element into [-clipValue, clipValue]", () => {
    const params = [withGrad([-3, 0.2, 5]), withGrad([0.5, -0.5])];
    clipGradValue(params, 0.4);
    expect(grads(params)).toEqual([[-0.4, 0.2, 0.4], [0.4, -0.4]]);
    expect(() => clipGradValue(params, -1)).toThrow(/clipGradValue: clipValue must be >= 0, got -1/);
  });
});
