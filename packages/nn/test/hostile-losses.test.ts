import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ones, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, cosineEmbeddingLoss, crossEntropy, ctcBeamSearch, ctcGreedyDecode, ctcLoss,
  gaussianNllLoss, hingeEmbeddingLoss, huberLoss, klDiv, l1Loss, marginRankingLoss, mseLoss, multiLabelSoftMarginLoss, nllLoss,
  poissonNllLoss, smoothL1Loss, tripletMarginLoss,
} from "@tapegrad/nn";

const f64 = (data: number[], shape?: number[]) => tensor(data, { dtype: "float64", shape });
const ids = (data: number[]) => tensor(data, { dtype: "int32" });
const never = (v: unknown) => v as never;

/**
 * Every loss on an empty batch and with every target ignored, against PyTorch 1.13
 * (fixtures/loss-edges/gen_loss_edges.py). PyTorch's "mean" (and klDiv's "batchmean") of nothing
 * is NaN; here it is an error naming the loss (README, Differences from PyTorch). "sum" and
 * "none" agree with PyTorch.
 */
interface EdgeCase {
  loss: string;
  input: "empty batch" | "every target ignored";
  reduction: string;
  shape?: number[];
  output?: (number | "nan")[];
}
const edges = JSON.parse(readFileSync(new URL("./fixtures/loss-edges/loss-edges.json", import.meta.url), "utf8")) as { cases: EdgeCase[] };

const E = () => zeros([0, 3], { dtype: "float64", requiresGrad: true });
const E1 = () => zeros([0], { dtype: "float64", requiresGrad: true });
const NOTHING = () => zeros([0], { dtype: "int32" });
type Run = (reduction: never) => Tensor;
const EMPTY: Record<string, Run> = {
  crossEntropy: (reduction) => crossEntropy(E(), NOTHING(), { reduction }),
  nllLoss: (reduction) => nllLoss(E(), NOTHING(), { reduction }),
  mseLoss: (reduction) => mseLoss(E(), E(), { reduction }),
  l1Loss: (reduction) => l1Loss(E(), E(), { reduction }),
  smoothL1Loss: (reduction) => smoothL1Loss(E(), E(), { reduction }),
  huberLoss: (reduction) => huberLoss(E(), E(), { reduction }),
  binaryCrossEntropy: (reduction) => binaryCrossEntropy(E(), E(), { reduction }),
  binaryCrossEntropyWithLogits: (reduction) => binaryCrossEntropyWithLogits(E(), E(), { reduction }),
  multiLabelSoftMarginLoss: (reduction) => multiLabelSoftMarginLoss(E(), E(), { reduction }),
  klDiv: (reduction) => klDiv(E(), E(), { reduction }),
  gaussianNllLoss: (reduction) => gaussianNllLoss(E(), E(), ones([0, 3], { dtype: "float64" }), { reduction }),
  poissonNllLoss: (reduction) => poissonNllLoss(E(), E(), { reduction }),
  cosineEmbeddingLoss: (reduction) => cosineEmbeddingLoss(E(), E(), E1(), { reduction }),
  marginRankingLoss: (reduction) => marginRankingLoss(E1(), E1(), E1(), { reduction }),
  hingeEmbeddingLoss: (reduction) => hingeEmbeddingLoss(E1(), E1(), { reduction }),
  tripletMarginLoss: (reduction) => tripletMarginLoss(E(), E(), E(), { reduction }),
  ctcLoss: (reduction) => ctcLoss(zeros([4, 0, 3], { dtype: "float64", requiresGrad: true }), NOTHING(), [], [], { reduction }),
};
const LOGITS = () => f64([0.5, -1, 2, 1.5, 0.25, -0.75], [2, 3]).requiresGrad_();
const IGNORED: Record<string, Run> = {
  crossEntropy: (reduction) => crossEntropy(LOGITS(), ids([-100, -100]), { reduction }),
  nllLoss: (reduction) => nllLoss(LOGITS().logSoftmax(1), ids([-100, -100]), { reduction }),
  "crossEntropy with labelSmoothing": (reduction) => crossEntropy(LOGITS(), ids([-100, -100]), { reduction, labelSmoothing: 0.1 }),
};

describe("losses on an empty batch and with every target ignored, against PyTorch 1.13", () => {
  it("covers every loss", () => {
    expect(new Set(edges.cases.filter((c) => c.input === "empty batch").map((c) => c.loss))).toEqual(new Set(Object.keys(EMPTY)));
  });

  for (const c of edges.cases) {
    const run = (c.input === "empty batch" ? EMPTY : IGNORED)[c.loss]!;
    const nan = c.output?.[0] === "nan";
    it(`${c.loss}, ${c.input}, reduction "${c.reduction}": ${nan ? "an error where PyTorch gives NaN" : "PyTorch's value"}`, () => {
      if (nan) {
        const reason = c.input === "empty batch" ? `the ${c.reduction === "batchmean" ? '"batchmean"' : "mean"} of an empty loss` : "the mean is over zero weight";
        expect(() => run(c.reduction as never)).toThrow(`${c.loss.split(" ")[0]}: ${reason}`);
        return;
      }
      const out = run(c.reduction as never);
      expect(out.shape).toEqual(c.shape);
      expect(Array.from(out.data())).toEqual(c.output);
      out.sum().backward(); // an empty or all-ignored loss still has a (zero) gradient
    });
  }
});

/** Runs a call expected to fail and checks that its tensor arguments were left as they were. */
function expectRefused(fn: (...args: Tensor[]) => unknown, args: Tensor[], message: string): void {
  const before = args.map((t) => [t.version, JSON.stringify(t.tolist())]);
  expect(() => fn(...args)).toThrow(message);
  expect(args.map((t) => [t.version, JSON.stringify(t.tolist())])).toEqual(before);
}

// PyTorch 1.13 raises a TypeError for a string or fractional ignore_index or a wrong reduction, and
// "The size of tensor a (2) must match the size of tensor b (3)" for mismatched shapes. A label of
// 0 or 2 for the ±1 losses and a BCE target outside [0, 1] it computes silently; here they are errors
// (README, Differences from PyTorch).
describe("loss arguments and options are checked before anything is computed", () => {
  const x = () => f64([0.1, 0.2, 0.7, 0.3, 0.3, 0.4], [2, 3]);
  const p = () => f64([0.2, 0.5]);
  const q = () => f64([0.3, 0.5]);
  const y = () => f64([1, -1]);
  it.each<[string, (...t: Tensor[]) => unknown, () => Tensor[], string]>([
    ["a misspelt option", (a) => crossEntropy(a!, ids([2, 0]), never({ ignore_index: 2 })), () => [x()], 'crossEntropy: unknown option "ignore_index"; expected one of weight, reduction, ignoreIndex, labelSmoothing'],
    ["options that are not an object", (a) => mseLoss(a!, a!, never(null)), () => [p()], "mseLoss: options must be an object, got null"],
    ["an unknown reduction", (a, b) => l1Loss(a!, b!, never({ reduction: "avg" })), () => [p(), q()], 'l1Loss: reduction must be "mean", "sum" or "none", got "avg"'],
    ["a fractional ignoreIndex", (a) => crossEntropy(a!, ids([2, 0]), { ignoreIndex: 1.5 }), () => [x()], "crossEntropy: ignoreIndex must be an integer, got 1.5"],
    ["a string ignoreIndex", (a) => nllLoss(a!, ids([2, 0]), never({ ignoreIndex: "2" })), () => [x()], 'nllLoss: ignoreIndex must be an integer, got "2"'],
    ["a string labelSmoothing", (a) => crossEntropy(a!, ids([2, 0]), never({ labelSmoothing: "0.1" })), () => [x()], 'crossEntropy: labelSmoothing must be in [0, 1], got "0.1"'],
    ["a weight that is an array", (a) => crossEntropy(a!, ids([2, 0]), never({ weight: [1, 2, 3] })), () => [x()], "crossEntropy: weight must be a float64 tensor of shape [3] (one per class), got [1, 2, 3]"],
    ["an input that is an array", (b) => mseLoss(never([0.2, 0.5]), b!), () => [q()], "mseLoss: input must be a Tensor, got [0.2, 0.5]"],
    ["a target that is an array", (a) => crossEntropy(a!, never([2, 0])), () => [x()], "crossEntropy: target must hold int32 class indices, got [2, 0]"],
    ["a bool input", (a) => nllLoss(a!.gt(0), ids([0, 0])), () => [x()], "nllLoss: input must be a float32 or float64 tensor, got bool (shape [2, 3])"],
    ["a float32 target for a float64 input", (a) => poissonNllLoss(a!, a!.to("float32")), () => [p()], "poissonNllLoss: target must be float64 like the input, got float32 (shape [2])"],
    ["a string beta", (a, b) => smoothL1Loss(a!, b!, never({ beta: "1" })), () => [p(), q()], 'smoothL1Loss: beta must be >= 0, got "1"'],
    ["a NaN delta", (a, b) => huberLoss(a!, b!, { delta: NaN }), () => [p(), q()], "huberLoss: delta must be > 0, got NaN"],
    ["a BCE target above 1", (a) => binaryCrossEntropy(a!, f64([2, 0])), () => [p()], "binaryCrossEntropy: target must be a probability in [0, 1], got 2 at flat index 0 (shape [2])"],
    ["a BCE-with-logits target below 0", (a) => binaryCrossEntropyWithLogits(a!, f64([0.5, -1])), () => [p()], "binaryCrossEntropyWithLogits: target must be a probability in [0, 1], got -1 at flat index 1"],
    ["a NaN BCE-with-logits target", (a) => binaryCrossEntropyWithLogits(a!, f64([NaN, 1])), () => [p()], "binaryCrossEntropyWithLogits: target must be a probability in [0, 1], got NaN at flat index 0"],
    ["a posWeight that would grow the loss", (a, b) => binaryCrossEntropyWithLogits(a!, b!, { posWeight: ones([3, 2], { dtype: "float64" }) }), () => [p(), q()], "binaryCrossEntropyWithLogits: posWeight of shape [3, 2] must broadcast to the input shape [2]"],
    ["a weight of the wrong length", (a, b) => binaryCrossEntropyWithLogits(a!, b!, { weight: ones([3], { dtype: "float64" }) }), () => [p(), q()], "binaryCrossEntropyWithLogits: weight of shape [3] must broadcast to the input shape [2]"],
    ["a multi-label target of 2", (a) => multiLabelSoftMarginLoss(a!, f64([0, 1, 2, 0, 1, 0], [2, 3])), () => [x()], "multiLabelSoftMarginLoss: target must be 0 or 1 (or a probability in [0, 1]), got 2 at flat index 2"],
    ["no classes", (a) => multiLabelSoftMarginLoss(a!, a!), () => [zeros([2, 0], { dtype: "float64" })], "multiLabelSoftMarginLoss: input must have a class dim with at least one class, (C) or (N, C), got shape [2, 0]"],
    ["a string logTarget", (a, b) => klDiv(a!, b!, never({ logTarget: "yes" })), () => [p(), q()], 'klDiv: logTarget must be true or false, got "yes"'],
    ["klDiv shapes that do not broadcast", (a) => klDiv(a!, ones([3], { dtype: "float64" })), () => [p()], "klDiv: input and target: shapes [2] and [3] cannot be broadcast together (dimension 0: 2 vs 3)"],
    ["a negative eps", (a, b) => gaussianNllLoss(a!, b!, ones([2], { dtype: "float64" }), { eps: -1 }), () => [p(), q()], "gaussianNllLoss: eps must be a finite number >= 0, got -1"],
    ["a numeric full", (a, b) => gaussianNllLoss(a!, b!, ones([2], { dtype: "float64" }), never({ full: 1 })), () => [p(), q()], "gaussianNllLoss: full must be true or false, got 1"],
    ["a gaussian target of another shape", (a) => gaussianNllLoss(a!, ones([3], { dtype: "float64" }), ones([2], { dtype: "float64" })), () => [p()], "gaussianNllLoss: input, target must have the same shape, got input [2], target [3]"],
    ["a poisson eps that makes log(input + eps) NaN", (a, b) => poissonNllLoss(a!, b!, { logInput: false, eps: -1 }), () => [p(), q()], "poissonNllLoss: eps must be a finite number >= 0, got -1"],
    ["a string margin", (a, b) => marginRankingLoss(a!, b!, y(), never({ margin: "1" })), () => [p(), q()], 'marginRankingLoss: margin must be a finite number, got "1"'],
    ["a NaN margin", (a) => cosineEmbeddingLoss(a!, a!, y(), { margin: NaN }), () => [x()], "cosineEmbeddingLoss: margin must be a finite number, got NaN"],
    ["a cosine label of 0", (a) => cosineEmbeddingLoss(a!, a!, f64([1, 0])), () => [x()], "cosineEmbeddingLoss: target must be 1 or -1, got 0 at flat index 1 (shape [2])"],
    ["a hinge label of 0", (a) => hingeEmbeddingLoss(a!, f64([1, 0])), () => [p()], "hingeEmbeddingLoss: target must be 1 or -1, got 0 at flat index 1"],
    ["a hinge target of another shape", (a) => hingeEmbeddingLoss(a!, f64([1, -1, 1])), () => [p()], "hingeEmbeddingLoss: input, target must have the same shape, got input [2], target [3]"],
    ["ranking inputs that do not broadcast", (a) => marginRankingLoss(a!, ones([3], { dtype: "float64" }), y()), () => [p()], "marginRankingLoss: x1, x2 and target: shapes [2] and [3] and [2] cannot be broadcast together"],
    ["a string p", (a) => tripletMarginLoss(a!, a!, a!, never({ p: "2" })), () => [x()], 'tripletMarginLoss: p must be > 0, got "2"'],
    ["a NaN eps", (a) => tripletMarginLoss(a!, a!, a!, { eps: NaN }), () => [x()], "tripletMarginLoss: eps must be a finite number >= 0, got NaN"],
    ["a string swap", (a) => tripletMarginLoss(a!, a!, a!, never({ swap: "yes" })), () => [x()], 'tripletMarginLoss: swap must be true or false, got "yes"'],
    ["triplets that do not broadcast", (a) => tripletMarginLoss(a!, ones([2, 4], { dtype: "float64" }), a!), () => [x()], "tripletMarginLoss: anchor, positive and negative: shapes [2, 3] and [2, 4] and [2, 3] cannot be broadcast together"],
  ])("%s", (_name, fn, args, message) => expectRefused(fn, args(), message));

  it("an option given as undefined is the default", () => {
    const loss = crossEntropy(f64([1, 2, 3], [1, 3]), ids([2]), { weight: undefined, ignoreIndex: undefined, labelSmoothing: undefined });
    expect(loss.item()).toBeCloseTo(Math.log(Math.E ** 1 + Math.E ** 2 + Math.E ** 3) - 3, 14);
  });
});

// PyTorch 1.13: ctc_loss raises a TypeError for a string blank and computes NaN for a mean over an
// empty batch; its decoders are not part of PyTorch.
describe("CTC arguments", () => {
  const lp = () => f64(Array.from({ length: 5 * 2 * 4 }, (_, i) => Math.sin(i)), [5, 2, 4]).logSoftmax(2);
  const targets = () => ids([1, 2, 3]);
  it.each<[string, (lp: Tensor) => unknown, string]>([
    ["logProbs that are an array", () => ctcLoss(never([1]), targets(), [5, 5], [2, 1]), "ctcLoss: logProbs must be a Tensor, got [1]"],
    ["targets that are an array", (l) => ctcLoss(l, never([1, 2, 3]), [5, 5], [2, 1]), "ctcLoss: targets must be an int32 tensor of class indices, got [1, 2, 3]"],
    ["inputLengths that are a number", (l) => ctcLoss(l, targets(), never(5), [2, 1]), "ctcLoss: inputLengths must be a number[] or a 1-d int32 tensor, got 5"],
    ["a string input length", (l) => ctcLoss(l, targets(), never(["5", 5]), [2, 1]), 'ctcLoss: inputLengths[0] must be an integer in [0, 5] (the number of steps T), got "5"'],
    ["a NaN target length", (l) => ctcLoss(l, targets(), [5, 5], [NaN, 1]), "ctcLoss: targetLengths[0] must be an integer in [0, 3] (the number of targets), got NaN"],
    ["a string blank", (l) => ctcLoss(l, targets(), [5, 5], [2, 1], never({ blank: "0" })), 'ctcLoss: blank must be a class index in [0, 3], got "0"'],
    ["a string zeroInfinity", (l) => ctcLoss(l, targets(), [5, 5], [2, 1], never({ zeroInfinity: "y" })), 'ctcLoss: zeroInfinity must be true or false, got "y"'],
    ["a misspelt option", (l) => ctcLoss(l, targets(), [5, 5], [2, 1], never({ blank_: 0 })), 'ctcLoss: unknown option "blank_"; expected one of blank, reduction, zeroInfinity'],
    ["options that are null", (l) => ctcLoss(l, targets(), [5, 5], [2, 1], never(null)), "ctcLoss: options must be an object, got null"],
    ["the mean of an empty batch", () => ctcLoss(zeros([5, 0, 4]), NOTHING(), [], []), 'ctcLoss: the mean of an empty loss (shape [0], an empty batch) is undefined; use reduction "sum" or "none"'],
    ["NaN log-probabilities to decode", () => ctcGreedyDecode(tensor([-1, NaN, -2, -3], { shape: [1, 4] })), "ctcGreedyDecode: logProbs [1, 4] holds NaN (at flat index 1); NaN has no best class"],
    ["NaN log-probabilities to search", () => ctcBeamSearch(tensor([NaN, -1, -2, -3], { shape: [1, 4] }), { beamWidth: 2 }), "ctcBeamSearch: logProbs [1, 4] holds NaN (at flat index 0)"],
    ["the options where inputLengths go", (l) => ctcGreedyDecode(l, never({ blank: 1 })), "ctcGreedyDecode: inputLengths must be a number[] or a 1-d int32 tensor, got an object"],
    ["a misspelt decoder option", (l) => ctcGreedyDecode(l, undefined, never({ blnk: 1 })), 'ctcGreedyDecode: unknown option "blnk"; expected one of blank'],
    ["a beam search without options", (l) => (ctcBeamSearch as (x: Tensor) => unknown)(l), "ctcBeamSearch: options must be an object, got undefined"],
    ["a string beam width", (l) => ctcBeamSearch(l, never({ beamWidth: "2" })), 'ctcBeamSearch: beamWidth must be a positive integer, got "2"'],
    ["a misspelt beam option", (l) => ctcBeamSearch(l, never({ beamWidth: 2, blnk: 1 })), 'ctcBeamSearch: unknown option "blnk"; expected one of beamWidth, blank, inputLengths'],
  ])("%s", (_name, fn, message) => {
    const l = lp();
    expectRefused(fn, [l], message);
  });
});
