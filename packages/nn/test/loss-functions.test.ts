import { describe, expect, it } from "vitest";
import { gradcheck, tensor, type Tensor } from "@tapegrad/autograd";
import {
  binaryCrossEntropy, cosineEmbeddingLoss, gaussianNllLoss, hingeEmbeddingLoss, huberLoss, klDiv, l1Loss,
  marginRankingLoss, multiLabelSoftMarginLoss, poissonNllLoss, smoothL1Loss, tripletMarginLoss,
} from "@tapegrad/nn";
import { randn64 } from "./helpers";

const f64 = (data: number[], shape?: number[]) => tensor(data, { dtype: "float64", shape });
const probs = (seed: number) => randn64([4, 3], seed).sigmoid().detach().requiresGrad_();
const ok = (fn: (...t: Tensor[]) => Tensor, inputs: Tensor[]) => expect(gradcheck(fn, inputs).ok).toBe(true);
const signs = f64([1, -1, -1, 1, -1]);

describe("losses: float64 gradcheck in every differentiable argument", () => {
  it("binaryCrossEntropy, multiLabelSoftMarginLoss", () => {
    ok((x, t) => binaryCrossEntropy(x!, t!, { weight: f64([0.5, 2, 1]) }), [probs(1), probs(2)]);
    ok((x, t, w) => multiLabelSoftMarginLoss(x!, t!, { weight: w!, reduction: "none" }), [randn64([4, 3], 3, true), probs(4), probs(5).sum(0).detach().requiresGrad_()]);
  });

  it("l1Loss, smoothL1Loss, huberLoss", () => {
    for (const reduction of ["mean", "sum", "none"] as const) {
      ok((x, y) => l1Loss(x!, y!, { reduction }), [randn64([3, 4], 1, true), randn64([3, 4], 2, true)]);
      ok((x, y) => smoothL1Loss(x!, y!, { reduction, beta: 0.7 }), [randn64([3, 4], 3, true), randn64([3, 4], 4, true)]);
      ok((x, y) => huberLoss(x!, y!, { reduction, delta: 0.6 }), [randn64([3, 4], 5, true), randn64([3, 4], 6, true)]);
    }
  });

  it("klDiv, gaussianNllLoss, poissonNllLoss", () => {
    const target = randn64([3, 5], 2).softmax(1).detach().requiresGrad_();
    ok((x, t) => klDiv(x!.logSoftmax(1), t!, { reduction: "batchmean" }), [randn64([3, 5], 1, true), target]);
    ok((x, t) => klDiv(x!, t!, { logTarget: true, reduction: "none" }), [randn64([3, 5], 3, true), randn64([3, 5], 4, true)]);
    const variance = randn64([4, 3], 7).exp().detach().requiresGrad_();
    ok((x, y, v) => gaussianNllLoss(x!, y!, v!, { full: true }), [randn64([4, 3], 5, true), randn64([4, 3], 6, true), variance]);
    ok((x, y, v) => gaussianNllLoss(x!, y!, v!, { reduction: "sum" }), [randn64([4, 3], 5, true), randn64([4, 3], 6, true), randn64([4], 8).exp().detach().requiresGrad_()]);
    // not at 1: there the Stirling term jumps from 0 (target <= 1) to 0.5·log(2π) - 1
    const counts = f64([0, 0.9, 2, 3, 0.5, 7, 1.5, 4, 0, 2, 1.1, 10], [4, 3]).requiresGrad_();
    ok((x, t) => poissonNllLoss(x!, t!, { full: true }), [randn64([4, 3], 9, true), counts]);
    ok((x, t) => poissonNllLoss(x!.exp(), t!, { logInput: false, reduction: "sum" }), [randn64([4, 3], 10, true), counts]);
  });

  it("cosineEmbeddingLoss, marginRankingLoss, hingeEmbeddingLoss, tripletMarginLoss", () => {
    ok((a, b) => cosineEmbeddingLoss(a!, b!, signs, { margin: -0.3 }), [randn64([5, 4], 1, true), randn64([5, 4], 2, true)]);
    ok((a, b, y) => marginRankingLoss(a!, b!, y!, { margin: 0.2, reduction: "sum" }), [randn64([5], 3, true), randn64([5], 4, true), randn64([5], 5, true)]);
    ok((x) => hingeEmbeddingLoss(x!, signs, { margin: 1.5, reduction: "none" }), [randn64([5], 6, true)]);
    for (const [p, swap] of [[2, false], [1, true], [3, true], [Infinity, false]] as const) {
      ok((a, b, c) => tripletMarginLoss(a!, b!, c!, { p, swap, margin: 2 }), [randn64([5, 4], 7, true), randn64([5, 4], 8, true), randn64([5, 4], 9, true)]);
    }
  });
});

describe("losses: values by hand", () => {
  it("binaryCrossEntropy clamps each log at -100, so a confident wrong answer costs 100", () => {
    const x = f64([0, 1, 0.5]).requiresGrad_();
    expect(Array.from(binaryCrossEntropy(x, f64([1, 0, 1]), { reduction: "none" }).data()).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([100, 100, Math.round(Math.LN2 * 1e9) / 1e9]);
    binaryCrossEntropy(x, f64([1, 0, 1]), { reduction: "sum" }).backward();
    expect(Array.from(x.grad!.data()).every(Number.isFinite)).toBe(true);
  });

  it("huberLoss is smoothL1Loss times delta; smoothL1Loss with beta 0 is l1Loss", () => {
    const x = f64([0.1, -2, 3.5]);
    const y = f64([0, 0, 0]);
    expect(huberLoss(x, y, { delta: 2 }).item()).toBeCloseTo(2 * smoothL1Loss(x, y, { beta: 2 }).item(), 14);
    expect(smoothL1Loss(x, y, { beta: 0 }).item()).toBeCloseTo(l1Loss(x, y).item(), 14);
    expect(huberLoss(x, y, { reduction: "sum" }).item()).toBeCloseTo(0.005 + 1.5 + 3, 14);
  });

  it("klDiv batchmean of identical distributions is 0 and of a point mass is -log q", () => {
    const q = f64([0.2, 0.5, 0.3]);
    expect(klDiv(q.log().unsqueeze(0), q.unsqueeze(0), { reduction: "batchmean" }).item()).toBeCloseTo(0, 15);
    expect(klDiv(q.log().unsqueeze(0), f64([[0, 1, 0]].flat(), [1, 3]), { reduction: "batchmean" }).item()).toBeCloseTo(-Math.log(0.5), 14);
  });

  it("cosineEmbeddingLoss is 1 - cos for similar pairs and max(0, cos - margin) for dissimilar ones", () => {
    const a = f64([1, 0, 0, 1], [2, 2]);
    const b = f64([1, 1, 1, 1], [2, 2]);
    const loss = cosineEmbeddingLoss(a, b, f64([1, -1]), { margin: 0.5, reduction: "none" });
    expect(loss.data()[0]).toBeCloseTo(1 - Math.SQRT1_2, 10);
    expect(loss.data()[1]).toBeCloseTo(Math.SQRT1_2 - 0.5, 10);
  });
});

describe("losses: bad input", () => {
  it("names the function, the value or shape and what was expected", () => {
    const x = randn64([2, 3], 1);
    expect(() => l1Loss(x, randn64([3], 2))).toThrow(/l1Loss: target shape \[3\] must equal input shape \[2, 3\]/);
    expect(() => smoothL1Loss(x, x, { beta: -1 })).toThrow(/smoothL1Loss: beta must be >= 0, got -1/);
    expect(() => huberLoss(x, x, { delta: 0 })).toThrow(/huberLoss: delta must be > 0, got 0/);
    expect(() => binaryCrossEntropy(f64([0.5, 1.5]), f64([0, 1]))).toThrow(/binaryCrossEntropy: input must be a probability in \[0, 1\], got 1.5 at flat index 1/);
    expect(() => binaryCrossEntropy(f64([0.5, 0.5]), f64([0, 1]), { weight: f64([1, 2, 3]) })).toThrow(/binaryCrossEntropy: weight of shape \[3\] must broadcast to the input shape \[2\]/);
    expect(() => klDiv(x, x, { reduction: "avg" as "mean" })).toThrow(/klDiv: reduction must be "mean", "sum", "none" or "batchmean", got "avg"/);
    expect(() => gaussianNllLoss(x, x, randn64([3], 3))).toThrow(/gaussianNllLoss: var of shape \[3\] must have the input's shape \[2, 3\]/);
    expect(() => gaussianNllLoss(x, x, f64([1, -1], [2, 1]))).toThrow(/gaussianNllLoss: var must be non-negative, got -1 at flat index 1/);
    expect(() => cosineEmbeddingLoss(x, x, signs)).toThrow(/cosineEmbeddingLoss: x1 and x2 must have the same shape \(N, D\) with N the target's length, got \[2, 3\], \[2, 3\] and target \[5\]/);
    expect(() => cosineEmbeddingLoss(x, x, f64([1, 1], [1, 2]))).toThrow(/cosineEmbeddingLoss: target must be 0-d or 1-d, got shape \[1, 2\]/);
    expect(() => cosineEmbeddingLoss(x, x, f64([1]).reshape([]))).toThrow(/cosineEmbeddingLoss: a 0-d target needs 1-d inputs, got \[2, 3\] and \[2, 3\]/);
    expect(() => marginRankingLoss(x, x, f64([1, -1]))).toThrow(/marginRankingLoss: x1, x2 and target must have the same number of dims, got \[2, 3\], \[2, 3\] and \[2\]/);
    expect(() => tripletMarginLoss(x, x, f64([1, 2, 3]))).toThrow(/tripletMarginLoss: anchor, positive and negative must have the same number of dims/);
    expect(() => tripletMarginLoss(x, x, x, { p: 0 })).toThrow(/tripletMarginLoss: p must be > 0, got 0/);
    expect(() => multiLabelSoftMarginLoss(f64([1]).reshape([]), f64([1]).reshape([]))).toThrow(/multiLabelSoftMarginLoss: input must have a class dim/);
    expect(() => poissonNllLoss(x, x.to("float32"))).toThrow(/poissonNllLoss: target must be float64 like the input, got float32/);
  });
});
