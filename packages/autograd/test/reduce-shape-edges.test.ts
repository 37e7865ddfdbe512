import { describe, expect, it } from "vitest";
import {
  arange, cross, diagonal, einsum, emptyLike, index, indexPut, kron, maskedFill, ones, pad, repeatInterleave, scatter, scatterReduce,
  sort, take, tensor, tensordot, topk, unfold, variance, zeros, type Tensor,
} from "../src/index";

const int32 = (data: number[], shape = [data.length]) => tensor(Int32Array.from(data), { shape });
const f64 = (data: number[] | number[][], shape?: number[]) => tensor(data, { dtype: "float64", shape });

describe("views, copies and inputs", () => {
  it("diagonal and unfold are views: they share storage and writes show through", () => {
    const x = arange(0, 12, { dtype: "float64" }).reshape([3, 4]);
    const d = diagonal(x, 1);
    expect(d.buf).toBe(x.buf);
    expect(d.tolist()).toEqual([1, 6, 11]);
    d.mul_(-1);
    expect(x.tolist()).toEqual([[0, -1, 2, 3], [4, 5, -6, 7], [8, 9, 10, -11]]);
    const w = unfold(x.select(0, 0), 0, 2, 1);
    expect(w.buf).toBe(x.buf);
    expect(w.tolist()).toEqual([[0, -1], [-1, 2], [2, 3]]);
  });

  it("no op changes its inputs", () => {
    const x = f64([[1, 2, 3], [4, 5, 6]]);
    const i = int32([2, 0, 2], [1, 3]);
    const src = f64([[7, 8, 9]]);
    const before = [x.tolist(), i.tolist(), src.tolist()];
    scatter(x, 1, int32([2, 0, 2].slice(0, 2), [1, 2]), src.narrow(1, 0, 2));
    scatterReduce(x, 0, int32([1, 0, 1], [1, 3]), src, "prod");
    indexPut(x, [int32([1])], 0);
    maskedFill(x, f64([1, 0, 1]), 0);
    pad(x, [1, 1], { mode: "reflect" });
    sort(x, 1, { descending: true });
    expect([x.tolist(), i.tolist(), src.tolist()]).toEqual(before);
  });
});

describe("results computed by hand", () => {
  it("scatter and indexPut: of several values for one position the last one wins", () => {
    expect(scatter(zeros([4], { dtype: "float64" }), 0, int32([1, 3, 1]), f64([5, 6, 7])).tolist()).toEqual([0, 7, 0, 6]);
    expect(indexPut(zeros([3], { dtype: "float64" }), [int32([2, 0, 2])], f64([1, 2, 3])).tolist()).toEqual([2, 0, 3]);
    expect(indexPut(zeros([3], { dtype: "float64" }), [int32([2, 0, 2])], f64([1, 2, 3]), { accumulate: true }).tolist()).toEqual([2, 0, 4]);
  });

  it("gradients add up where an index repeats", () => {
    const x = f64([1, 2, 3]).requiresGrad_();
    index(x, [int32([0, 2, 2, -1], [2, 2])]).mul(f64([[1, 10], [100, 1000]])).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 0, 1110]);
  });

  it("empty dims: prod is 1, sorts and windows are empty, topk of 0", () => {
    expect(zeros([2, 0]).prod(1).tolist()).toEqual([1, 1]);
    expect(sort(zeros([0]))[0].shape).toEqual([0]);
    expect(topk(f64([3, 1, 2]), 0)[0].shape).toEqual([0]);
    expect(unfold(f64([1, 2, 3]), 0, 0, 1).shape).toEqual([4, 0]);
    expect(emptyLike(ones([2, 3], { dtype: "int32" })).dtype).toBe("int32");
  });

  it("int32 tensors keep their dtype through sorting, scans, products and rearranging", () => {
    const x = int32([3, 1, 2, 2], [2, 2]);
    const [values, indices] = sort(x, 0);
    expect([values.dtype, values.tolist(), indices.tolist()]).toEqual(["int32", [[2, 1], [3, 2]], [[1, 0], [0, 1]]]);
    expect([x.cumsum(1).tolist(), x.prod().item(), x.all().item(), x.cummax(0)[0].tolist()]).toEqual([[[3, 4], [2, 4]], 12, 1, [[3, 1], [3, 2]]]);
    expect(repeatInterleave(x, int32([1, 2]), 0).tolist()).toEqual([[3, 1], [2, 2], [2, 2]]);
    expect(kron(x, int32([1, -1])).tolist()).toEqual([[3, -3, 1, -1], [2, -2, 2, -2]]);
  });
});

describe("bad input is a clear error naming the op, the value and what was expected", () => {
  const x = ones([2, 3]);
  const cases: [() => Tensor | Tensor[], string][] = [
    [() => einsum("ij,jk->ik", x), "einsum: 'ij,jk->ik' has subscripts for 2 operand(s), got 1"],
    [() => einsum("ijk->i", x), "einsum: subscripts 'ijk' of operand 0 name 3 dims but the operand has shape [2, 3]"],
    [() => einsum("i1->i", x), "einsum: invalid subscripts 'i1' for operand 0 in 'i1->i' (letters a-z, A-Z and at most one '...')"],
    [() => einsum("ij,ij->i", x, ones([2, 4])), "einsum: subscript 'j' has size 3 in an earlier operand but 4 in operand 1 (shape [2, 4]) of 'ij,ij->i'"],
    [() => einsum("ij->k", x), "einsum: output subscript 'k' of 'ij->k' does not appear in any operand"],
    [() => einsum("ii->i", x), "einsum: subscript 'i' is repeated in operand 0 over dims of sizes 2 and 3 (shape [2, 3] in 'ii->i')"],
    [() => einsum("ij->ii", x), "einsum: output subscript 'i' appears more than once in 'ij->ii'"],
    [() => pad(x, [1]), "pad: padding [1] must hold an even number of integers, two per padded dim, for at most the 2 dims of shape [2, 3]"],
    [() => pad(x, [3, 0], { mode: "reflect" }), "pad: reflect padding (3, 0) of dim 1 (size 3) of shape [2, 3] must be smaller than the dim's size"],
    [() => pad(x, [0, 4], { mode: "circular" }), "pad: circular padding (0, 4) of dim 1 (size 3) of shape [2, 3] must be at most the dim's size"],
    [() => pad(x, [1, 1], { mode: "wrap" as "circular" }), `pad: mode must be "constant", "reflect", "replicate" or "circular", got "wrap"`],
    [() => topk(x, 4), "topk: k must be an integer in [0, 3] (the size of dim -1 of shape [2, 3]), got 4"],
    [() => x.kthvalue(0), "kthvalue: k must be an integer in [1, 3] (the size of dim -1 of shape [2, 3]), got 0"],
    [() => scatter(x, 1, int32([0, 3], [1, 2]), 1), "scatter: index 3 is out of range [0, 3) for dim 1 of the input of shape [2, 3]"],
    [() => scatterReduce(x, 0, int32([0], [1, 1]), ones([1, 1]), "max" as "amax"), `scatterReduce: reduce must be "sum", "prod", "mean", "amax" or "amin", got "max"`],
    [() => index(x, [null, int32([3])]), "index: index 3 is out of range for dim 1 of size 3 (shape [2, 3])"],
    [() => index(x, [int32([0, 1]), int32([0, 1, 2])]), "index: shapes [2] and [3] cannot be broadcast together (dimension 0: 2 vs 3)"],
    [() => index(x, [x]), "index: indices must be int32 tensors, got float32 (shape [2, 3])"],
    [() => take(x, int32([6])), "take: index 6 is out of range for a tensor of 6 elements (shape [2, 3])"],
    [() => diagonal(x, 0, 1, -1), "diagonal: dim1 and dim2 must differ, both name dimension 1"],
    [() => unfold(x, 1, 4, 1), "unfold: size must be an integer in [0, 3] (the size of dimension 1 of shape [2, 3]), got 4"],
    [() => cross(ones([2, 4]), ones([2, 4])), "cross: expected a dimension of size 3, got shapes [2, 4] and [2, 4]"],
    [() => cross(x, x, 0), "cross: expected a dimension of size 3 at dim 0, got shapes [2, 3] and [2, 3]"],
    [() => tensordot(x, x, [[0], [1]]), "tensordot: dims [0] of shape [2, 3] and [1] of shape [2, 3] must pair up with equal sizes"],
    [() => x.repeat([2]), "repeat: got 1 repeat counts for a tensor of shape [2, 3]; expected at least 2"],
    [() => variance(int32([1, 2])), `variance: expected a float tensor, got int32 (shape [2]); convert with .to("float32")`],
    [() => maskedFill(x, ones([3, 3]), 0), "maskedFill: shapes [2, 3] and [3, 3] cannot be broadcast together (dimension 0: 2 vs 3)"],
    [() => maskedFill(x, ones([4, 1, 3]), 0), "maskedFill: mask of shape [4, 1, 3] does not broadcast to the input's shape [2, 3]"],
  ];
  for (const [fn, message] of cases) it(message.split(":")[0]! + ": " + message.slice(message.indexOf(":") + 2, message.indexOf(":") + 40), () => expect(fn).toThrow(message));
});
