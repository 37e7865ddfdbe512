import { describe, expect, it } from "vitest";
import { ones, tensor, zeros } from "@tapegrad/autograd";
import { DataLoader, Subset, TensorDataset, Vocabulary, defaultCollate, padCollate, padSequence, randomSplit, type Dataset } from "@tapegrad/nn";

const never = (v: unknown) => v as never;
const data = () => new TensorDataset(tensor([1, 2, 3, 4]));
const counting = (length: unknown): Dataset<number> => never({ length, get: (i: number) => i });

// PyTorch 1.13: DataLoader(ds, batch_size=0) "batch_size should be a positive integer value";
// shuffle="yes" is taken as true and a dataset whose __len__ returns 2.5 raises a TypeError. Here
// every such value is refused when the loader is made (and the dataset's length again per pass).
describe("datasets and loaders", () => {
  it.each<[string, () => unknown, string]>([
    ["a TensorDataset of an array", () => new TensorDataset(never([1, 2])), "TensorDataset: argument 0 must be a Tensor, got [1, 2]"],
    ["a string index", () => data().get(never("1")), 'TensorDataset: index "1" is out of range for a dataset of length 4'],
    ["a Subset of null", () => new Subset(never(null), [0]), "Subset: dataset must be a Dataset (an object with length and get(i)), got null"],
    ["a Subset of a dataset of negative length", () => new Subset(counting(-1), []), "Subset: dataset length must be a non-negative integer, got -1"],
    ["Subset indices that are a number", () => new Subset(data(), never(1)), "Subset: indices must be an array of integers, got 1"],
    ["a loader over null", () => new DataLoader(never(null)), "DataLoader: dataset must be a Dataset (an object with length and get(i)), got null"],
    ["a loader over a dataset of length 2.5", () => new DataLoader(counting(2.5)), "DataLoader: dataset length must be a non-negative integer, got 2.5"],
    ["a loader over a dataset of length NaN", () => new DataLoader(counting(NaN)), "DataLoader: dataset length must be a non-negative integer, got NaN"],
    ["a dataset without get", () => new DataLoader(never({ length: 2 })), "DataLoader: dataset must be a Dataset (an object with length and get(i)), got an object"],
    ["a string batchSize", () => new DataLoader(data(), { batchSize: never("2") }), 'DataLoader: batchSize must be a positive integer, got "2"'],
    ["a string shuffle", () => new DataLoader(data(), { shuffle: never("yes") }), 'DataLoader: shuffle must be true or false, got "yes"'],
    ["a numeric dropLast", () => new DataLoader(data(), { dropLast: never(1) }), "DataLoader: dropLast must be true or false, got 1"],
    ["a generator that is a number", () => new DataLoader(data(), { shuffle: true, generator: never(5) }), "DataLoader: generator must be a Generator, got 5"],
    ["options that are null", () => new DataLoader(data(), never(null)), "DataLoader: options must be an object, got null"],
    ["randomSplit lengths that are a number", () => randomSplit(data(), never(2)), "randomSplit: lengths must be an array of lengths or fractions, got 2"],
    ["randomSplit lengths that are strings", () => randomSplit(data(), never(["2", "2"])), 'randomSplit: length "2" at index 0 must be a non-negative integer'],
    ["a randomSplit generator that is a number", () => randomSplit(data(), [2, 2], never(3)), "randomSplit: generator must be a Generator, got 3"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));

  it("a dataset whose length turns bad between passes is caught at the next pass", () => {
    const ds = { length: 3, get: (i: number) => i };
    const loader = new DataLoader(ds, { batchSize: 2 });
    expect([...loader].map((b) => b.tolist())).toEqual([[0, 1], [2]]);
    ds.length = -1;
    expect(() => [...loader]).toThrow("DataLoader: dataset length must be a non-negative integer, got -1");
    expect(() => loader.length).toThrow("DataLoader: dataset length must be a non-negative integer, got -1");
  });
});

// PyTorch 1.13: default_collate of [3e9, 1] gives an int64 tensor and pad_sequence of bools with
// padding_value=0.5 pads with True; there is no int64 here, and a bool pad must be 0 or 1.
describe("collating and padding", () => {
  it.each<[string, () => unknown, string]>([
    ["a batch that is a string", () => defaultCollate(never("ab")), 'defaultCollate: batch must be an array of items, got "ab"'],
    ["integers beyond int32", () => defaultCollate([3e9, 1]), "defaultCollate: item 0 is the integer 3000000000, outside int32 (there is no int64); put such numbers in a float64 tensor"],
    ["integers beyond int32 inside pairs", () => defaultCollate([[zeros([1]), 1], [zeros([1]), -3e9]]), "defaultCollate: item 1[1] is the integer -3000000000, outside int32"],
    ["sequences that are one tensor", () => padSequence(never(zeros([2]))), "padSequence: sequences must be a non-empty list of tensors, got a Tensor"],
    ["a string paddingValue", () => padSequence([zeros([2]), zeros([1])], { paddingValue: never("1") }), 'padSequence: paddingValue must be a number, got "1"'],
    ["an int32 paddingValue beyond int32", () => padSequence([zeros([2], { dtype: "int32" })], { paddingValue: 3e9 }), "padSequence: paddingValue 3000000000 must be an integer for int32 sequences, within int32's range"],
    ["a bool paddingValue of 0.5", () => padSequence([ones([2]).gt(0), ones([1]).gt(0)], { paddingValue: 0.5 }), "padSequence: paddingValue 0.5 must be 0 or 1 for bool sequences"],
    ["a string batchFirst", () => padSequence([zeros([2])], { batchFirst: never("y") }), 'padSequence: batchFirst must be true or false, got "y"'],
    ["a padCollate batch that is not an array", () => padCollate(never(undefined)), "padCollate: batch must be a non-empty array of [sequence, target] pairs, got undefined"],
    ["token ids beyond int32", () => padCollate([[[3e9, 2], 0], [[1], 1]]), "padCollate: the sequence of item 0 must be a tensor or an array of integer token ids, got [3000000000,2]"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));

  it("padding leaves the sequences as they were", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4]);
    expect(padSequence([a, b], { batchFirst: true, paddingValue: -1 }).tolist()).toEqual([[1, 2, 3], [4, -1, -1]]);
    expect([a.tolist(), b.tolist(), a.version, b.version]).toEqual([[1, 2, 3], [4], 0, 0]);
  });
});

describe("vocabularies", () => {
  const vocab = () => Vocabulary.build(["ab"]);
  it.each<[string, () => unknown, string]>([
    ["texts that are a number", () => Vocabulary.build(never(3)), "Vocabulary.build: expected an array (or iterable) of texts, got 3"],
    ["a text that is a number", () => Vocabulary.build(never(["a", 3])), "Vocabulary.build: text 1 must be a string, got 3"],
    ["encoding a number", () => vocab().encode(never(3)), "Vocabulary.encode: text must be a string, got 3"],
    ["decoding a string", () => vocab().decode(never("12")), 'Vocabulary.decode: ids must be an array (or iterable) of token ids, got "12"'],
    ["decoding a string id", () => vocab().decode(never(["1"])), 'Vocabulary.decode: id "1" is out of range for a vocabulary of size 4'],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});
