import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tensor } from "@tapegrad/autograd";
import { Accuracy, ConfusionMatrix, F1Score, Precision, Recall, WordErrorRate, editDistance } from "@tapegrad/nn";

const labelled = fc.integer({ min: 2, max: 5 }).chain((C) =>
  fc.record({
    C: fc.constant(C),
    pairs: fc.array(fc.tuple(fc.integer({ min: 0, max: C - 1 }), fc.integer({ min: 0, max: C - 1 })), { minLength: 1, maxLength: 30 }),
    cut: fc.nat(),
  }),
);

describe("metric properties", () => {
  it("updating with two batches gives the same value as one batch with all the data", () => {
    fc.assert(
      fc.property(labelled, fc.constantFrom("micro", "macro"), ({ C, pairs, cut }, average) => {
        const at = cut % (pairs.length + 1);
        const int = (xs: number[]) => tensor(xs, { dtype: "int32" });
        for (const M of [Accuracy, Precision, Recall, F1Score]) {
          const whole = new M({ task: "multiclass", numClasses: C, average });
          whole.update(int(pairs.map((p) => p[0])), int(pairs.map((p) => p[1])));
          const parts = new M({ task: "multiclass", numClasses: C, average });
          for (const chunk of [pairs.slice(0, at), pairs.slice(at)].filter((c) => c.length > 0)) {
            parts.update(int(chunk.map((p) => p[0])), int(chunk.map((p) => p[1])));
          }
          expect(parts.compute()).toBe(whole.compute());
        }
      }),
      { numRuns: 50 },
    );
  });

  it("micro precision, recall and F1 of single-label multiclass data all equal accuracy", () => {
    fc.assert(
      fc.property(labelled, ({ C, pairs }) => {
        const preds = tensor(pairs.map((p) => p[0]), { dtype: "int32" });
        const target = tensor(pairs.map((p) => p[1]), { dtype: "int32" });
        const correct = pairs.filter(([p, t]) => p === t).length / pairs.length;
        const cm = new ConfusionMatrix({ task: "multiclass", numClasses: C });
        cm.update(preds, target);
        expect((cm.compute().tolist() as number[][]).flat().reduce((a, b) => a + b, 0)).toBe(pairs.length);
        for (const M of [Precision, Recall, F1Score]) {
          const m = new M({ task: "multiclass", numClasses: C, average: "micro" });
          m.update(preds, target);
          expect(m.compute()).toBeCloseTo(correct, 12);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("edit distance is a metric bounded by the lengths", () => {
    const word = fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 8 });
    fc.assert(
      fc.property(word, word, word, (a, b, c) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d === 0).toBe(a.join() === b.join());
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeLessThanOrEqual(editDistance(a, c) + editDistance(c, b));
        expect(editDistance(a.join(""), b.join(""))).toBe(d);
      }),
      { numRuns: 200 },
    );
  });

  it("word error rate over several updates is the summed distance over the summed reference length", () => {
    const sentence = fc.array(fc.constantFrom("x", "y", "z"), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(sentence, sentence), { minLength: 1, maxLength: 5 }), (pairs) => {
        const wer = new WordErrorRate();
        for (const [p, t] of pairs) wer.update(p.join(" "), t.join("  "));
        const errors = pairs.reduce((s, [p, t]) => s + editDistance(p, t), 0);
        const words = pairs.reduce((s, [, t]) => s + t.length, 0);
        expect(wer.compute()).toBeCloseTo(errors / words, 12);
      }),
      { numRuns: 50 },
    );
  });
});
