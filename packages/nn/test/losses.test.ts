import { describe, expect, it } from "vitest";
import { gradcheck, tensor } from "@tapegrad/autograd";
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss } from "@tapegrad/nn";
import { randn64 } from "./helpers";

const f64 = (data: number[] | number[][], shape?: number[]) => tensor(data as number[], { dtype: "float64", shape });
const ids = (data: number[], shape?: number[]) => tensor(data, { dtype: "int32", shape });

describe("crossEntropy", () => {
  it("matches -log softmax of the target, averaged over the samples that are not ignored", () => {
    const x = f64([[1, 2, 3], [0, 0, 0], [5, -5, 0]]);
    const lse = (r: number[]) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
    const loss = crossEntropy(x, ids([2, 1, 0]), { ignoreIndex: 1 }).item();
    expect(loss).toBeCloseTo(((lse([1, 2, 3]) - 3) + (lse([5, -5, 0]) - 5)) / 2, 14);
  });

  it("is finite and exact for huge logits", () => {
    const x = f64([[1000, -1000, 0], [-3e4, 3e4, 3e4]]);
    const loss = crossEntropy(x, ids([1, 0]), { reduction: "none" });
    expect(Array.from(loss.data())).toEqual([2000, 6e4 + Math.log(2)]);
    const logits = randn64([2, 3], 1).mul(1e4).detach().requiresGrad_();
    crossEntropy(logits, ids([0, 2])).backward();
    expect(Array.from(logits.grad!.data()).every(Number.isFinite)).toBe(true);
  });

  it("passes gradcheck with weights, label smoothing, ignoreIndex and N-d inputs", () => {
    const w = f64([0.5, 2, 1, 1.5]);
    const target = ids([0, 3, -1, 2, 1, 1], [2, 3]);
    for (const reduction of ["mean", "sum", "none"] as const) {
      const result = gradcheck((x) => crossEntropy(x!, target, { weight: w, labelSmoothing: 0.2, ignoreIndex: -1, reduction }), [randn64([2, 4, 3], 2, true)]);
      expect(result.ok).toBe(true);
    }
  });

  it("rejects bad targets and options with clear messages", () => {
    const x = randn64([2, 3], 3);
    expect(() => crossEntropy(x, ids([0, 3]))).toThrow(/crossEntropy: target 3 at position 1 is out of range for 3 classes/);
    expect(() => crossEntropy(x, f64([0, 1]))).toThrow(/crossEntropy: target must hold int32 class indices, got float64/);
    expect(() => crossEntropy(x, ids([0, 1, 2]))).toThrow(/input of shape \[2, 3\] needs a target of shape \[2\].*got \[3\]/);
    expect(() => crossEntropy(x, ids([0, 1]), { weight: f64([1, 2]) })).toThrow(/weight must be a float64 tensor of shape \[3\]/);
    expect(() => crossEntropy(x, ids([0, 1]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\], got 1.5/);
    expect(() => crossEntropy(x, ids([0, 1]), { reduction: "avg" as "mean" })).toThrow(/reduction must be "mean", "sum" or "none", got "avg"/);
    expect(() => crossEntropy(x, ids([-100, -100]))).toThrow(/crossEntropy: the mean is over zero weight/);
    expect(crossEntropy(x, ids([-100, -100]), { reduction: "sum" }).item()).toBe(0);
  });
});

describe("nllLoss", () => {
  it("picks -w[t]·logp[t] and divides a mean by the weights of the kept samples", () => {
    const logp = f64([[-1, -2], [-3, -4], [-5, -6]]);
    const w = f64([2, 10]);
    expect(nllLoss(logp, ids([1, 0, 0]), { weight: w }).item()).toBeCloseTo((20 + 6 + 10) / 14, 14);
    expect(nllLoss(logp, ids([1, 0, 0]), { weight: w, ignoreIndex: 1, reduction: "sum" }).item()).toBe(16);
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  it("equals -(p·t·log σ(x) + (1-t)·log(1-σ(x))) and stays finite at ±1000", () => {
    const x = f64([0.3, -1.2]);
    const t = f64([1, 0.25]);
    const pw = f64([3, 0.5]);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const expected = [0.3, -1.2].map((v, i) => -([3, 0.5][i]! * [1, 0.25][i]! * Math.log(sig(v)) + (1 - [1, 0.25][i]!) * Math.log(1 - sig(v))));
    const got = Array.from(binaryCrossEntropyWithLogits(x, t, { posWeight: pw, reduction: "none" }).data());
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
    const big = f64([1000, -1000, 1000, -1000]).requiresGrad_();
    const loss = binaryCrossEntropyWithLogits(big, f64([1, 0, 0, 1]), { reduction: "none" });
    expect(Array.from(loss.data())).toEqual([0, 0, 1000, 1000]);
    loss.sum().backward();
    expect(Array.from(big.grad!.data())).toEqual([0, 0, 1, -1]);
  });

  it("passes gradcheck in input and target with weight and posWeight", () => {
    const weight = f64([0.5, 2, 1]);
    const posWeight = f64([1.5, 0.2, 3]);
    const result = gradcheck((x, t) => binaryCrossEntropyWithLogits(x!, t!, { weight, posWeight }), [randn64([4, 3], 4, true), randn64([4, 3], 5).sigmoid().detach().requiresGrad_()]);
    expect(result.ok).toBe(true);
  });

  it("rejects mismatched shapes", () => {
    expect(() => binaryCrossEntropyWithLogits(randn64([2, 3], 1), randn64([3, 2], 2))).toThrow(/binaryCrossEntropyWithLogits: target shape \[3, 2\] must equal input shape \[2, 3\]/);
  });
});

describe("mseLoss", () => {
  it("averages or sums squared differences and passes gradcheck", () => {
    expect(mseLoss(f64([1, 2, 4]), f64([1, 0, 1])).item()).toBeCloseTo(13 / 3, 14);
    expect(mseLoss(f64([1, 2, 4]), f64([1, 0, 1]), { reduction: "sum" }).item()).toBe(13);
    expect(gradcheck((a, b) => mseLoss(a!, b!), [randn64([3, 2], 1, true), randn64([3, 2], 2, true)]).ok).toBe(true);
    expect(() => mseLoss(randn64([3], 1), randn64([3, 1], 2))).toThrow(/mseLoss: target shape \[3, 1\] must equal input shape \[3\]/);
  });
});

