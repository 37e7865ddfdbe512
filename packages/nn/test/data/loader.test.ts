import { describe, expect, it } from "vitest";
import { Generator, arange, tensor, type Tensor } from "@tapegrad/autograd";
import { DataLoader, Subset, TensorDataset, defaultCollate, randomSplit } from "@tapegrad/nn";
import { dataFixture, expectClose, toTensor, type FixtureTensor } from "./fixtures";

const rows = (t: Tensor) => (t.tolist() as number[][]).map((r) => r[0]);

describe("defaultCollate", () => {
  it("collates nested items like torch's default_collate (fixture)", () => {
    type Item = { x: FixtureTensor; label: number; pair: [FixtureTensor, number]; name: string };
    const { items, batch } = dataFixture<{ items: Item[]; batch: { x: FixtureTensor; label: FixtureTensor; pair: [FixtureTensor, FixtureTensor]; name: string[] } }>("default_collate");
    const ours = defaultCollate(items.map((it) => ({ x: toTensor(it.x), label: it.label, pair: [toTensor(it.pair[0]), it.pair[1]] as [Tensor, number], name: it.name })));
    expectClose(ours.x, batch.x, "x");
    expect(ours.label.dtype).toBe("int32"); // PyTorch: int64 for Python ints
    expectClose(ours.label, batch.label, "label");
    expectClose(ours.pair[0], batch.pair[0], "pair[0]");
    expect(ours.pair[1].dtype).toBe("float32"); // PyTorch: float64 for Python floats
    expectClose(ours.pair[1], batch.pair[1], "pair[1]");
    expect(ours.name).toEqual(batch.name);
  });

  it("names the item and place that does not fit", () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(/defaultCollate: item 1 is a float32 tensor of shape \[3\] but item 0 is float32 \[2\]/);
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(/item 1 has 1 elements but item 0 has 2/);
    expect(() => defaultCollate([{ a: [1, tensor(1)] }, { a: [2, 3] }])).toThrow(/item 1\.a\[1\] is number but item 0\.a\[1\] is tensor/);
    expect(() => defaultCollate([{ a: 1 }, { b: 1 }])).toThrow(/item 1 has no key "a"/);
    expect(() => defaultCollate([null])).toThrow(/cannot collate null/);
    expect(() => defaultCollate([])).toThrow(/non-empty batch/);
  });
});

describe("DataLoader", () => {
  const x = arange(0, 10).reshape([10, 1]);
  const y = arange(100, 110).reshape([10]);
  const ds = new TensorDataset(x, y);

  it("yields batches in order; length counts them, with and without dropLast", () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([bx]) => rows(bx!))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batches[2]![1]!.tolist()).toEqual([108, 109]);
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].length).toBe(2);
    expect(new DataLoader(ds).length).toBe(10);
  });

  it("shuffles with the generator: the same seed gives the same batches, each pass a new order", () => {
    const epochs = (seed: number) => {
      const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(seed) });
      return [0, 1].map(() => [...loader].map(([bx]) => rows(bx!)));
    };
    const [first, second] = epochs(11);
    expect(epochs(11)).toEqual([first, second]);
    expect(first).not.toEqual(second);
    expect(first!.flat().sort((a, b) => a! - b!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first!.map((b) => b.length)).toEqual([3, 3, 3, 1]);
  });

  it("gathers TensorDataset batches (through Subsets too) exactly as stacking the items would", () => {
    const [train] = randomSplit(ds, [0.7, 0.3], new Generator(5));
    for (const source of [ds, train!, new Subset(train!, [4, 0, 2])]) {
      const fast = [...new DataLoader(source, { batchSize: 3, shuffle: true, generator: new Generator(1) })];
      const slow = [...new DataLoader(source, { batchSize: 3, shuffle: true, generator: new Generator(1), collate: (b) => defaultCollate(b) })];
      expect(fast.map((b) => b.map((t) => t.tolist()))).toEqual(slow.map((b) => b.map((t) => t.tolist())));
      expect(fast.map((b) => b.map((t) => t.dtype))).toEqual(slow.map((b) => b.map((t) => t.dtype)));
    }
  });

  it("calls get of a dataset class that overrides it", () => {
    class Doubled extends TensorDataset {
      override get(i: number): Tensor[] {
        return super.get(i).map((t) => t.mul(2));
      }
    }
    const [[bx]] = [...new DataLoader(new Doubled(x), { batchSize: 2 })];
    expect(rows(bx!)).toEqual([0, 2]);
  });

  it("takes any { length, get } and a custom collate", () => {
    const words = { length: 5, get: (i: number) => ["a", "bb", "ccc", "dddd", "eeeee"][i]! };
    const loader = new DataLoader(words, { batchSize: 2, collate: (b) => b.join("+") });
    expect([...loader]).toEqual(["a+bb", "ccc+dddd", "eeeee"]);
  });

  it("rejects a bad batchSize, a collate that is not a function and unknown options", () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/DataLoader: batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/got 2.5/);
    expect(() => new DataLoader(ds, { collate: 3 as never })).toThrow(/collate must be a function, got 3/);
    expect(() => new DataLoader(ds, { batch_size: 4 } as never)).toThrow(/DataLoader: unknown option "batch_size"; expected one of batchSize/);
  });
});
