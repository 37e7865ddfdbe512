import { describe, expect, it } from "vitest";
import { ones, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import { BatchNorm1d, GroupNorm, Linear, Module, Parameter, RMSNorm, Sequential, decodeSafetensors, encodeSafetensors } from "@tapegrad/nn";

class Scaler extends Module {
  weight = new Parameter(ones([2]));
  declare scale: Tensor | null;
  declare cache: Tensor | null;
  declare steps: Tensor | null;
  constructor() {
    super();
    this.registerBuffer("scale", tensor([2, 3]));
    this.registerBuffer("cache", zeros([2]), false);
    this.registerBuffer("steps", zeros([], { dtype: "int32" }));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.weight).mul(this.scale!);
  }
}

describe("Module buffers", () => {
  it("are in the state dict after the parameters (persistent ones only), not in parameters()", () => {
    const m = new Scaler();
    expect(Object.keys(m.stateDict())).toEqual(["weight", "scale", "steps"]);
    expect(m.parameters()).toEqual([m.weight]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["scale", "cache", "steps"]);
    expect(m.forward(ones([2])).tolist()).toEqual([2, 3]);
  });

  it("follow PyTorch's order in nested modules: each module's parameters, buffers, then its children", () => {
    const net = new Sequential(new BatchNorm1d(2), new Linear(2, 1));
    expect(Object.keys(net.stateDict())).toEqual(["0.weight", "0.bias", "0.running_mean", "0.running_var", "0.num_batches_tracked", "1.weight", "1.bias"]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(["0.running_mean", "0.running_var", "0.num_batches_tracked"]);
  });

  it("are loaded by loadStateDict in place, and a missing buffer is a missing key", () => {
    const m = new Scaler();
    const scale = m.scale!;
    m.loadStateDict({ weight: ones([2]), scale: tensor([5, 7]), steps: tensor(4, { dtype: "int32" }) });
    expect(scale.tolist()).toEqual([5, 7]);
    expect(m.steps!.item()).toBe(4);
    expect(() => m.loadStateDict({ weight: ones([2]), steps: tensor(1, { dtype: "int32" }) })).toThrow(/missing keys: scale/);
    expect(() => m.loadStateDict({ weight: ones([2]), scale: ones([3]), steps: tensor(1, { dtype: "int32" }) })).toThrow(/size mismatch for scale/);
  });

  it("can be reassigned or set to null (then they leave the state dict)", () => {
    const m = new Scaler();
    m.scale = tensor([1, 1]);
    expect(m.stateDict().scale!.tolist()).toEqual([1, 1]);
    m.scale = null;
    expect(Object.keys(m.stateDict())).toEqual(["weight", "steps"]);
    expect(() => ((m as unknown as { steps: unknown }).steps = 3)).toThrow(/buffer "steps" must be set to a Tensor or null/);
  });

  it("are converted by .to() when floating, and int32 counters stay int32", () => {
    const m = new Scaler().to("float64");
    expect([m.weight.dtype, m.scale!.dtype, m.cache!.dtype, m.steps!.dtype]).toEqual(["float64", "float64", "float64", "int32"]);
    expect(m.forward(ones([2], { dtype: "float64" })).dtype).toBe("float64");
  });

  it("survive a safetensors round trip: running statistics and the int32 batch counter", () => {
    const bn = new BatchNorm1d(2, { dtype: "float64" });
    bn.forward(tensor([[1, 2], [3, 5], [0, -1]], { dtype: "float64" }));
    const copy = new BatchNorm1d(2, { dtype: "float64" });
    copy.loadStateDict(decodeSafetensors(encodeSafetensors(bn.stateDict())).tensors);
    for (const k of ["running_mean", "running_var", "num_batches_tracked"]) expect(copy.stateDict()[k]!.tolist(), k).toEqual(bn.stateDict()[k]!.tolist());
    expect(copy.num_batches_tracked!.dtype).toBe("int32");
    expect(copy.running_mean!.tolist()).toEqual([0.1 * (4 / 3), 0.1 * 2]);
  });

  it("reject bad names and values", () => {
    const m = new Scaler();
    expect(() => m.registerBuffer("a.b", zeros([1]))).toThrow(/registerBuffer: the name must be a non-empty string without "\."/);
    expect(() => m.registerBuffer("weight", zeros([1]))).toThrow(/"weight" is already an attribute/);
    expect(() => m.registerBuffer("x", [1, 2] as unknown as Tensor)).toThrow(/buffer "x" must be a Tensor or null/);
  });
});

describe("BatchNorm1d, GroupNorm, RMSNorm inputs", () => {
  it("BatchNorm1d rejects a wrong channel count, one value per channel while training, and a dtype mismatch", () => {
    const bn = new BatchNorm1d(3);
    expect(() => bn.forward(zeros([4, 2]))).toThrow(/BatchNorm1d: input must be \(N, 3\) or \(N, 3, L\), got shape \[4, 2\]/);
    expect(() => bn.forward(zeros([1, 3]))).toThrow(/expected more than 1 value per channel when training/);
    expect(() => bn.forward(zeros([2, 3], { dtype: "float64" }))).toThrow(/input is float64 but the layer is float32/);
    expect(() => new BatchNorm1d(3, { momentun: 0.1 } as object)).toThrow(/BatchNorm1d: unknown option "momentun"/);
    const fresh = new BatchNorm1d(3, { dtype: "float64" }).eval();
    const y = fresh.forward(tensor([[1, 2, 3]], { dtype: "float64" })).data();
    [1, 2, 3].forEach((v, i) => expect(y[i]).toBeCloseTo(v / Math.sqrt(1 + 1e-5), 14));
  });

  it("BatchNorm1d with momentum null keeps the plain average of the batch means", () => {
    const bn = new BatchNorm1d(1, { momentum: null, affine: false, dtype: "float64" });
    for (const batch of [[1, 3], [5, 7], [0, 2]]) bn.forward(tensor(batch.map((v) => [v]), { dtype: "float64" }));
    expect(bn.running_mean!.item()).toBeCloseTo((2 + 6 + 1) / 3, 14);
    expect(bn.running_var!.item()).toBeCloseTo(2, 12);
    expect(bn.num_batches_tracked!.item()).toBe(3);
  });

  it("GroupNorm and RMSNorm check their inputs", () => {
    expect(() => new GroupNorm(3, 4)).toThrow(/GroupNorm: numChannels 4 must be divisible by numGroups 3/);
    expect(() => new GroupNorm(2, 4).forward(zeros([2, 3]))).toThrow(/GroupNorm: input must be \(N, 4, \*\), got shape \[2, 3\]/);
    expect(() => new RMSNorm(4).forward(zeros([2, 3]))).toThrow(/RMSNorm: input of shape \[2, 3\] does not end in the normalized shape \[4\]/);
  });

  it("RMSNorm's default eps is the machine epsilon of the input's dtype", () => {
    for (const [dtype, eps] of [["float64", 2 ** -52], ["float32", 2 ** -23]] as const) {
      const y = new RMSNorm(2, { dtype }).forward(tensor([[3e-8, 4e-8]], { dtype }));
      expect(y.data()[0]).toBeCloseTo(3e-8 / Math.sqrt((9e-16 + 16e-16) / 2 + eps), dtype === "float64" ? 12 : 5);
    }
  });
});
