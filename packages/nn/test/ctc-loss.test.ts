import { describe, expect, it } from "vitest";
import { grad, gradcheck, noGrad, tensor, type DType, type Tensor } from "@tapegrad/autograd";
import { ctcLoss, type CtcLossOptions } from "@tapegrad/nn";
import { randn64 } from "./helpers";
import { expectMatches, fromJson, readJson, type JsonTensor } from "./torch-json";

interface CtcCase {
  name: string;
  dtype: DType;
  options: Required<CtcLossOptions>;
  logits: JsonTensor;
  logProbs: JsonTensor;
  targets: JsonTensor;
  inputLengths: number | number[];
  targetLengths: number | number[];
  loss: JsonTensor;
  cotangent: JsonTensor;
  gradLogProbs: JsonTensor;
  gradLogits: JsonTensor;
}

const { cases } = readJson<{ cases: CtcCase[] }>(new URL("./fixtures/ctc/ctc_loss.json", import.meta.url));
const ids = (data: number[], shape?: number[]) => tensor(data, { dtype: "int32", shape });
const lengths = (v: number | number[]) => (typeof v === "number" ? tensor(v, { dtype: "int32" }) : v);

describe("ctcLoss against PyTorch 1.13", () => {
  it("has the fixture cases", () => expect(cases.length).toBe(20));

  for (const c of cases) {
    const [rtol, atol] = c.dtype === "float64" ? [1e-9, 1e-12] : [1e-4, 1e-5];
    const run = (logProbs: Tensor) =>
      ctcLoss(logProbs, fromJson(c.targets, "int32"), lengths(c.inputLengths), lengths(c.targetLengths), c.options);

    it(`${c.name}: loss and PyTorch's gradient with respect to the log-probabilities`, () => {
      const logProbs = fromJson(c.logProbs, c.dtype, true);
      const loss = run(logProbs);
      expect(loss.dtype).toBe(c.dtype);
      expectMatches(loss, c.loss, "loss", rtol, atol);
      loss.mul(fromJson(c.cotangent, c.dtype)).sum().backward();
      expect(logProbs.grad!.dtype).toBe(c.dtype);
      expectMatches(logProbs.grad, c.gradLogProbs, "grad", rtol, atol);
    });

    it(`${c.name}: gradient with respect to the logits through logSoftmax`, () => {
      const logits = fromJson(c.logits, c.dtype, true);
      const loss = run(logits.logSoftmax(-1));
      expectMatches(loss, c.loss, "loss", rtol, atol);
      loss.mul(fromJson(c.cotangent, c.dtype)).sum().backward();
      expectMatches(logits.grad, c.gradLogits, "grad", rtol, atol);
    });
  }
});

describe("ctcLoss by hand", () => {
  it("sums the three alignments of one label over two steps", () => {
    const p = [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]];
    const logProbs = tensor(p.map((row) => row.map(Math.log)), { dtype: "float64" });
    // paths for target [1]: (1, 1), (blank, 1), (1, blank)
    const likelihood = p[0]![1]! * p[1]![1]! + p[0]![0]! * p[1]![1]! + p[0]![1]! * p[1]![0]!;
    expect(ctcLoss(logProbs, ids([1]), [2], [1], { reduction: "sum" }).item()).toBeCloseTo(-Math.log(likelihood), 14);
    // an empty target only has the all-blank path; "mean" divides by max(length, 1) = 1
    expect(ctcLoss(logProbs, ids([]), [2], [0]).item()).toBeCloseTo(-Math.log(0.2 * 0.6), 14);
  });

  it("gives PyTorch's gradient: the exact gradient with respect to logProbs plus exp(logProbs)", () => {
    const lp = randn64([4, 3], 7).logSoftmax(-1).detach();
    const loss = (x: Tensor) => ctcLoss(x, ids([1, 1]), [4], [2], { reduction: "sum" }).item();
    const x = lp.clone().requiresGrad_();
    ctcLoss(x, ids([1, 1]), [4], [2], { reduction: "sum" }).backward();
    const got = x.grad!.data();
    const base = lp.data();
    const h = 1e-6;
    for (let k = 0; k < base.length; k++) {
      const shifted = (d: number) => tensor(Array.from(base, (v, i) => (i === k ? v + d : v)), { shape: [4, 3], dtype: "float64" });
      const numerical = (loss(shifted(h)) - loss(shifted(-h))) / (2 * h);
      expect(got[k]! - Math.exp(base[k]!)).toBeCloseTo(numerical, 7);
    }
  });

  it("passes gradcheck through logSoftmax for every reduction, layout and blank", () => {
    const configs: [Tensor, number[], number[], CtcLossOptions][] = [
      [ids([1, 2, 2, 0, 3, 1, 0, 0], [2, 4]), [6, 5], [3, 2], { reduction: "mean" }],
      [ids([1, 2, 2, 3, 1]), [6, 5], [3, 2], { reduction: "sum" }],
      [ids([0, 0, 0, 2, 2, 2], [2, 3]), [6, 6], [0, 3], { reduction: "none" }],
      [ids([0, 1, 1, 2, 0]), [6, 4], [3, 2], { reduction: "none", blank: 3 }],
      [ids([1, 1, 1, 2, 3]), [4, 6], [3, 2], { reduction: "mean", zeroInfinity: true }],
    ];
    for (const [targets, inputLengths, targetLengths, opts] of configs) {
      const fn = (x: Tensor) => ctcLoss(x.logSoftmax(-1), targets, inputLengths, targetLengths, opts);
      expect(gradcheck(fn, [randn64([6, 2, 4], 3, true)]).ok).toBe(true);
    }
    const unbatched = (x: Tensor) => ctcLoss(x.logSoftmax(-1), ids([2, 2, 1]), [7], [3]);
    expect(gradcheck(unbatched, [randn64([7, 3], 4, true)]).ok).toBe(true);
  });

  it("refuses a second derivative, as PyTorch does", () => {
    const logits = randn64([4, 1, 3], 5, true);
    const loss = ctcLoss(logits.logSoftmax(-1), ids([1, 2], [1, 2]), [4], [2]);
    const [g] = grad([loss], [logits], { createGraph: true });
    expect(() => g!.pow(2).sum().backward()).toThrow(/ctcLoss: the gradient of ctcLoss cannot be differentiated again/);
  });

  it("stays finite for long sequences of tiny probabilities (log space)", () => {
    const logProbs = randn64([400, 1, 5], 9).mul(30).logSoftmax(-1).detach().requiresGrad_();
    const targets = ids(Array.from({ length: 150 }, (_, i) => 1 + (i % 4)), [1, 150]);
    const loss = ctcLoss(logProbs, targets, [400], [150], { reduction: "sum" });
    expect(Number.isFinite(loss.item()) && loss.item() > 1000).toBe(true);
    loss.backward();
    expect(Array.from(logProbs.grad!.data()).every(Number.isFinite)).toBe(true);
  });

  it("runs without the tape and leaves its arguments as they were", () => {
    const logProbs = randn64([5, 2, 3], 2).logSoftmax(-1);
    const before = Array.from(logProbs.data());
    const targets = ids([1, 2, 2, 0], [2, 2]);
    const inputLengths = [5, 4];
    const value = noGrad(() => ctcLoss(logProbs, targets, inputLengths, [2, 1], { reduction: "none" }));
    expect(value.requiresGrad).toBe(false);
    expect(value.shape).toEqual([2]);
    expect(Array.from(logProbs.data())).toEqual(before);
    expect(Array.from(targets.data())).toEqual([1, 2, 2, 0]);
    expect(inputLengths).toEqual([5, 4]);
  });

  it("rejects bad shapes, lengths, labels and options with clear messages", () => {
    const lp = randn64([5, 2, 3], 1).logSoftmax(-1);
    const t = ids([1, 2, 2, 0], [2, 2]);
    expect(() => ctcLoss(randn64([5, 2, 3, 1], 1), t, [5, 5], [2, 1])).toThrow(/ctcLoss: logProbs must have shape \(T, N, C\) or \(T, C\).*got \[5, 2, 3, 1\]/);
    expect(() => ctcLoss(lp, t, [6, 5], [2, 1])).toThrow(/ctcLoss: inputLengths\[0\] must be an integer in \[0, 5\] \(the number of steps T\), got 6/);
    expect(() => ctcLoss(lp, t, [5], [2, 1])).toThrow(/ctcLoss: inputLengths must have one entry per batch item \(2\), got 1/);
    expect(() => ctcLoss(lp, t, [5, 5], [3, 1])).toThrow(/ctcLoss: targetLengths\[0\] must be an integer in \[0, 2\] \(the padded target length\), got 3/);
    expect(() => ctcLoss(lp, ids([1, 2, 2]), [5, 5], [2, 2])).toThrow(/ctcLoss: concatenated targets have 3 labels but targetLengths sum to 4/);
    expect(() => ctcLoss(lp, ids([1, 0, 2, 0], [2, 2]), [5, 5], [2, 1])).toThrow(/ctcLoss: target 0 of batch item 0 \(position 1\) must be a class in \[0, 2\] other than the blank 0/);
    expect(() => ctcLoss(lp, ids([1, 3, 2, 0], [2, 2]), [5, 5], [2, 1])).toThrow(/target 3 of batch item 0/);
    expect(() => ctcLoss(lp, tensor([1, 2], { dtype: "float64" }), [5, 5], [1, 1])).toThrow(/ctcLoss: targets must be an int32 tensor of class indices, got float64/);
    expect(() => ctcLoss(lp, ids([1, 2, 2, 0, 1, 1], [3, 2]), [5, 5], [2, 1])).toThrow(/ctcLoss: targets must be padded \(2, S\) or 1-d concatenated/);
    expect(() => ctcLoss(lp, t, tensor([5, 5], { dtype: "float64" }), [2, 1])).toThrow(/ctcLoss: inputLengths must be a number\[\] or a 1-d int32 tensor, got float64/);
    expect(() => ctcLoss(lp, t, [5, 5], [2, 1], { blank: 3 })).toThrow(/ctcLoss: blank must be a class index in \[0, 2\], got 3/);
    expect(() => ctcLoss(lp, t, [5, 5], [2, 1], { reduction: "batchmean" as "mean" })).toThrow(/ctcLoss: reduction must be "mean", "sum" or "none", got "batchmean"/);
  });
});
