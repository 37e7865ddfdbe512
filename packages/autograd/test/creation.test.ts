import { describe, expect, it } from "vitest";
import { arange, eye, full, fullLike, ones, onesLike, rand, randLike, randn, randnLike, tensor, zeros, zerosLike } from "../src/index";

describe("creation", () => {
  it("tensor() from numbers, nested arrays and typed arrays, always copying", () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor(3).item()).toBe(3);
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect([t.shape, t.dtype, t.tolist()]).toEqual([[2, 3], "float32", [[1, 2, 3], [4, 5, 6]]]);
    const src = new Float64Array([1, 2, 3, 4]);
    const f = tensor(src, { shape: [2, 2] });
    expect(f.dtype).toBe("float64");
    src[0] = 100;
    expect(f.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(tensor(new Int32Array([1, -2])).dtype).toBe("int32");
    expect(tensor([1.5, 2], { dtype: "int32" }).tolist()).toEqual([1, 2]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([1, 2], { requiresGrad: true, dtype: "float64" }).requiresGrad).toBe(true);
  });

  it("zeros, ones, full and the *Like versions keep shape and dtype", () => {
    expect(zeros([2, 3]).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(ones([2], { dtype: "int32" }).dtype).toBe("int32");
    expect(full([2, 2], 7, { dtype: "float64" }).tolist()).toEqual([[7, 7], [7, 7]]);
    const base = randn([3, 1], { dtype: "float64" });
    for (const like of [zerosLike(base), onesLike(base), fullLike(base, 2), randnLike(base), randLike(base)]) {
      expect([like.shape, like.dtype]).toEqual([[3, 1], "float64"]);
    }
    expect(Array.from(fullLike(base, 2).data())).toEqual([2, 2, 2]);
    expect(onesLike(base, { dtype: "float32" }).dtype).toBe("float32");
    expect(zeros([]).shape).toEqual([]);
  });

  it("arange: int32 for integer bounds, float32 otherwise, like PyTorch's arange", () => {
    expect([arange(4).tolist(), arange(4).dtype]).toEqual([[0, 1, 2, 3], "int32"]);
    expect(arange(2, 8, 3).tolist()).toEqual([2, 5]);
    expect(arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.25).dtype).toBe("float32");
    expect(arange(3, { dtype: "float64" }).dtype).toBe("float64");
    expect(arange(0).shape).toEqual([0]);
    expect(() => arange(0, 1, 0)).toThrow("arange: invalid range start=0, end=1, step=0");
  });

  it("eye: square or rectangular identity", () => {
    expect(eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    expect(eye(2, 3, { dtype: "float64" }).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(3, { dtype: "int32" }).dtype).toBe("int32");
  });

  it("rand and randn have the asked shape and a float dtype", () => {
    expect(rand([2, 3]).shape).toEqual([2, 3]);
    expect(randn([4], { dtype: "float64", requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => randn([2], { dtype: "int32" })).toThrow("randn: dtype must be float32 or float64, got int32");
    expect(() => zeros([2, -1])).toThrow("zeros: shape must be an array of non-negative integers, got [2,-1]");
  });
});
