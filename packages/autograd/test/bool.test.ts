import { describe, expect, it } from "vitest";
import { DTYPES, full, ones, tensor, where, zeros } from "../src/index";

const f64 = (data: number[]) => tensor(data, { dtype: "float64" });
const mask = (data: number[]) => tensor(data, { dtype: "bool" });

describe("bool dtype", () => {
  it("is stored as bytes; creation maps every non-zero value (NaN too) to 1", () => {
    expect(DTYPES).toContain("bool");
    const m = tensor([0, 2, -0.5, NaN, -0], { dtype: "bool" });
    expect(m.dtype).toBe("bool");
    expect(m.data()).toBeInstanceOf(Uint8Array);
    expect(m.tolist()).toEqual([0, 1, 1, 1, 0]);
    expect(tensor(new Uint8Array([0, 7, 1])).tolist()).toEqual([0, 1, 1]);
    expect(zeros([2], { dtype: "bool" }).tolist()).toEqual([0, 0]);
    expect(ones([2], { dtype: "bool" }).tolist()).toEqual([1, 1]);
    expect(full([2], 256, { dtype: "bool" }).tolist()).toEqual([1, 1]); // not 256 mod 256
  });

  it("comparisons and predicates return bool masks of the broadcast shape", () => {
    const x = f64([1, 2, NaN]);
    for (const m of [x.gt(1), x.lt(2), x.ge(2), x.le(2), x.eq(2), x.ne(2), x.isnan(), x.isinf(), x.isfinite(), x.isclose(2)]) expect(m.dtype).toBe("bool");
    expect(x.ne(x).tolist()).toEqual([0, 0, 1]); // NaN != NaN
    expect(tensor([[1], [3]], { dtype: "int32" }).gt(tensor([0, 2], { dtype: "int32" })).tolist()).toEqual([[1, 0], [1, 1]]);
  });

  it("casts: to bool is x != 0 (NaN is true); from bool gives 0/1", () => {
    expect(f64([0, -0, 0.1, NaN, -3]).to("bool").tolist()).toEqual([0, 0, 1, 1, 1]);
    expect(tensor([0, 5], { dtype: "int32" }).to("bool").tolist()).toEqual([0, 1]);
    const m = mask([1, 0, 1]);
    expect(m.to("float64").tolist()).toEqual([1, 0, 1]);
    expect(m.to("int32").dtype).toBe("int32");
  });

  it("sum counts the true elements as int32; mean is an error", () => {
    const m = tensor([[1, 0, 1], [1, 1, 0]], { dtype: "bool" });
    expect(m.sum().dtype).toBe("int32");
    expect(m.sum().item()).toBe(4);
    expect(m.sum(1).tolist()).toEqual([2, 2]);
    expect(() => m.mean()).toThrow(/mean: expected a float tensor, got bool/);
  });

  it("promotes in arithmetic as PyTorch: to the other tensor's dtype, to int32 beside an integer, to float32 beside a fraction", () => {
    const m = mask([1, 0]);
    const x = f64([2.5, 4]);
    expect(x.mul(m).dtype).toBe("float64");
    expect(x.mul(m).tolist()).toEqual([2.5, 0]);
    expect(m.add(x).tolist()).toEqual([3.5, 4]);
    expect(m.add(1).dtype).toBe("int32");
    expect(m.add(1).tolist()).toEqual([2, 1]);
    expect(m.mul(2.5).dtype).toBe("float32");
    expect(m.add(tensor([2, 3], { dtype: "int32" })).tolist()).toEqual([3, 3]);
  });

  it("rejects what it does not implement, naming the op", () => {
    const m = mask([1, 0]);
    expect(() => m.add(m)).toThrow(/add: both operands are bool/);
    expect(() => m.sub(m)).toThrow(/sub: both operands are bool/);
    expect(() => m.neg()).toThrow(/neg: expected a float tensor, got bool/);
    expect(() => m.exp()).toThrow(/exp: expected a float tensor, got bool/);
    expect(() => m.div(m)).toThrow(/div: expected a float tensor, got bool/);
    expect(() => tensor([1], { dtype: "bool", requiresGrad: true })).toThrow(/only float tensors can require gradients, got bool/);
    expect(m.bitwiseLeftShift(1).tolist()).toEqual([2, 0]); // promoted to int32 beside an integer
    expect(() => m.bitwiseLeftShift(m)).toThrow(/bitwiseLeftShift: expected int32 tensors, got bool/);
  });

  it("logical ops: bitwiseAnd/Or/Xor/Not on bool masks", () => {
    const a = mask([1, 1, 0, 0]);
    const b = mask([1, 0, 1, 0]);
    expect(a.bitwiseAnd(b).tolist()).toEqual([1, 0, 0, 0]);
    expect(a.bitwiseOr(b).tolist()).toEqual([1, 1, 1, 0]);
    expect(a.bitwiseXor(b).tolist()).toEqual([0, 1, 1, 0]);
    expect(a.bitwiseNot().tolist()).toEqual([0, 0, 1, 1]);
    expect(a.bitwiseNot().dtype).toBe("bool");
  });

  it("where takes a bool mask; two numbers give float32, a float64 branch float64", () => {
    const m = mask([1, 0, 1]);
    expect(where(m, 1, 0).dtype).toBe("float32");
    expect(where(m, f64([1, 2, 3]), -1).dtype).toBe("float64");
    expect(where(m, f64([1, 2, 3]), -1).tolist()).toEqual([1, -1, 3]);
    expect(f64([1, 2, 3]).where(f64([1, 2, 3]).gt(1), 0).tolist()).toEqual([0, 2, 3]);
  });

  it("a comparison's mask multiplies into float tensors of either precision", () => {
    const x = tensor([-1, 2, 3], { dtype: "float64", requiresGrad: true });
    const y = x.mul(x.gt(0)).sum();
    y.backward();
    expect(y.item()).toBe(5);
    expect(x.grad!.tolist()).toEqual([0, 1, 1]);
    expect(tensor([1, -2]).mul(tensor([1, -2]).lt(0)).dtype).toBe("float32");
  });
});
