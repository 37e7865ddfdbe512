import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, cat, eye, full, ones, rand, randint, randperm, split, stack, tensor, zeros, type Tensor } from "../src/index";

/** Runs fn on a fresh (3, 4) tensor, expects the error, and checks the tensor kept its values and version. */
function expectRefused(fn: (x: Tensor) => unknown, message: string | RegExp): void {
  const x = arange(12, { dtype: "float64" }).reshape([3, 4]);
  const before = Array.from(x.data());
  expect(() => fn(x)).toThrow(message);
  expect(Array.from(x.data())).toEqual(before);
  expect(x.version).toBe(0);
}

// PyTorch 1.13 refuses each of these: a float where an int is expected is a TypeError
// ("slice indices must be integers", "argument 'n' must be int, not float"), a bad size a
// RuntimeError ("Trying to create tensor with negative dimension -1", "chunk expects `chunks` to be
// greater than 0"). We raise an Error naming the op and the value.
const CASES: [string, (x: Tensor) => unknown, string | RegExp][] = [
  ["slice(0, 0.5, 2)", (x) => x.slice(0, 0.5, 2), "slice: start must be an integer, got 0.5"],
  ["slice(0, 0, 2.5)", (x) => x.slice(0, 0, 2.5), "slice: end must be an integer, got 2.5"],
  ["slice(0, NaN, 3)", (x) => x.slice(0, NaN, 3), "slice: start must be an integer, got NaN"],
  ["slice step 0", (x) => x.slice(0, 0, 3, 0), "slice: step must be a positive integer, got 0"],
  ["slice step 1.5", (x) => x.slice(0, 0, 3, 1.5), "slice: step must be a positive integer, got 1.5"],
  ["slice dim 0.5", (x) => x.slice(0.5), "slice: dim 0.5 is out of range"],
  ["narrow start NaN", (x) => x.narrow(0, NaN, 1), "narrow: start NaN and length 1 are out of range for dim 0 of size 3"],
  ["narrow length 1.5", (x) => x.narrow(0, 0, 1.5), "narrow: start 0 and length 1.5 are out of range"],
  ["select 0.5", (x) => x.select(0, 0.5), "select: index 0.5 is out of range for dim 0 of size 3"],
  ["select 3", (x) => x.select(0, 3), "select: index 3 is out of range for dim 0 of size 3"],
  ["unsqueeze 0.5", (x) => x.unsqueeze(0.5), "unsqueeze: dim 0.5 is out of range"],
  ["unsqueeze 3", (x) => x.unsqueeze(3), "unsqueeze: dim 3 is out of range for a tensor with 3 dimension(s)"],
  ["flatten 0.5", (x) => x.flatten(0.5), "flatten: dim 0.5 is out of range"],
  ["permute [0.5, 1]", (x) => x.permute([0.5, 1]), "permute: dims[0] must be an integer, got 0.5"],
  ["permute [0, 0]", (x) => x.permute([0, 0]), "permute: dims [0, 0] must be a permutation"],
  ["transpose NaN", (x) => x.transpose(NaN, 1), "transpose: dim NaN is out of range"],
  ["reshape [NaN]", (x) => x.reshape([NaN]), "reshape: shape[0] must be an integer, got NaN"],
  ["reshape [2.5, 4]", (x) => x.reshape([2.5, 4]), "reshape: shape[0] must be an integer, got 2.5"],
  ["reshape [-2, 6]", (x) => x.reshape([-2, 6]), "reshape: invalid shape [-2, 6]"],
  ["reshape [5, 3]", (x) => x.reshape([5, 3]), "reshape: shape [5, 3] is invalid for a tensor of shape [3, 4] (12 elements)"],
  ["view [Infinity]", (x) => x.view([Infinity]), "view: shape[0] must be an integer, got Infinity"],
  ["expand [3, 4.5]", (x) => x.expand([3, 4.5]), "expand: sizes[1] must be an integer >= -1, got 4.5"],
  ["expand [3, 5]", (x) => x.expand([3, 5]), "expand: cannot expand a tensor of shape [3, 4] to [3, 5]"],
  ["expand [-2, 4]", (x) => x.expand([-2, 4]), "expand: sizes[0] must be an integer >= -1, got -2"],
  ["chunk 0", (x) => x.chunk(0), "chunk: chunks must be a positive integer, got 0"],
  ["chunk 1.5", (x) => x.chunk(1.5), "chunk: chunks must be a positive integer, got 1.5"],
  ["split 0", (x) => x.split(0), "split: splitSize must be a positive integer, got 0"],
  ["split [1, 2.5]", (x) => split(x, [1, 2.5]), "split: sizes[1] must be an integer, got 2.5"],
  ["split [1, 1]", (x) => split(x, [1, 1]), "split: sizes [1, 1] must be non-negative and add up to 3"],
  ["flip 2", (x) => x.flip(2), "flip: dim 2 is out of range"],
  ["sum dim 0.5", (x) => x.sum(0.5), "sum: dim 0.5 is out of range"],
  ["softmax NaN", (x) => x.softmax(NaN), "softmax: dim NaN is out of range"],
  ["max dim 2", (x) => x.max(2), "max: dim 2 is out of range"],
  ["unbind 0.5", (x) => x.unbind(0.5), "unbind: dim 0.5 is out of range"],
  ["cat dim 0.5", (x) => cat([x, x], 0.5), "cat: dim 0.5 is out of range"],
  ["stack dim 3", (x) => stack([x, x], 3), "stack: dim 3 is out of range"],
];

describe("non-integer, NaN and out-of-range numbers raise naming the op and the value; nothing is mutated", () => {
  it.each(CASES)("%s", (_name, fn, message) => expectRefused(fn, message));

  // slice clamps an out-of-range integer start, as Python slices do; only non-integers are refused there
  it("any non-integer or out-of-range index of select and narrow, and any non-integer start of slice, raises and mutates nothing (fast-check)", () => {
    const bad = fc.oneof(
      fc.double({ noInteger: true }),
      fc.constantFrom(NaN, Infinity, -Infinity),
      fc.integer({ min: 3, max: 1e9 }),
      fc.integer({ min: -1e9, max: -4 }),
    );
    fc.assert(
      fc.property(bad, fc.constantFrom("select", "narrow", "slice"), (i, op) => {
        fc.pre(op !== "slice" || !Number.isInteger(i));
        const call = (x: Tensor) => (op === "select" ? x.select(0, i) : op === "narrow" ? x.narrow(0, i, 1) : x.slice(0, i));
        expectRefused(call, new RegExp(`^${op}: `));
      }),
    );
  });
});

// PyTorch: torch.randperm(2.5) TypeError, torch.randperm(-1) "Trying to create tensor with
// negative dimension -1", torch.zeros(0, 10**20) an overflow error, torch.arange(0, 1e13) "can't
// allocate memory: you tried to allocate 40000000000000 bytes".
describe("creation refuses sizes, counts and values it cannot honour, naming the function", () => {
  it.each<[string, () => unknown, string | RegExp]>([
    ["randperm(2.5)", () => randperm(2.5), "randperm: n must be an integer in [0, 2147483647], got 2.5"],
    ["randperm(-1)", () => randperm(-1), "randperm: n must be an integer in [0, 2147483647], got -1"],
    ["randperm(NaN)", () => randperm(NaN), "randperm: n must be an integer in [0, 2147483647], got NaN"],
    ["zeros([0, 1e20])", () => zeros([0, 1e20]), "zeros: size 100000000000000000000 in shape [0, 100000000000000000000] is larger than a tensor can hold (at most 4294967296 elements)"],
    ["zeros([1e5, 1e5])", () => zeros([1e5, 1e5]), "zeros: shape [100000, 100000] has 10000000000 elements, more than a tensor can hold (at most 4294967296)"],
    ["ones([2, -1])", () => ones([2, -1]), "ones: shape must be an array of non-negative integers, got [2,-1]"],
    ["full([2], '1')", () => full([2], "1" as unknown as number), 'full: fill value must be a number, got "1"'],
    ["rand([2.5])", () => rand([2.5]), "rand: shape must be an array of non-negative integers, got [2.5]"],
    ["arange(0, 1e12)", () => arange(0, 1e12), "arange: start=0, end=1000000000000, step=1 gives 1000000000000 elements, more than a tensor can hold (at most 4294967296)"],
    ["arange(0, 5, 0)", () => arange(0, 5, 0), "arange: invalid range start=0, end=5, step=0"],
    ["arange(NaN)", () => arange(NaN), "arange: invalid range start=0, end=NaN, step=1"],
    ["arange('5')", () => arange("5" as unknown as number), 'arange: invalid range start=0, end="5", step=1'],
    ["arange(2 ** 31 - 1, 2 ** 31 + 1) as int32", () => arange(2 ** 31 - 1, 2 ** 31 + 1), "arange: value 2147483648 (element 1) cannot be converted to int32 without overflow"],
    ["eye(2.5)", () => eye(2.5), "eye: n must be a non-negative integer, got 2.5"],
    ["eye(2, -1)", () => eye(2, -1), "eye: m must be a non-negative integer, got -1"],
    ["randint(0, 2 ** 32, [2])", () => randint(0, 2 ** 32, [2]), "randint: value 4294967295 (element 1) cannot be converted to int32 without overflow"],
    ["tensor('abc')", () => tensor("abc" as unknown as number), "tensor: expected a number at depth 0, got string"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});
