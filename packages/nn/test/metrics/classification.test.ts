import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { Accuracy, ConfusionMatrix, F1Score, Precision, Recall } from "@tapegrad/nn";

// Multiclass, 3 classes: targets [0, 1, 2, 2, 1, 0], predictions [0, 2, 2, 2, 1, 1].
// Confusion matrix (rows true, columns predicted): [[1, 1, 0], [0, 1, 1], [0, 0, 2]], so per
// class tp = [1, 1, 2], fp = [0, 1, 1] (column sums minus tp), fn = [1, 1, 0] (row sums minus tp).
//   precision tp/(tp+fp) = [1, 1/2, 2/3]      macro 13/18
//   recall    tp/(tp+fn) = [1/2, 1/2, 1]      macro 2/3
//   f1 2tp/(2tp+fp+fn)   = [2/3, 1/2, 4/5]    macro 59/90
//   micro: 4 correct of 6 = 2/3 for accuracy, precision, recall and F1 alike.
const target = tensor([0, 1, 2, 2, 1, 0], { dtype: "int32" });
const labels = [0, 2, 2, 2, 1, 1];
const logits = tensor(labels.map((k, i) => [0, 1, 2].map((c) => (c === k ? 1 + i : -i))), { dtype: "float64" });

describe("multiclass Accuracy, Precision, Recall, F1Score", () => {
  const expected = [
    ["Accuracy", Accuracy, 2 / 3, 2 / 3],
    ["Precision", Precision, 13 / 18, 2 / 3],
    ["Recall", Recall, 2 / 3, 2 / 3],
    ["F1Score", F1Score, 59 / 90, 2 / 3],
  ] as const;

  for (const [name, Metric, macro, micro] of expected) {
    it(`${name}: macro and micro from logits or labels, over one batch or two`, () => {
      const m = new Metric({ task: "multiclass", numClasses: 3, average: "macro" });
      m.update(logits, target);
      expect(m.compute()).toBeCloseTo(macro, 12);
      const split = new Metric({ task: "multiclass", numClasses: 3, average: "micro" });
      split.update(logits.narrow(0, 0, 2), target.narrow(0, 0, 2));
      split.update(tensor(labels.slice(2), { dtype: "int32" }), target.narrow(0, 2, 4));
      expect(split.compute()).toBeCloseTo(micro, 12);
      split.reset();
      split.update(logits, target);
      expect(split.compute()).toBeCloseTo(micro, 12);
    });
  }

  it("defaults: micro for Accuracy, macro for the others", () => {
    const acc = new Accuracy({ task: "multiclass", numClasses: 3 });
    const prec = new Precision({ task: "multiclass", numClasses: 3 });
    acc.update(logits, target);
    prec.update(logits, target);
    expect([acc.average, prec.average]).toEqual(["micro", "macro"]);
    expect(prec.compute()).toBeCloseTo(13 / 18, 12);
  });

  it("macro leaves out classes seen nowhere and counts 0/0 as 0 for classes seen somewhere", () => {
    const four = new F1Score({ task: "multiclass", numClasses: 4 }); // class 3 never occurs
    four.update(tensor(labels, { dtype: "int32" }), target);
    expect(four.compute()).toBeCloseTo(59 / 90, 12);
    // targets [0, 0], predictions [0, 2]: class 1 occurs nowhere; class 2 only as a prediction.
    // precision [1, -, 0] -> 1/2; recall [1/2, -, 0/0 = 0] -> 1/4; f1 [2/3, -, 0] -> 1/3
    const t = tensor([0, 0], { dtype: "int32" });
    const p = tensor([0, 2], { dtype: "int32" });
    const results = [Precision, Recall, F1Score].map((M) => {
      const m = new M({ task: "multiclass", numClasses: 3 });
      m.update(p, t);
      return m.compute();
    });
    expect(results[0]).toBeCloseTo(1 / 2, 12);
    expect(results[1]).toBeCloseTo(1 / 4, 12);
    expect(results[2]).toBeCloseTo(1 / 3, 12);
  });

  it("skips ignoreIndex targets, e.g. padding of a tagged sequence", () => {
    const m = new Accuracy({ task: "multiclass", numClasses: 3, ignoreIndex: -100 });
    // (2, 3, 2): batch 2, classes 3, length 2; target (2, 2) with one padded position
    const scores = tensor([[[5, 0], [0, 5], [0, 0]], [[0, 0], [5, 0], [0, 5]]], { dtype: "float64" });
    m.update(scores, tensor([[0, 1], [1, -100]], { dtype: "int32" }));
    // predictions [[0, 1], [1, 2]]: the first three are right, the fourth is ignored
    expect(m.compute()).toBe(1);
  });
});

describe("binary metrics", () => {
  // probabilities [0.9, 0.2, 0.6, 0.4, 0.5] > 0.5 -> predictions [1, 0, 1, 0, 0] against targets
  // [1, 0, 0, 1, 1]: tp 1 (i0), fp 1 (i2), fn 2 (i3, i4), tn 1 (i1).
  // accuracy 2/5, precision 1/2, recall 1/3, f1 2/(2+1+2) = 2/5
  const probs = tensor([0.9, 0.2, 0.6, 0.4, 0.5], { dtype: "float64" });
  const logits = tensor([2, -1, 0.5, -0.3, 0], { dtype: "float64" }); // sigmoid gives the same predictions
  const truth = tensor([1, 0, 0, 1, 1], { dtype: "int32" });
  const cases = [[Accuracy, 2 / 5], [Precision, 1 / 2], [Recall, 1 / 3], [F1Score, 2 / 5]] as const;

  it("from probabilities and from logits", () => {
    for (const [M, value] of cases) {
      for (const preds of [probs, logits]) {
        const m = new M({ task: "binary" });
        m.update(preds, truth);
        expect(m.compute()).toBeCloseTo(value, 12);
      }
    }
  });

  it("with a threshold: > 0.3 predicts [1, 0, 1, 1, 1]: accuracy 4/5, precision 3/4, recall 1", () => {
    const results = [Accuracy, Precision, Recall].map((M) => {
      const m = new M({ task: "binary", threshold: 0.3 });
      m.update(probs.narrow(0, 0, 3), tensor([1, 0, 0], { dtype: "float64" }));
      m.update(probs.narrow(0, 3, 2), tensor([1, 1], { dtype: "float64" }));
      return m.compute();
    });
    expect(results).toEqual([4 / 5, 3 / 4, 1]);
  });

  it("precision with no positive prediction is 0", () => {
    const m = new Precision({ task: "binary" });
    m.update(tensor([0, 0], { dtype: "int32" }), tensor([1, 0], { dtype: "int32" }));
    expect(m.compute()).toBe(0);
  });
});

describe("ConfusionMatrix", () => {
  it("counts rows true, columns predicted, and normalizes by row, column or total", () => {
    const counts = new ConfusionMatrix({ task: "multiclass", numClasses: 3 });
    counts.update(logits.narrow(0, 0, 4), target.narrow(0, 0, 4));
    counts.update(logits.narrow(0, 4, 2), target.narrow(0, 4, 2));
    const m = counts.compute();
    expect(m.dtype).toBe("int32");
    expect(m.tolist()).toEqual([[1, 1, 0], [0, 1, 1], [0, 0, 2]]);
    const norm = (normalize: "true" | "pred" | "all") => {
      const c = new ConfusionMatrix({ task: "multiclass", numClasses: 3, normalize });
      c.update(logits, target);
      return (c.compute().tolist() as number[][]).flat();
    };
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 12));
    close(norm("true"), [1 / 2, 1 / 2, 0, 0, 1 / 2, 1 / 2, 0, 0, 1]);
    close(norm("pred"), [1, 1 / 2, 0, 0, 1 / 2, 1 / 3, 0, 0, 2 / 3]);
    close(norm("all"), [1, 1, 0, 0, 1, 1, 0, 0, 2].map((n) => n / 6));
  });

  it("binary: a 2x2 matrix of [[tn, fp], [fn, tp]]", () => {
    const c = new ConfusionMatrix({ task: "binary" });
    c.update(tensor([0.9, 0.2, 0.6, 0.4, 0.5]), tensor([1, 0, 0, 1, 1], { dtype: "int32" }));
    expect(c.compute().tolist()).toEqual([[1, 1], [2, 1]]);
  });
});

describe("classification metric errors", () => {
  it("names the metric and the shapes or values that are wrong", () => {
    const acc = new Accuracy({ task: "multiclass", numClasses: 3 });
    expect(() => acc.compute()).toThrow(/Accuracy.compute: no samples counted yet; call update first/);
    expect(() => acc.update(logits, target.narrow(0, 0, 5))).toThrow(/Accuracy.update: multiclass scores must have shape \[5, 3\].*got \[6, 3\]/);
    expect(() => acc.update(tensor([0, 1], { dtype: "int32" }), tensor([0, 3], { dtype: "int32" }))).toThrow(/target 3 at position 1 is not a class in \[0, 3\)/);
    expect(() => acc.update(tensor([0, 5], { dtype: "int32" }), tensor([0, 1], { dtype: "int32" }))).toThrow(/predicted label 5 at position 1/);
    expect(() => new Precision({ task: "binary" }).update(tensor([0.1, 0.2]), tensor([1], { dtype: "int32" }))).toThrow(/Precision.update: binary preds of shape \[2\] must have the target's shape \[1\]/);
    expect(() => new Recall({ task: "multiclass" })).toThrow(/Recall: multiclass needs numClasses, an integer >= 2, got undefined/);
    expect(() => new F1Score({ task: "multilabel" as never })).toThrow(/task must be "binary" or "multiclass", got "multilabel"/);
    expect(() => new F1Score({ task: "binary", average: "weighted" as never })).toThrow(/average must be "micro" or "macro", got "weighted"/);
    expect(() => new Accuracy({ task: "binary", topK: 2 } as never)).toThrow(/Accuracy: unknown option "topK"/);
    expect(() => new ConfusionMatrix({ task: "binary", normalize: "rows" as never })).toThrow(/normalize must be "none", "true", "pred" or "all", got "rows"/);
  });
});
