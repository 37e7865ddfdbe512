import { describe, expect, it } from "vitest";
import { grad, logSumExp, tensor } from "../src/index";
import { expectAllClose } from "./helpers";

/** log-softmax of a row, computed around its maximum in plain numbers. */
const logProbsOf = (v: number[]) => {
  const m = Math.max(...v);
  const logSum = Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
  return v.map((x) => x - m - logSum);
};
const lse = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
};

const rows = [
  [1000, 1001, 1002],
  [-1000, -1001, -1003],
  [1e4, -1e4, 0],
  [5e3, 5e3, 5e3],
  [-1e30, 0, 1],
];

describe("softmax, logSoftmax, logSumExp at large magnitudes", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`stay finite and exact for inputs of magnitude 1e3 and more (${dtype})`, () => {
      const tol = dtype === "float64" ? 1e-15 : 1e-6;
      const x = tensor(rows, { dtype, requiresGrad: true });
      const stored = (x.detach().tolist() as number[][]); // the inputs as the dtype holds them
      expectAllClose(logSumExp(x, 1), stored.map(lse), 0, tol);
      const logProbs = stored.map(logProbsOf);
      expectAllClose(x.logSoftmax(1), logProbs.flat(), 0, dtype === "float64" ? 1e-13 : 1e-5);
      expectAllClose(x.softmax(1), logProbs.flat().map(Math.exp), 1e-15, tol);
      const [g] = grad(logSumExp(x, 1).sum(), x);
      expect(Array.from(g!.data()).every(Number.isFinite)).toBe(true);
      expectAllClose(g!, logProbs.flat().map(Math.exp), 1e-15, tol); // d lse / dx = softmax
      const [gs] = grad(x.logSoftmax(1).select(1, 0).sum(), x);
      expect(Array.from(gs!.data()).every(Number.isFinite)).toBe(true);
    });
  }

  it("softmax and logSoftmax of rows with NaN or infinities are NaN throughout, as in PyTorch", () => {
    const x = tensor([[Infinity, 1], [-Infinity, -Infinity], [NaN, 1], [-Infinity, 0]], { dtype: "float64" });
    expect(x.logSoftmax(1).tolist()).toEqual([[NaN, NaN], [NaN, NaN], [NaN, NaN], [-Infinity, 0]]);
    expect(x.softmax(1).tolist()).toEqual([[NaN, NaN], [NaN, NaN], [NaN, NaN], [0, 1]]);
  });

  it("logSumExp of all -Infinity is -Infinity, not NaN (like PyTorch)", () => {
    expect(logSumExp(tensor([-Infinity, -Infinity], { dtype: "float64" }), 0).item()).toBe(-Infinity);
  });

  it("sigmoid and tanh saturate without NaN at ±1000, in value and gradient", () => {
    const x = tensor([-1000, 1000], { dtype: "float64", requiresGrad: true });
    expectAllClose(x.sigmoid(), [0, 1], 0);
    expectAllClose(x.tanh(), [-1, 1], 0);
    const [gs] = grad(x.sigmoid().sum(), x);
    const [gt] = grad(x.tanh().sum(), x);
    expectAllClose(gs!, [0, 0], 0);
    expectAllClose(gt!, [0, 0], 0);
  });
});
