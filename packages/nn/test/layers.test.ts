import { describe, expect, it } from "vitest";
import { Generator, gradcheck, tensor, zeros } from "@tapegrad/autograd";
import { Dropout, Embedding, Identity, LayerNorm, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, dropout } from "@tapegrad/nn";
import { expectAllClose, randn64 } from "./helpers";

describe("Linear", () => {
  it("computes x Wᵀ + b over the last dim of any number of leading dims", () => {
    const lin = new Linear(2, 3, { dtype: "float64" });
    lin.loadStateDict({ weight: tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float64" }), bias: tensor([0.5, -1, 0], { dtype: "float64" }) });
    const x = tensor([[[1, -1]], [[2, 0.5]]], { dtype: "float64" });
    expect(lin.forward(x).tolist()).toEqual([[[-0.5, -2, -1]], [[3.5, 7, 13]]]);
  });

  it("starts from PyTorch's default ranges: U(±1/√in) for weight and bias", () => {
    const lin = new Linear(16, 64, { generator: new Generator(1) });
    const bound = 1 / Math.sqrt(16);
    for (const p of [lin.weight, lin.bias!]) {
      const v = Array.from(p.data());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    }
  });

  it("passes gradcheck, with and without bias", () => {
    for (const bias of [true, false]) {
      const lin = new Linear(3, 2, { dtype: "float64", bias });
      expect(gradcheck((x) => lin.forward(x!), [randn64([2, 4, 3], 1, true), ...lin.parameters()]).ok).toBe(true);
    }
  });

  it("rejects inputs with the wrong number of features", () => {
    expect(() => new Linear(3, 2).forward(zeros([2, 4]))).toThrow(/linear: input of shape \[2, 4\] does not end in 3 features/);
  });
});

describe("Embedding", () => {
  it("looks rows up for any index shape; the padding row starts at zero and gets no gradient", () => {
    const emb = new Embedding(5, 3, { paddingIdx: 0, dtype: "float64", generator: new Generator(2) });
    expect(Array.from(emb.weight.select(0, 0).data())).toEqual([0, 0, 0]);
    const ids = tensor([[0, 2], [2, 4]], { dtype: "int32" });
    const out = emb.forward(ids);
    expect(out.shape).toEqual([2, 2, 3]);
    expect(out.select(0, 1).select(0, 1).tolist()).toEqual(emb.weight.select(0, 4).tolist());
    out.mul(randn64([2, 2, 3], 3)).sum().backward();
    expect(Array.from(emb.weight.grad!.select(0, 0).data())).toEqual([0, 0, 0]);
    expect(Array.from(emb.weight.grad!.select(0, 1).data())).toEqual([0, 0, 0]);
    expect(Array.from(emb.weight.grad!.select(0, 2).data()).some((v) => v !== 0)).toBe(true);
  });

  it("rejects out-of-range and non-int32 indices", () => {
    const emb = new Embedding(5, 3);
    expect(() => emb.forward(tensor([5], { dtype: "int32" }))).toThrow(/Embedding: index 5 is out of range for 5 embeddings/);
    expect(() => emb.forward(tensor([1]))).toThrow(/Embedding: indices must be an int32 tensor, got float32/);
    expect(() => new Embedding(5, 3, { paddingIdx: 5 })).toThrow(/paddingIdx 5 is out of range/);
  });
});

describe("Dropout", () => {
  it("keeps each element with probability 1-p, scales by 1/(1-p), reproducibly from a seed, and is the identity in eval", () => {
    const x = tensor(new Float64Array(4000).fill(1));
    const a = new Dropout(0.25, { generator: new Generator(3) });
    const b = new Dropout(0.25, { generator: new Generator(3) });
    const ya = Array.from(a.forward(x).data());
    expect(ya).toEqual(Array.from(b.forward(x).data()));
    expect(new Set(ya)).toEqual(new Set([0, 1 / 0.75]));
    const kept = ya.filter((v) => v !== 0).length / ya.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.03);
    expect(a.eval().forward(x)).toBe(x);
    expect(() => dropout(x, 1.5)).toThrow("dropout: probability p must be a number in [0, 1], got 1.5");
  });
});

describe("LayerNorm", () => {
  it("normalizes over the last dims with the biased variance", () => {
    const ln = new LayerNorm(4, { dtype: "float64", eps: 0 });
    const y = ln.forward(tensor([[1, 2, 3, 4]], { dtype: "float64" }));
    const s = Math.sqrt(1.25);
    expectAllClose(y, tensor([[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]], { dtype: "float64" }), 1e-15);
  });

  it("passes gradcheck with affine parameters over two dims", () => {
    const ln = new LayerNorm([2, 3], { dtype: "float64" });
    ln.loadStateDict({ weight: randn64([2, 3], 1), bias: randn64([2, 3], 2) });
    expect(gradcheck((x) => ln.forward(x!), [randn64([4, 2, 3], 3, true), ...ln.parameters()]).ok).toBe(true);
    expect(() => ln.forward(zeros([2, 3, 2]))).toThrow(/LayerNorm: input of shape \[2, 3, 2\] does not end in the normalized shape \[2, 3\]/);
  });
});

describe("activation modules", () => {
  it("apply their functions", () => {
    const x = tensor([-1, 0, 2], { dtype: "float64" });
    expect(new ReLU().forward(x).tolist()).toEqual([0, 0, 2]);
    expect(new Tanh().forward(x).tolist()).toEqual([Math.tanh(-1), 0, Math.tanh(2)]);
    expect(new Sigmoid().forward(x).data()[1]).toBe(0.5);
    expect(new Identity().forward(x)).toBe(x);
    const z = Math.exp(-1) + 1 + Math.exp(2);
    expectAllClose(new Softmax(0).forward(x), tensor([Math.exp(-1) / z, 1 / z, Math.exp(2) / z], { dtype: "float64" }), 1e-15);
    expectAllClose(new LogSoftmax(0).forward(x), tensor([-1 - Math.log(z), -Math.log(z), 2 - Math.log(z)], { dtype: "float64" }), 1e-15);
  });
});
