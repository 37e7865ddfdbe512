import { describe, expect, it } from "vitest";
import { grad, gradcheck, indexSelect, logSumExp, stack, tensor, where } from "../src/index";

const scalar = (v: number) => tensor(v, { dtype: "float64", requiresGrad: true });

/** 0-d tensors: dim 0 and -1 are valid and reduce nothing, as in PyTorch. */
describe("0-d tensors", () => {
  it("reductions and softmax over dim 0 of a 0-d tensor", () => {
    const x = scalar(2);
    expect(x.sum(0).item()).toBe(2);
    expect(x.mean(-1).item()).toBe(2);
    expect(x.softmax(0).item()).toBe(1);
    expect(x.logSoftmax(0).item()).toBe(0);
    expect(logSumExp(x, 0).item()).toBe(2);
    const [v, i] = x.max(0);
    expect([v.shape, v.item(), i.item()]).toEqual([[], 2, 0]);
    expect(grad(v, x)[0]!.item()).toBe(1);
    expect(gradcheck((t) => t.max(0)[0]!.mul(t), [x]).ok).toBe(true);
  });

  it("stack, indexSelect and where with 0-d operands", () => {
    expect(stack([tensor(1), tensor(2)]).tolist()).toEqual([1, 2]);
    expect(indexSelect(tensor(5), 0, tensor(new Int32Array([0, 0]))).tolist()).toEqual([5, 5]);
    expect(where(tensor([1, 0]), 1, 0).tolist()).toEqual([1, 0]);
    expect(() => tensor([1, 2]).transpose(0, 1)).toThrow("transpose: dim 1 is out of range for a tensor of shape [2]");
  });
});
