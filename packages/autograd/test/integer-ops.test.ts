import { describe, expect, it } from "vitest";
import { allclose, bitwiseNot, div, equal, isclose, pow, tensor } from "../src/index";

const i32 = (data: number[]) => tensor(data, { dtype: "int32" });

describe("integer ops", () => {
  it("pow of int32 is exact and stays int32; a negative number exponent is an error as in PyTorch", () => {
    const x = i32([3, -2, 0, 46341]);
    expect(x.pow(2).dtype).toBe("int32");
    expect(x.pow(2).tolist()).toEqual([9, 4, 0, -2147479015]); // 46341² wraps like C
    expect(i32([2]).pow(30).item()).toBe(2 ** 30);
    expect(pow(2, i32([0, 10, -1])).tolist()).toEqual([1, 1024, 0]);
    expect(i32([1, -1, -1, 2]).pow(i32([-5, -3, -2, -1])).tolist()).toEqual([1, -1, 1, 0]);
    expect(() => x.pow(-1)).toThrow(/pow: integers to negative integer powers are not allowed \(exponent -1\)/);
    expect(() => x.pow(0.5)).toThrow(/pow: expected a float tensor, got int32/);
  });

  it("division with a rounding mode: trunc and floor, float and int32; an int32 zero divisor is an error", () => {
    expect(div(i32([7, -7, 7, -7]), i32([2, 2, -2, -2]), { roundingMode: "trunc" }).tolist()).toEqual([3, -3, -3, 3]);
    expect(div(i32([7, -7, 7, -7]), i32([2, 2, -2, -2]), { roundingMode: "floor" }).tolist()).toEqual([3, -4, -4, 3]);
    expect(tensor([1, -1], { dtype: "float64" }).div(0.1, { roundingMode: "floor" }).tolist()).toEqual([9, -10]); // Python's 1 // 0.1
    expect(() => i32([1, 2]).div(i32([1, 0]), { roundingMode: "floor" })).toThrow(/div: integer division by zero \(element 1 of the divisor, shape \[2\]\)/);
    expect(() => i32([1]).fmod(0)).toThrow(/fmod: integer division by zero/);
    expect(() => tensor([1]).div(2, { roundingMode: "round" as "floor" })).toThrow(/div: unknown roundingMode "round"/);
    expect(() => i32([4]).div(2)).toThrow(/div: expected a float tensor, got int32/);
  });

  it("fmod has the sign of the dividend, remainder the sign of the divisor", () => {
    expect(i32([5, -5, 5, -5]).fmod(i32([3, 3, -3, -3])).tolist()).toEqual([2, -2, 2, -2]);
    expect(i32([5, -5, 5, -5]).remainder(i32([3, 3, -3, -3])).tolist()).toEqual([2, 1, -1, -2]);
  });

  it("bitwise ops and shifts on int32; floats are rejected", () => {
    expect(i32([12, -1]).bitwiseAnd(10).tolist()).toEqual([8, 10]);
    expect(i32([12, -1]).bitwiseOr(3).tolist()).toEqual([15, -1]);
    expect(i32([12, -1]).bitwiseXor(5).tolist()).toEqual([9, -6]);
    expect(bitwiseNot(i32([0, -1, 5])).tolist()).toEqual([-1, 0, -6]);
    expect(i32([1, -8]).bitwiseLeftShift(i32([4, 1])).tolist()).toEqual([16, -16]);
    expect(i32([-8, 8]).bitwiseRightShift(2).tolist()).toEqual([-2, 2]); // arithmetic: the sign is kept
    expect(() => tensor([1.5]).bitwiseAnd(1)).toThrow(/bitwiseAnd: expected int32 or bool tensors, got float32 \(shape \[1\]\)/);
    expect(() => bitwiseNot(tensor([1]))).toThrow(/bitwiseNot: expected int32 or bool tensors, got float32/);
  });
});

describe("closeness", () => {
  it("isclose: |a - b| <= atol + rtol·|b|, infinities close only to themselves, NaN only with equalNan", () => {
    const a = tensor([1, 1, Infinity, Infinity, NaN, 0], { dtype: "float64" });
    const b = tensor([1 + 1e-6, 1.1, Infinity, -Infinity, NaN, 1e-9], { dtype: "float64" });
    expect(isclose(a, b).tolist()).toEqual([1, 0, 1, 0, 0, 1]);
    expect(isclose(a, b, { equalNan: true }).tolist()).toEqual([1, 0, 1, 0, 1, 1]);
    expect(isclose(a, b, { rtol: 0.2 }).tolist()).toEqual([1, 1, 1, 0, 0, 1]);
    expect(isclose(a, b, { rtol: 0, atol: 0 }).tolist()).toEqual([0, 0, 1, 0, 0, 0]);
    expect(() => isclose(a, b, { rtol: -1 })).toThrow(/isclose: rtol and atol must be non-negative, got rtol -1/);
  });

  it("allclose and equal answer with a boolean", () => {
    const a = tensor([1, 2, 3], { dtype: "float64" });
    expect(allclose(a, a.add(1e-9))).toBe(true);
    expect(allclose(a, a.add(1e-3))).toBe(false);
    expect(a.allclose(tensor([[1, 2, 3]], { dtype: "float64" }))).toBe(true); // broadcasting, as PyTorch
    expect(equal(a, a.clone())).toBe(true);
    expect(a.equal(a.add(1e-15))).toBe(false);
    expect(equal(a, a.reshape([3, 1]))).toBe(false); // shapes must agree
    expect(equal(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(() => equal(a, a.to("float32"))).toThrow(/equal: dtype mismatch: float64 \(shape \[3\]\) and float32/);
  });
});
