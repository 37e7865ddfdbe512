import { describe, expect, it } from "vitest";
import { Generator, grad, gradcheck, tensor, type Tensor } from "@tapegrad/autograd";
import {
  BatchNorm1d, GroupNorm, LSTM, Linear, MultiheadAttention, RMSNorm, TransformerEncoderLayer, spectralNorm, weightNorm, type Module,
} from "@tapegrad/nn";
import { erf, gelu } from "../src/layers/gelu";
import { randn64 } from "./helpers";

const dtype = "float64" as const;
const ok = (fn: (...t: Tensor[]) => Tensor, inputs: Tensor[]) => gradcheck(fn, inputs).ok;
/** gradcheck of a module's output with respect to its inputs and every parameter. */
const checkModule = (m: Module, f: (...x: Tensor[]) => Tensor, inputs: Tensor[]) => ok((...t) => f(...t.slice(0, inputs.length)), [...inputs, ...m.parameters()]);

describe("gradcheck of the normalization layers (float64)", () => {
  it("BatchNorm1d in training mode on (N, C) and (N, C, L), and in eval mode", () => {
    const bn = new BatchNorm1d(3, { dtype });
    expect(checkModule(bn, (x) => bn.forward(x!), [randn64([4, 3], 1, true)])).toBe(true);
    expect(checkModule(bn, (x) => bn.forward(x!), [randn64([2, 3, 5], 2, true)])).toBe(true);
    bn.eval();
    expect(checkModule(bn, (x) => bn.forward(x!), [randn64([2, 3, 5], 3, true)])).toBe(true);
  });

  it("GroupNorm and RMSNorm", () => {
    const gn = new GroupNorm(2, 4, { dtype });
    expect(checkModule(gn, (x) => gn.forward(x!), [randn64([3, 4, 2], 4, true)])).toBe(true);
    const rms = new RMSNorm([2, 3], { dtype });
    expect(checkModule(rms, (x) => rms.forward(x!), [randn64([4, 2, 3], 5, true)])).toBe(true);
  });
});

describe("gradcheck of attention (float64)", () => {
  it("MultiheadAttention with separate key/value sizes and both masks", () => {
    const mha = new MultiheadAttention(4, 2, { dtype, kdim: 3, vdim: 5, generator: new Generator(1) });
    const pad = tensor([[0, 0, 1], [0, 0, 0]], { dtype: "int32" });
    const attn = randn64([2, 3], 6);
    const f = (q: Tensor, k: Tensor, v: Tensor) => mha.forward(q, k, v, { keyPaddingMask: pad, attnMask: attn, averageAttnWeights: false });
    expect(checkModule(mha, (q, k, v) => f(q!, k!, v!)[0], [randn64([2, 2, 4], 7, true), randn64([3, 2, 3], 8, true), randn64([3, 2, 5], 9, true)])).toBe(true);
    expect(checkModule(mha, (q, k, v) => f(q!, k!, v!)[1]!, [randn64([2, 2, 4], 7, true), randn64([3, 2, 3], 8, true), randn64([3, 2, 5], 9, true)])).toBe(true);
  });

  it("TransformerEncoderLayer with relu and with gelu, post-norm and pre-norm", () => {
    for (const [activation, normFirst] of [["relu", false], ["gelu", true]] as const) {
      const layer = new TransformerEncoderLayer(4, 2, { dtype, dimFeedforward: 6, dropout: 0, activation, normFirst, generator: new Generator(2) });
      expect(checkModule(layer, (x) => layer.forward(x!, { isCausal: true }), [randn64([3, 2, 4], 10, true)])).toBe(true);
    }
  });

  it("erf and gelu, to second order", () => {
    const x = tensor([-3.5, -1.2, -0.3, 0, 0.4, 2.2, 4], { dtype, requiresGrad: true });
    expect(ok((t) => erf(t!), [x])).toBe(true);
    expect(ok((t) => grad(erf(t!).sum(), [t!], { createGraph: true })[0]!, [x])).toBe(true);
    expect(ok((t) => gelu(t!), [x])).toBe(true);
    expect(ok((t) => grad(gelu(t!).sum(), [t!], { createGraph: true })[0]!, [x])).toBe(true);
  });
});

describe("gradcheck of the parametrizations (float64)", () => {
  it("weightNorm on a Linear (dims 0, 1, whole) and on an LSTM's recurrent weight", () => {
    for (const dim of [0, 1, null]) {
      const lin = weightNorm(new Linear(3, 2, { dtype }), "weight", dim);
      expect(checkModule(lin, (x) => lin.forward(x!), [randn64([4, 3], 11, true)])).toBe(true);
    }
    const lstm = weightNorm(new LSTM({ inputSize: 2, hiddenSize: 3, dtype }), "weight_hh_l0");
    expect(checkModule(lstm, (x) => lstm.forward(x!)[0], [randn64([4, 2, 2], 12, true)])).toBe(true);
  });

  it("spectralNorm (eval mode, where u and v stay fixed) on a Linear and an LSTM's recurrent weight", () => {
    const lin = spectralNorm(new Linear(3, 4, { dtype }), "weight", 1, 1e-12, 0, { generator: new Generator(3) });
    lin.forward(randn64([1, 3], 13));
    lin.eval();
    expect(checkModule(lin, (x) => lin.forward(x!), [randn64([2, 3], 14, true)])).toBe(true);
    const lstm = spectralNorm(new LSTM({ inputSize: 2, hiddenSize: 3, dtype }), "weight_hh_l0", 2, 1e-12, 0, { generator: new Generator(4) });
    lstm.eval();
    expect(checkModule(lstm, (x) => lstm.forward(x!)[0], [randn64([3, 2, 2], 15, true)])).toBe(true);
  });
});
