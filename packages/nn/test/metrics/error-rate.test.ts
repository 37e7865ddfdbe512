import { describe, expect, it } from "vitest";
import { CharErrorRate, WordErrorRate, editDistance } from "@tapegrad/nn";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    // kitten -> sitten (k/s) -> sittin (e/i) -> sitting (+g)
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("flaw", "lawn")).toBe(2); // -f, +n
    expect(editDistance("same", "same")).toBe(0);
  });

  it("compares code points in strings and elements in arrays", () => {
    expect(editDistance("😀a", "a")).toBe(1);
    expect(editDistance(["the", "cat"], ["a", "cat", "sat"])).toBe(2);
    expect(editDistance([1, 2, 3], [1, 3])).toBe(1);
  });

  it("rejects other inputs", () => {
    expect(() => editDistance(3 as never, "a")).toThrow(/editDistance: a must be a string or an array of tokens, got number/);
  });
});

describe("WordErrorRate and CharErrorRate", () => {
  const preds = ["this is the prediction", "there is an other sample"];
  const target = ["this is the reference", "there is another one"];

  it("word errors over reference words, accumulated over updates", () => {
    // 1 substitution of 4 words; an->another, other->one, -sample: 3 of 4. (1 + 3) / 8
    const wer = new WordErrorRate();
    wer.update(preds[0]!, target[0]!);
    wer.update([preds[1]!], [target[1]!]);
    expect(wer.compute()).toBe(0.5);
    const once = new WordErrorRate();
    once.update(preds, target);
    expect(once.compute()).toBe(0.5);
  });

  it("character errors over reference characters, spaces included", () => {
    const cer = new CharErrorRate();
    cer.update("abd", "abc"); // 1 of 3
    cer.update(["hello"], ["hallo"]); // 1 of 5
    expect(cer.compute()).toBe(2 / 8);
    cer.reset();
    // Each pair shares its start, so the distances are those of "prediction" -> "reference" (8)
    // and "an other sample" -> "another one" (6): 14 of 21 + 20 reference characters, the
    // 0.3415 torchmetrics documents for this example.
    cer.update(preds, target);
    expect(cer.compute()).toBeCloseTo(14 / 41, 12);
  });

  it("rejects mismatched counts and empty references", () => {
    expect(() => new WordErrorRate().update(["a", "b"], ["a"])).toThrow(/WordErrorRate: 2 predictions but 1 references; expected one reference per prediction/);
    const cer = new CharErrorRate();
    cer.update("", "");
    expect(() => cer.compute()).toThrow(/CharErrorRate.compute: the references seen so far hold no tokens/);
    expect(() => cer.update([3] as never, ["a"])).toThrow(/preds must be a string or an array of strings/);
  });
});
