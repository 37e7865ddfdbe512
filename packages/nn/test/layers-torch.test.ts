import { describe, expect, it } from "vitest";
import { tensor, type Tensor } from "@tapegrad/autograd";
import {
  BatchNorm1d, GRU, GroupNorm, LSTM, Linear, MultiheadAttention, RMSNorm, RNN, TransformerEncoderLayer,
  removeSpectralNorm, removeWeightNorm, spectralNorm, weightNorm, type Module,
} from "@tapegrad/nn";
import { expectMatches, fromJson, readJson, type JsonTensor } from "./torch-json";

type FixtureTensor = JsonTensor & { dtype?: "bool" | "int64" };
interface Call {
  mode: "train" | "eval";
  inputs: Record<string, FixtureTensor>;
  options: Record<string, unknown>;
  outputs: FixtureTensor[];
  cotangents: FixtureTensor[];
}
interface Parametrize {
  kind: "weight_norm" | "spectral_norm";
  name: string;
  dim: number | null;
  nPowerIterations?: number;
  eps?: number;
}
interface LayerCase {
  name: string;
  module: string;
  config: Record<string, unknown>;
  parametrize: Parametrize[];
  initial_state: Record<string, FixtureTensor>;
  calls: Call[];
  grads: Record<string, FixtureTensor>;
  final_state: Record<string, FixtureTensor>;
  removed_state?: Record<string, FixtureTensor>;
}

const { cases } = readJson<{ cases: LayerCase[] }>(new URL("./fixtures/layers/layers.json", import.meta.url));

/** Floats as float64 (requiring grad where asked); bool masks as int32 with 1 = True, int64 as int32. */
function load(t: FixtureTensor, requiresGrad = false): Tensor {
  if (t.dtype) return tensor(t.data.map((v) => Number(v)), { shape: t.shape, dtype: "int32" });
  return fromJson(t, "float64", requiresGrad);
}

const dtype = "float64" as const;
const builders: Record<string, (c: Record<string, any>) => Module> = {
  BatchNorm1d: (c) => new BatchNorm1d(c.numFeatures, { dtype, eps: c.eps, momentum: c.momentum, affine: c.affine, trackRunningStats: c.trackRunningStats }),
  GroupNorm: (c) => new GroupNorm(c.numGroups, c.numChannels, { dtype, eps: c.eps, affine: c.affine }),
  RMSNorm: (c) => new RMSNorm(c.normalizedShape, { dtype, eps: c.eps, elementwiseAffine: c.elementwiseAffine }),
  MultiheadAttention: (c) => new MultiheadAttention(c.embedDim, c.numHeads, { dtype, kdim: c.kdim, vdim: c.vdim, batchFirst: c.batchFirst, bias: c.bias }),
  TransformerEncoderLayer: (c) => new TransformerEncoderLayer(c.dModel, c.nhead, { dtype, dimFeedforward: c.dimFeedforward, dropout: c.dropout, activation: c.activation, layerNormEps: c.layerNormEps, batchFirst: c.batchFirst, normFirst: c.normFirst }),
  Linear: (c) => new Linear(c.inFeatures, c.outFeatures, { dtype }),
  LSTM: (c) => new LSTM({ dtype, inputSize: c.inputSize, hiddenSize: c.hiddenSize, bidirectional: c.bidirectional }),
  GRU: (c) => new GRU({ dtype, inputSize: c.inputSize, hiddenSize: c.hiddenSize, bidirectional: c.bidirectional }),
  RNN: (c) => new RNN({ dtype, inputSize: c.inputSize, hiddenSize: c.hiddenSize, bidirectional: c.bidirectional }),
};

const flat = (out: unknown): Tensor[] => (Array.isArray(out) ? out.flatMap(flat) : out === null ? [] : [out as Tensor]);

function run(m: Module, kind: string, a: Record<string, Tensor>, o: Record<string, unknown>): Tensor[] {
  const f = m as unknown as { forward(...args: unknown[]): unknown };
  if (kind === "MultiheadAttention") return flat(f.forward(a.query, a.key, a.value, { keyPaddingMask: a.key_padding_mask, attnMask: a.attn_mask, ...o }));
  if (kind === "TransformerEncoderLayer") return flat(f.forward(a.src, { srcMask: a.src_mask, srcKeyPaddingMask: a.src_key_padding_mask }));
  return flat(f.forward(a.x));
}

function build(c: LayerCase): Module {
  const m = builders[c.module === "LSTM" || c.module === "GRU" || c.module === "RNN" ? (c.config.kind as string) : c.module]!(c.config);
  for (const p of c.parametrize) {
    if (p.kind === "weight_norm") weightNorm(m, p.name, p.dim);
    else spectralNorm(m, p.name, p.nPowerIterations, p.eps, p.dim ?? 0);
  }
  return m;
}

function expectState(actual: Record<string, Tensor>, expected: Record<string, FixtureTensor>, label: string): void {
  expect(Object.keys(actual), `${label}: keys`).toEqual(Object.keys(expected));
  for (const [k, t] of Object.entries(expected)) expectMatches(actual[k]!.to("float64"), t, `${label} ${k}`);
}

describe("layers against PyTorch 1.13 (float64)", () => {
  it("has every generated case", () => {
    expect(cases.length).toBe(25);
  });

  for (const c of cases) {
    it(`${c.name}: the state dict loads unchanged; outputs, gradients and updated state match`, () => {
      const m = build(c);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.initial_state));
      m.loadStateDict(Object.fromEntries(Object.entries(c.initial_state).map(([k, t]) => [k, load(t)])));
      const leaves: [string, Tensor][] = [];
      let loss: Tensor | null = null;
      c.calls.forEach((call, i) => {
        m.train(call.mode === "train");
        const inputs = Object.fromEntries(Object.entries(call.inputs).map(([k, t]) => [k, load(t, `${i}.${k}` in c.grads)]));
        leaves.push(...Object.entries(inputs).filter(([k]) => `${i}.${k}` in c.grads).map(([k, t]): [string, Tensor] => [`${i}.${k}`, t]));
        const outs = run(m, c.module, inputs, call.options);
        expect(outs.length, `call ${i}: number of outputs`).toBe(call.outputs.length);
        outs.forEach((o, j) => expectMatches(o, call.outputs[j]!, `call ${i} output ${j}`));
        const part = outs.map((o, j) => o.mul(fromJson(call.cotangents[j]!)).sum()).reduce((x, y) => x.add(y));
        loss = loss ? loss.add(part) : part;
      });
      loss!.backward();
      for (const [name, t] of leaves) expectMatches(t.grad, c.grads[name]!, `grad of input ${name}`);
      const params = m.namedParameters();
      expect(params.map(([n]) => n).sort()).toEqual(Object.keys(c.grads).filter((k) => !/^\d+\./.test(k)).sort());
      for (const [name, p] of params) expectMatches(p.grad, c.grads[name]!, `grad of ${name}`);
      expectState(m.stateDict(), c.final_state, "state after the calls");
      if (c.removed_state) {
        for (const p of c.parametrize) (p.kind === "weight_norm" ? removeWeightNorm : removeSpectralNorm)(m, p.name);
        expectState(m.stateDict(), c.removed_state, "state after removal");
      }
    });
  }
});
