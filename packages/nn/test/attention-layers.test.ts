import { describe, expect, it } from "vitest";
import { Generator, tensor, zeros } from "@tapegrad/autograd";
import { MultiheadAttention, TransformerEncoderLayer } from "@tapegrad/nn";
import { randn64 } from "./helpers";

const dtype = "float64" as const;

describe("MultiheadAttention", () => {
  it("has PyTorch's parameter names: one in_proj_weight, or q/k/v weights when kdim or vdim differ", () => {
    expect(Object.keys(new MultiheadAttention(4, 2).stateDict())).toEqual(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    expect(Object.keys(new MultiheadAttention(4, 2, { kdim: 3, bias: false }).stateDict())).toEqual(["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]);
    const mha = new MultiheadAttention(4, 2);
    expect(Array.from(mha.in_proj_bias!.data()).every((v) => v === 0) && Array.from(mha.out_proj.bias!.data()).every((v) => v === 0)).toBe(true);
  });

  it("isCausal is the int32 mask that hides later keys", () => {
    const mha = new MultiheadAttention(4, 2, { dtype, generator: new Generator(1) });
    const x = randn64([3, 2, 4], 2);
    const causal = tensor([[0, 1, 1], [0, 0, 1], [0, 0, 0]], { dtype: "int32" });
    const [a, wa] = mha.forward(x, x, x, { isCausal: true, averageAttnWeights: false });
    const [b, wb] = mha.forward(x, x, x, { attnMask: causal, averageAttnWeights: false });
    expect(a.tolist()).toEqual(b.tolist());
    expect(wa!.tolist()).toEqual(wb!.tolist());
    expect(wa!.select(0, 0).select(0, 0).select(0, 0).narrow(0, 1, 2).tolist()).toEqual([0, 0]);
  });

  it("drops attention weights while training: each is 0 or its eval value / (1 - p)", () => {
    const mha = new MultiheadAttention(4, 2, { dtype, dropout: 0.5, generator: new Generator(3) });
    const x = randn64([5, 2, 4], 4);
    const [, kept] = mha.forward(x, x, x, { averageAttnWeights: false });
    const [, full] = mha.eval().forward(x, x, x, { averageAttnWeights: false });
    const [k, f] = [kept!.data(), full!.data()];
    let zeros = 0;
    f.forEach((v, i) => {
      if (k[i] === 0) zeros++;
      else expect(k[i]).toBeCloseTo(v * 2, 14);
    });
    expect(zeros).toBeGreaterThan(10);
    expect(zeros).toBeLessThan(90);
  });

  it("rejects masks that hide every key of a query, wrong shapes and unknown options", () => {
    const mha = new MultiheadAttention(4, 2);
    const x = zeros([3, 2, 4]);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: tensor([[1, 1, 1], [0, 0, 0]], { dtype: "int32" }) })).toThrow(/every key is masked for query 0 of batch·head 0/);
    expect(() => mha.forward(x, x, x, { attnMask: zeros([3, 2]) })).toThrow(/attnMask must be \(3, 3\) or \(4, 3, 3\)/);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: zeros([3, 2]) })).toThrow(/keyPaddingMask must be \[2, 3\]/);
    expect(() => mha.forward(x, zeros([3, 2, 5]), x)).toThrow(/MultiheadAttention: query, key, value must be \(L, N, E\), \(S, N, kdim\), \(S, N, vdim\) with E=4, kdim=4, vdim=4/);
    expect(() => mha.forward(x, x, x, { attnMask: zeros([3, 3]), isCausal: true })).toThrow(/pass attnMask or isCausal, not both/);
    expect(() => mha.forward(x, x, x, { needWeight: false } as object)).toThrow(/MultiheadAttention.forward: unknown option "needWeight"/);
    expect(() => new MultiheadAttention(5, 2)).toThrow(/embedDim 5 must be divisible by numHeads 2/);
  });
});

describe("TransformerEncoderLayer", () => {
  it("has PyTorch's parameter names and is deterministic in eval mode despite dropout", () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dtype, generator: new Generator(5) });
    expect(Object.keys(layer.stateDict())).toEqual([
      "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
      "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
    ]);
    const x = randn64([3, 2, 4], 6);
    layer.eval();
    expect(layer.forward(x).tolist()).toEqual(layer.forward(x).tolist());
    layer.train();
    expect(layer.forward(x).tolist()).not.toEqual(layer.forward(x).tolist());
  });

  it("rejects an unknown activation or option", () => {
    expect(() => new TransformerEncoderLayer(4, 2, { activation: "silu" as "relu" })).toThrow(/activation must be "relu", "gelu" or a function, got "silu"/);
    expect(() => new TransformerEncoderLayer(4, 2, { nHead: 2 } as object)).toThrow(/TransformerEncoderLayer: unknown option "nHead"/);
  });
});
