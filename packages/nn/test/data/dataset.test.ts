import { describe, expect, it } from "vitest";
import { Generator, arange, tensor } from "@tapegrad/autograd";
import { Subset, TensorDataset, randomSplit } from "@tapegrad/nn";
import { dataFixture } from "./fixtures";

describe("TensorDataset and Subset", () => {
  const x = arange(0, 12).reshape([4, 3]);
  const y = tensor([10, 11, 12, 13], { dtype: "int32" });

  it("item i is the i-th row of each tensor", () => {
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [xi, yi] = ds.get(2);
    expect(xi!.tolist()).toEqual([6, 7, 8]);
    expect(yi!.item()).toBe(12);
  });

  it("rejects tensors whose first dims differ, no tensors, and bad indices", () => {
    expect(() => new TensorDataset(x, tensor([1, 2, 3]))).toThrow(/TensorDataset: every tensor must have the same size in dim 0, got shapes \[4, 3\], \[3\]/);
    expect(() => new TensorDataset(x, tensor(1))).toThrow(/same size in dim 0.*\[4, 3\], \[\]/);
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(x).get(4)).toThrow(/TensorDataset: index 4 is out of range for a dataset of length 4/);
  });

  it("a Subset reads its indices in order and checks them", () => {
    const sub = new Subset(new TensorDataset(y), [3, 1]);
    expect(sub.length).toBe(2);
    expect(sub.get(0)[0]!.item()).toBe(13);
    expect(sub.get(1)[0]!.item()).toBe(11);
    expect(() => new Subset(new TensorDataset(y), [0, 4])).toThrow(/Subset: index 4 is out of range for a dataset of length 4/);
  });

  it("does not keep a reference to the caller's index array", () => {
    const indices = [0, 1];
    const sub = new Subset(new TensorDataset(y), indices);
    indices[0] = 3;
    expect(sub.get(0)[0]!.item()).toBe(10);
  });
});

describe("randomSplit", () => {
  const range = (n: number) => ({ length: n, get: (i: number) => i });

  it("turns fractions into sizes as PyTorch 1.13 does (fixture)", () => {
    const cases = dataFixture<{ n: number; lengths: number[]; sizes: number[] }[]>("random_split");
    expect(cases.length).toBe(10);
    for (const { n, lengths, sizes } of cases) {
      expect(randomSplit(range(n), lengths, new Generator(0)).map((s) => s.length), `n=${n} lengths=${lengths}`).toEqual(sizes);
    }
  });

  it("splits into disjoint subsets covering the dataset, the same for the same seed", () => {
    const parts = randomSplit(range(20), [0.5, 0.3, 0.2], new Generator(3));
    const all = parts.flatMap((p) => Array.from({ length: p.length }, (_, i) => p.get(i)));
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const again = randomSplit(range(20), [0.5, 0.3, 0.2], new Generator(3));
    expect(again.map((p) => p.indices)).toEqual(parts.map((p) => p.indices));
    expect(randomSplit(range(20), [0.5, 0.3, 0.2], new Generator(4)).map((p) => p.indices)).not.toEqual(parts.map((p) => p.indices));
  });

  it("rejects lengths that do not add up and fractions outside [0, 1]", () => {
    expect(() => randomSplit(range(10), [3, 5])).toThrow(/randomSplit: lengths \[3, 5\] sum to 8, expected the dataset length 10/);
    expect(() => randomSplit(range(10), [2.5, 7.5])).toThrow(/length 2.5 at index 0 must be a non-negative integer/);
    expect(() => randomSplit(range(10), [1.2, -0.2])).toThrow(/fraction 1.2 at index 0 is not between 0 and 1/);
    expect(() => randomSplit(range(10), [])).toThrow(/at least one length/);
  });
});
