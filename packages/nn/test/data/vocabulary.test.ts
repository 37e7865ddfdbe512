import { describe, expect, it } from "vitest";
import { Vocabulary, tokenize } from "@tapegrad/nn";

describe("tokenize", () => {
  it("char level: every code point, spaces included", () => {
    expect(tokenize("a b😀", "char")).toEqual(["a", " ", "b", "😀"]);
  });

  it("word level: runs of letters, marks and digits; other characters alone; case kept", () => {
    expect(tokenize("Hello, world!  Don't stop\t42x", "word")).toEqual(["Hello", ",", "world", "!", "Don", "'", "t", "stop", "42x"]);
    expect(tokenize("cafe\u0301 naïve—ok", "word")).toEqual(["cafe\u0301", "naïve", "—", "ok"]);
    expect(tokenize(" \n ", "word")).toEqual([]);
  });
});

describe("Vocabulary", () => {
  // "abca" and "bd": a 2, b 2, c 1, d 1, first seen in that order.
  const texts = ["abca", "bd"];

  it("puts the specials first, then tokens by frequency, ties by first appearance", () => {
    expect(Vocabulary.build(texts).tokens).toEqual(["<pad>", "<unk>", "a", "b", "c", "d"]);
    // "zyzxy": z 2 (first at 0), y 2 (first at 1), x 1.
    expect(Vocabulary.build(["zyzxy"], { specials: {} }).tokens).toEqual(["z", "y", "x"]);
    // a appears first, but b is more frequent (2 against 1).
    expect(Vocabulary.build(["ab", "b"], { specials: {} }).tokens).toEqual(["b", "a"]);
    const all = Vocabulary.build(texts, { specials: { end: "</s>", begin: "<s>", unknown: "?", pad: "_" } });
    expect(all.tokens.slice(0, 4)).toEqual(["_", "?", "<s>", "</s>"]);
  });

  it("builds from a one-shot iterable (a generator) as from the same array", () => {
    function* generate() {
      yield* texts;
    }
    const fromGenerator = Vocabulary.build(generate());
    const fromArray = Vocabulary.build(texts);
    expect(fromGenerator.tokens).toEqual(["<pad>", "<unk>", "a", "b", "c", "d"]);
    expect(fromGenerator.tokens).toEqual(fromArray.tokens);
    expect(fromGenerator.size).toBe(6);
    expect(fromGenerator.size).toBe(fromArray.size);
  });

  it("minFrequency and maxSize (specials count towards maxSize)", () => {
    expect(Vocabulary.build(texts, { minFrequency: 2 }).tokens).toEqual(["<pad>", "<unk>", "a", "b"]);
    expect(Vocabulary.build(texts, { maxSize: 3 }).tokens).toEqual(["<pad>", "<unk>", "a"]);
    expect(Vocabulary.build(texts, { maxSize: 3 }).size).toBe(3);
  });

  it("encodes with unknown for unseen tokens and decodes without pad, begin and end", () => {
    const v = Vocabulary.build(texts, { specials: { pad: "<pad>", unknown: "<unk>", begin: "<s>", end: "</s>" } });
    // ids: <pad> 0, <unk> 1, <s> 2, </s> 3, a 4, b 5, c 6, d 7
    expect(v.encode("cab")).toEqual([6, 4, 5]);
    expect(v.encode("axb", { addBegin: true, addEnd: true })).toEqual([2, 4, 1, 5, 3]);
    expect(v.decode([2, 4, 1, 5, 3, 0, 0])).toBe("a<unk>b");
    expect(v.specialId("pad")).toBe(0);
  });

  it("word level joins decoded words with single spaces", () => {
    const v = Vocabulary.build(["the cat sat.", "The cat!"], { level: "word" });
    // cat 2; the 1, sat 1, . 1, The 1, ! 1 in order of first appearance
    expect(v.tokens).toEqual(["<pad>", "<unk>", "cat", "the", "sat", ".", "The", "!"]);
    expect(v.encode("the  dog sat!")).toEqual([3, 1, 4, 7]);
    expect(v.decode([3, 2, 4, 5])).toBe("the cat sat .");
  });

  it("round-trips through JSON", () => {
    const v = Vocabulary.build(["hello world", "hello"], { level: "word", specials: { unknown: "<unk>", end: "<eos>" } });
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.tokens).toEqual(v.tokens);
    expect(back.level).toBe("word");
    expect(back.encode("hello there")).toEqual(v.encode("hello there"));
    expect(back.specialId("end")).toBe(1);
  });

  it("gives clear errors", () => {
    const noUnknown = Vocabulary.build(texts, { specials: {} });
    expect(() => noUnknown.encode("ax")).toThrow(/Vocabulary: token "x" is not in the vocabulary, which has no unknown special/);
    expect(() => noUnknown.encode("a", { addBegin: true })).toThrow(/Vocabulary.encode: addBegin needs a begin special/);
    expect(() => noUnknown.decode([4])).toThrow(/Vocabulary.decode: id 4 is out of range for a vocabulary of size 4/);
    expect(() => Vocabulary.build(texts, { level: "sentence" as never })).toThrow(/Vocabulary.build: level must be "char" or "word", got "sentence"/);
    expect(() => Vocabulary.build("abc" as never)).toThrow(/Vocabulary.build: expected an array \(or iterable\) of texts, got one string/);
    expect(() => Vocabulary.build(texts, { minFrequency: 0 })).toThrow(/minFrequency must be a positive integer, got 0/);
    expect(() => Vocabulary.build(texts, { maxSize: 1 })).toThrow(/maxSize must be an integer >= the 2 special tokens, got 1/);
    expect(() => Vocabulary.build(texts, { specials: { pad: "x", unknown: "x" } })).toThrow(/special tokens must differ/);
    expect(() => Vocabulary.build(texts, { specials: { mask: "<m>" } as never })).toThrow(/unknown option "mask"/);
    expect(() => Vocabulary.fromJSON({ level: "char", specials: { pad: "<pad>" }, tokens: ["a"] })).toThrow(/special pad "<pad>" is not among the tokens/);
    expect(() => Vocabulary.fromJSON({ level: "char", specials: {}, tokens: ["a", "a"] })).toThrow(/token "a" at id 1 is not a string or appears twice/);
  });
});
