import { describe, expect, it } from "vitest";
import { tensor, zeros } from "@tapegrad/autograd";
import { Perplexity } from "@tapegrad/nn";
import { dataFixture, toTensor, type FixtureTensor } from "../data/fixtures";

interface PerplexityCase {
  name: string;
  ignoreIndex: number | null;
  logits: FixtureTensor;
  target: FixtureTensor;
  perplexity: number;
}

describe("Perplexity", () => {
  const cases = dataFixture<PerplexityCase[]>("perplexity");

  it("has the three PyTorch cases", () => expect(cases).toHaveLength(3));

  for (const c of cases) {
    it(`${c.name}: exp(crossEntropy) as PyTorch computes it, over one batch or row by row`, () => {
      const opts = c.ignoreIndex === null ? {} : { ignoreIndex: c.ignoreIndex };
      const logits = toTensor(c.logits);
      const target = toTensor(c.target);
      const whole = new Perplexity(opts);
      whole.update(logits, target);
      expect(whole.compute()).toBeCloseTo(c.perplexity, 10);
      const rows = new Perplexity(opts);
      for (let i = 0; i < logits.shape[0]!; i++) rows.update(logits.narrow(0, i, 1), target.narrow(0, i, 1));
      expect(rows.compute()).toBeCloseTo(c.perplexity, 10);
    });
  }

  it("is the number of classes for uniform logits, and resets", () => {
    const p = new Perplexity();
    p.update(zeros([2, 3, 7]), tensor([[0, 1, 2], [3, 4, 6]], { dtype: "int32" }));
    expect(p.compute()).toBeCloseTo(7, 6);
    p.reset();
    expect(() => p.compute()).toThrow(/Perplexity.compute: no targets counted yet/);
  });

  it("rejects mismatched shapes, float targets and out-of-range classes", () => {
    const p = new Perplexity({ ignoreIndex: -1 });
    expect(() => p.update(zeros([2, 3, 4]), tensor([[0, 1], [2, 3]], { dtype: "int32" }))).toThrow(/Perplexity.update: logits of shape \[2, 3, 4\] need a target of shape \[2, 3\] \(the classes last\), got \[2, 2\]/);
    expect(() => p.update(zeros([2, 4]), tensor([0, 1]))).toThrow(/expected float logits and int32 targets, got float32 and float32/);
    expect(() => p.update(zeros([2, 4]), tensor([0, 4], { dtype: "int32" }))).toThrow(/target 4 at position 1 is out of range for 4 classes/);
    p.update(zeros([2, 4]), tensor([-1, -1], { dtype: "int32" }));
    expect(() => p.compute()).toThrow(/all ignored/);
  });
});
