import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cat, full, linear, logSumExp, matmul, ones, rand, stack, tensor, where, zeros, type Tensor } from "../src/index";

// PyTorch 1.13: torch.tensor([3e9], dtype=torch.int32) and torch.tensor([nan], dtype=torch.int32)
// raise "value cannot be converted to type int32 without overflow"; .to(torch.int32) of 3e9 or NaN
// silently gives -2147483648, and the sum of an int32 tensor is an int64. We have no int64, so
// .to("int32") raises like the constructor and an int32 sum that int32 cannot hold raises
// (README, Differences from PyTorch).
describe("int32: no silent overflow or lossy conversion", () => {
  it.each<[string, () => unknown, string]>([
    ["tensor([3e9], int32)", () => tensor([3e9], { dtype: "int32" }), "tensor: value 3000000000 (element 0) cannot be converted to int32 without overflow (int32 holds [-2147483648, 2147483647])"],
    ["tensor([NaN], int32)", () => tensor([1, NaN], { dtype: "int32" }), "tensor: value NaN (element 1) cannot be converted to int32 without overflow"],
    ["tensor([-Infinity], int32)", () => tensor(Float64Array.from([-Infinity]), { dtype: "int32" }), "tensor: value -Infinity (element 0) cannot be converted to int32 without overflow"],
    ['.to("int32") of 3e9', () => tensor([1, 3e9], { dtype: "float64" }).to("int32"), "to: value 3000000000 (element 1) cannot be converted to int32 without overflow"],
    ['.to("int32") of Infinity', () => tensor([Infinity]).to("int32"), "to: value Infinity (element 0) cannot be converted to int32 without overflow"],
    ['.to("int32") of NaN', () => tensor([NaN]).to("int32"), "to: value NaN (element 0) cannot be converted to int32 without overflow"],
    ["full(int32, 2^31)", () => full([2], 2 ** 31, { dtype: "int32" }), "full: value 2147483648 (element 0) cannot be converted to int32 without overflow"],
    ["sum of [2e9, 2e9]", () => tensor(Int32Array.from([2e9, 2e9])).sum(), 'sum: the sum 4000000000 of an int32 tensor (shape [2]) overflows int32; convert with .to("float64") first'],
    ["sum over a dim", () => tensor(Int32Array.from([2 ** 30, 1, 2 ** 30, 2]), { shape: [2, 2] }).sum(0), "sum: the sum 2147483648 of an int32 tensor (shape [2, 2]) overflows int32"],
  ])("%s raises", (_name, fn, message) => expect(fn).toThrow(message));

  it("conversion truncates toward zero like PyTorch, and in-range sums are exact", () => {
    expect(tensor([2.7, -2.7, 2147483647.5], { dtype: "float64" }).to("int32").tolist()).toEqual([2, -2, 2147483647]);
    expect(tensor([-2147483648.9], { dtype: "int32" }).tolist()).toEqual([-2147483648]);
    expect(tensor(Int32Array.from([2 ** 31 - 1, -1, -(2 ** 31), 2 ** 31 - 1])).sum().item()).toBe(2 ** 31 - 3);
  });

  it("any int32 sum equals the exact integer sum or raises (fast-check)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 }), (values) => {
        const exact = values.reduce((a, b) => a + b, 0);
        const x = tensor(Int32Array.from(values));
        if (exact >= -(2 ** 31) && exact <= 2 ** 31 - 1) expect(x.sum().item()).toBe(exact);
        else expect(() => x.sum()).toThrow(`sum: the sum ${exact} of an int32 tensor`);
      }),
    );
  });
});

// PyTorch 1.13: torch.ones(2).add("x") "add(): argument 'other' (position 1) must be Tensor, not str";
// reshape("3") "argument 'shape' must be tuple of SymInts, not str".
describe("plain-JavaScript misuse is a clear error naming the op and what was given", () => {
  const x = ones([2, 3]);
  it.each<[string, () => unknown, string]>([
    ['add("x")', () => x.add("x" as unknown as number), 'add: expected a Tensor or a number, got "x"'],
    ["mul([1, 2])", () => x.mul([1, 2] as unknown as number), "mul: expected a Tensor or a number, got [1, 2]"],
    ["sub(undefined)", () => x.sub(undefined as unknown as number), "sub: expected a Tensor or a number, got undefined"],
    ["div(null)", () => x.div(null as unknown as number), "div: expected a Tensor or a number, got null"],
    ['pow("2")', () => x.pow("2" as unknown as number), 'pow: expected a Tensor or a number, got "2"'],
    ["maximum({})", () => x.maximum({} as unknown as number), "maximum: expected a Tensor or a number, got an object"],
    ["gt(true)", () => x.gt(true as unknown as number), "gt: expected a Tensor or a number, got true"],
    ['reshape("6")', () => x.reshape("6" as unknown as number[]), 'reshape: shape must be an array of integers, got "6"'],
    ["reshape([6n])", () => x.reshape([6n] as unknown as number[]), "reshape: shape[0] must be an integer, got 6"],
    ['permute("10")', () => x.permute("10" as unknown as number[]), 'permute: dims must be an array of integers, got "10"'],
    ["expand(3)", () => x.expand(3 as unknown as number[]), "expand: sizes must be an array of integers, got 3"],
    ["matmul(3)", () => x.matmul(3 as unknown as Tensor), "matmul: other must be a Tensor, got 3"],
    ["matmul(Float32Array)", () => matmul(new Float32Array(3) as unknown as Tensor, x), "matmul: input must be a Tensor, got a Float32Array"],
    ["linear with a number weight", () => linear(x, 2 as unknown as Tensor), "linear: weight must be a Tensor, got 2"],
    ["where(1, x, 0)", () => where(1 as unknown as Tensor, x, 0), "where: cond must be a Tensor, got 1"],
    ["cat(x)", () => cat(x as unknown as Tensor[]), "cat: expected an array of tensors, got a Tensor"],
    ["cat([x, 1])", () => cat([x, 1 as unknown as Tensor]), "cat: tensors[1] must be a Tensor, got 1"],
    ["stack([x, [1]])", () => stack([x, [1] as unknown as Tensor]), "stack: tensors[1] must be a Tensor, got [1]"],
    ['fill_("1")', () => zeros([2]).fill_("1" as unknown as number), 'fill_: value must be a number, got "1"'],
    ['zeros("3")', () => zeros("3" as unknown as number[]), 'zeros: shape must be an array of non-negative integers, got "3"'],
    ['tensor([1, "a"])', () => tensor([1, "a"] as unknown as number[]), "tensor: expected a number at depth 1, got string"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});

describe("numeric edges", () => {
  // PyTorch 1.13: torch.zeros(2, 0).logsumexp(1) = [-inf, -inf]
  it("logSumExp over an empty dim is -∞, with an empty gradient", () => {
    const x = zeros([2, 0], { dtype: "float64", requiresGrad: true });
    const y = logSumExp(x, 1);
    expect(y.tolist()).toEqual([-Infinity, -Infinity]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([2, 0]);
    expect(logSumExp(zeros([0, 3]), 0, true).tolist()).toEqual([[-Infinity, -Infinity, -Infinity]]);
  });

  // torch.rand is in [0, 1); a float64 draw above 1 - 2^-25 would round up to 1 in float32
  it("float32 rand never returns 1, even from draws that would round up to it", () => {
    const draws = { random: () => 1 - 2 ** -40 };
    const x = rand([4], { generator: draws as never });
    expect(Array.from(x.data())).toEqual(new Array(4).fill(1 - 2 ** -24));
    expect(Math.max(...rand([20000]).data())).toBeLessThan(1);
  });

  // V8 would say "Invalid typed array length: 17179869184"
  it("an op whose result no typed array can hold names the op and the shape", () => {
    const big = ones([1, 1]).expand([2 ** 17, 2 ** 17]);
    expect(() => big.contiguous()).toThrow("contiguous: shape [131072, 131072] has 17179869184 elements, more than a tensor can hold (at most 4294967296)");
    expect(() => big.exp()).toThrow("exp: shape [131072, 131072] has 17179869184 elements");
  });
});
