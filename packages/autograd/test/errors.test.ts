import { describe, expect, it } from "vitest";
import { cat, gather, grad, indexSelect, linear, ones, randn, scatterAdd, stack, tensor, zeros } from "../src/index";

const int32 = (data: number[], shape = [data.length]) => tensor(Int32Array.from(data), { shape });

/** Bad input: a thrown Error naming the op, the shapes or dtypes, and what was expected. */
describe("bad input is a clear error", () => {
  it("mismatched shapes in elementwise ops", () => {
    expect(() => ones([2, 3]).add(ones([4]))).toThrow("add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)");
    expect(() => ones([2, 3]).mul(ones([3, 3]))).toThrow("mul: shapes [2, 3] and [3, 3] cannot be broadcast together (dimension 0: 2 vs 3)");
    expect(() => ones([2, 1]).expand([2, 3, 4])).toThrow(/expand: cannot expand a tensor of shape \[2, 1\] to \[2, 3, 4\]/);
  });

  it("mismatched shapes, dtypes in linear", () => {
    expect(() => linear(ones([2, 3]), ones([4, 5]))).toThrow("linear: input of shape [2, 3] does not end in 5 features (weight shape [4, 5])");
    expect(() => linear(ones([2, 3]), ones([4, 3]), ones([3]))).toThrow("linear: shapes [2, 4] and [3] cannot be broadcast together (dimension 1: 4 vs 3)");
    expect(() => linear(ones([2, 3]), ones([4, 3]), ones([5, 2, 4]))).toThrow("linear: bias of shape [5, 2, 4] does not broadcast to the output shape [2, 4]");
    expect(() => linear(ones([2, 3]), ones([4, 3], { dtype: "float64" }))).toThrow("linear: dtype mismatch: input float32, parameter float64 (shape [4, 3])");
  });

  it("mismatched shapes in matmul", () => {
    expect(() => ones([2, 3]).matmul(ones([4, 5]))).toThrow("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");
    expect(() => ones([3]).matmul(ones([2]))).toThrow("matmul: shapes [3] and [2] cannot be multiplied (3 != 2)");
    expect(() => ones([2, 2, 3]).matmul(ones([3, 3, 1]))).toThrow("matmul: shapes [2] and [3] cannot be broadcast together");
    expect(() => ones([]).matmul(ones([2]))).toThrow("matmul: both operands need at least 1 dim, got shapes [] and [2]");
  });

  it("dim out of range", () => {
    const x = ones([2, 3]);
    expect(() => x.sum(2)).toThrow("sum: dim 2 is out of range for a tensor of shape [2, 3] (expected an integer in [-2, 1])");
    expect(() => x.softmax(-3)).toThrow("softmax: dim -3 is out of range for a tensor of shape [2, 3]");
    expect(() => x.max(5)).toThrow("max: dim 5 is out of range for a tensor of shape [2, 3]");
    expect(() => x.transpose(0, 2)).toThrow("transpose: dim 2 is out of range for a tensor of shape [2, 3]");
    expect(() => cat([x, x], 2)).toThrow("cat: dim 2 is out of range for a tensor of shape [2, 3]");
    expect(() => x.unsqueeze(4)).toThrow("unsqueeze: dim 4 is out of range for a tensor with 3 dimension(s)");
    expect(() => x.select(1, 3)).toThrow("select: index 3 is out of range for dim 1 of size 3 (shape [2, 3])");
    expect(() => x.narrow(0, 1, 2)).toThrow("narrow: start 1 and length 2 are out of range for dim 0 of size 2 (shape [2, 3])");
  });

  it("dtype mismatch", () => {
    const f32 = ones([2]);
    const f64 = ones([2], { dtype: "float64" });
    expect(() => f32.add(f64)).toThrow("add: dtype mismatch: float32 (shape [2]) and float64 (shape [2]); convert one with .to()");
    expect(() => f32.matmul(ones([2, 2], { dtype: "float64" }))).toThrow("matmul: dtype mismatch: float32 (shape [2]) and float64 (shape [2, 2])");
    expect(() => cat([f32, f64])).toThrow("cat: dtype mismatch: float32 and float64");
    expect(() => int32([1, 2]).log()).toThrow('log: expected a float tensor, got int32 (shape [2]); convert with .to("float32")');
    expect(() => int32([1, 2]).add(0.5)).toThrow('add: cannot combine an int32 tensor (shape [2]) with the non-integer number 0.5');
  });

  it("backward of a non-scalar without gradOutput, or with a gradOutput of the wrong shape or dtype", () => {
    const x = randn([2, 3], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow("backward: a gradient can only be created implicitly for a scalar output, got shape [2, 3]; pass gradOutput");
    expect(() => y.backward(ones([3, 2]))).toThrow("backward: gradOutput is float32 of shape [3, 2], expected float32 of shape [2, 3]");
    expect(() => y.backward(ones([2, 3], { dtype: "float64" }))).toThrow("backward: gradOutput is float64 of shape [2, 3], expected float32 of shape [2, 3]");
    expect(() => ones([1]).sum().backward()).toThrow("backward: output 0 (shape []) does not require grad and has no grad_fn");
    expect(() => grad(y, x, { gradOutputs: ones([2, 3], { dtype: "float64" }) })).toThrow("grad: gradOutputs[0] is float64 of shape [2, 3], expected float32 of shape [2, 3]");
    expect(() => grad(y, x)).toThrow("grad: output 0 has shape [2, 3]; a gradient can only be created implicitly for scalar outputs, pass gradOutputs");
  });

  it("requiresGrad on int32", () => {
    expect(() => int32([1, 2]).requiresGrad_()).toThrow("requiresGrad: only float tensors can require gradients, got int32 (shape [2])");
    expect(() => zeros([3], { dtype: "int32", requiresGrad: true })).toThrow("requiresGrad: only float tensors can require gradients, got int32 (shape [3])");
  });

  it("bad index in gather, indexSelect and scatterAdd", () => {
    const x = randn([3, 4]);
    expect(() => gather(x, 1, int32([0, 4], [1, 2]))).toThrow("gather: index 4 is out of range [0, 4) for dim 1 of a tensor of shape [3, 4] (index shape [1, 2])");
    expect(() => gather(x, 0, int32([-1], [1, 1]))).toThrow("gather: index -1 is out of range [0, 3) for dim 0 of a tensor of shape [3, 4] (index shape [1, 1])");
    expect(() => gather(x, 1, int32([0, 1, 2, 3, 0], [1, 5]).reshape([1, 5]).expand([4, 5]))).toThrow(
      "gather: index of shape [4, 5] does not fit a tensor of shape [3, 4] along dim 1",
    );
    expect(() => gather(x, 1, randn([1, 2]))).toThrow("gather: index must be an int32 tensor, got float32 (shape [1, 2])");
    expect(() => indexSelect(x, 0, int32([0, 3]))).toThrow("indexSelect: index 3 is out of range [0, 3) for dim 0 of a tensor of shape [3, 4] (index shape [2])");
    expect(() => indexSelect(x, 1, int32([0, 1], [1, 2]))).toThrow("indexSelect: index must be 0-d or 1-d, got shape [1, 2]");
    expect(() => scatterAdd([2, 2], 0, int32([2], [1, 1]), ones([1, 1]))).toThrow("scatterAdd: index 2 is out of range [0, 2) for dim 0 of a tensor of shape [2, 2] (index shape [1, 1])");
  });

  it("views, joins and creation", () => {
    expect(() => ones([2, 3]).reshape([4, 2])).toThrow("reshape: shape [4, 2] is invalid for a tensor of shape [2, 3] (6 elements)");
    expect(() => ones([2, 3]).permute([0, 0])).toThrow("permute: dims [0, 0] must be a permutation of the 2 dims of a tensor of shape [2, 3]");
    expect(() => cat([ones([2, 3]), ones([3, 3])], 1)).toThrow("cat: shapes [2, 3], [3, 3] differ outside dim 1");
    expect(() => cat([ones([])])).toThrow("cat: zero-dimensional tensors cannot be concatenated (use stack)");
    expect(() => stack([ones([2]), ones([3])])).toThrow("stack: every tensor must have the same shape, got [2], [3]");
    expect(() => ones([5]).split([2, 2])).toThrow("split: sizes [2, 2] must be non-negative and add up to 5, the size of dim 0 (shape [5])");
    expect(() => tensor([[1, 2], [3]])).toThrow("tensor: ragged nested array: expected length 2 at depth 1, got 1");
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow("tensor: shape [2, 2] needs 4 values, got 3");
    expect(() => ones([2]).clamp()).toThrow("clamp: give at least one of min and max (tensor of shape [2])");
    expect(() => ones([2, 2]).item()).toThrow("item: only a tensor with one element can be converted to a number, got shape [2, 2]");
  });
});
