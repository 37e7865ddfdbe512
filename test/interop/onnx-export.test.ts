import { manualSeed, randn, randint, tensor, type Tensor } from "@tapegrad/autograd";
import { Dropout, Embedding, GRU, LayerNorm, Linear, LogSoftmax, LSTM, Module, ReLU, RNN, Sequential, Tanh, exportOnnx, readOnnxVersions } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { expectCloseOrt, runOnnx } from "./onnx-helpers";

type Kind = "RNN" | "LSTM" | "GRU";
const make = (kind: Kind, o: Record<string, unknown>) => {
  const opts = { inputSize: 3, hiddenSize: 4, ...o };
  return kind === "LSTM" ? new LSTM(opts) : kind === "GRU" ? new GRU(opts) : new RNN(opts);
};

interface Variant {
  name: string;
  opts: Record<string, unknown>;
  state?: boolean;
  lengths?: boolean;
}
const variants: Variant[] = [
  { name: "one layer", opts: {} },
  { name: "deep (3 layers)", opts: { numLayers: 3 } },
  { name: "bidirectional, 2 layers", opts: { bidirectional: true, numLayers: 2 } },
  { name: "batch-first, no bias", opts: { batchFirst: true, bias: false } },
  { name: "initial state, bidirectional, 2 layers", opts: { bidirectional: true, numLayers: 2 }, state: true },
  { name: "lengths (sequence_lens), bidirectional, 2 layers, batch-first", opts: { bidirectional: true, numLayers: 2, batchFirst: true }, lengths: true },
];

/** A model taking (x[, h0[, c0]][, lengths]) that returns the recurrent module's output and final states, flattened. */
class Wrap extends Module {
  constructor(readonly rnn: RNN | LSTM | GRU, readonly kind: Kind, readonly v: Variant) {
    super();
  }
  forward(...args: Tensor[]): Tensor[] {
    const [x, ...rest] = args as [Tensor, ...Tensor[]];
    const states = this.v.state ? rest.splice(0, this.kind === "LSTM" ? 2 : 1) : undefined;
    const opts = this.v.lengths ? { lengths: rest[0]! } : {};
    const [y, final] = (this.rnn as LSTM).forward(x, (this.kind === "LSTM" ? states : states?.[0]) as never, opts);
    return [y, ...(Array.isArray(final) ? final : [final])];
  }
}

function example(kind: Kind, v: Variant, m: RNN | LSTM | GRU, T: number, B: number): Tensor[] {
  const x = randn(m.batchFirst ? [B, T, 3] : [T, B, 3]);
  const L = m.numLayers * m.directions;
  const states = v.state ? Array.from({ length: kind === "LSTM" ? 2 : 1 }, () => randn([L, B, 4])) : [];
  const lengths = v.lengths ? [tensor(Array.from({ length: B }, (_, b) => T - (b % T)), { dtype: "int32" })] : [];
  return [x, ...states, ...lengths];
}

describe("exportOnnx: RNN / LSTM / GRU as ONNX operators, run in onnxruntime with other batch and sequence sizes", () => {
  const kinds: Kind[] = ["RNN", "LSTM", "GRU"];
  it.each(kinds.flatMap((kind) => variants.map((v) => [`${kind} ${v.name}`, kind, v] as const)))("%s", async (_name, kind, v) => {
    manualSeed(7);
    const model = new Wrap(make(kind, v.opts), kind, v);
    const inputs = example(kind, v, model.rnn, 5, 2);
    const inputNames = ["x", ...(v.state ? (kind === "LSTM" ? ["h0", "c0"] : ["h0"]) : []), ...(v.lengths ? ["lengths"] : [])];
    const outputNames = ["y", "hN", ...(kind === "LSTM" ? ["cN"] : [])];
    const seqAxis = model.rnn.batchFirst ? 1 : 0;
    const batchAxis = 1 - seqAxis;
    const dynamicAxes = {
      x: { [seqAxis]: "seq", [batchAxis]: "batch" },
      y: { [seqAxis]: "seq", [batchAxis]: "batch" },
      ...Object.fromEntries(["h0", "c0", "hN", "cN"].map((n) => [n, { 1: "batch" }])),
      ...(v.lengths ? { lengths: { 0: "batch" } } : {}),
    };
    const bytes = exportOnnx(model, inputs, { inputNames, outputNames, dynamicAxes: Object.fromEntries(Object.entries(dynamicAxes).filter(([k]) => inputNames.includes(k) || outputNames.includes(k))) });
    expect(readOnnxVersions(bytes)).toEqual({ irVersion: 8, opsets: { "": 17 } });

    const other = example(kind, v, model.rnn, 7, 3);
    const got = await runOnnx(bytes, Object.fromEntries(inputNames.map((n, i) => [n, other[i]!])));
    const expected = model.forward(...other);
    outputNames.forEach((n, i) => expectCloseOrt(got[n]!, expected[i]!));
  });
});

/** A character model: Embedding, a 2-layer LSTM, a Linear head; returns logits and the state. */
class CharModel extends Module {
  embed = new Embedding(11, 6);
  lstm = new LSTM({ inputSize: 6, hiddenSize: 8, numLayers: 2, batchFirst: true });
  head = new Linear(8, 11);
  forward(ids: Tensor, h0: Tensor, c0: Tensor): Tensor[] {
    const [y, [h, c]] = this.lstm.forward(this.embed.forward(ids), [h0, c0]);
    return [this.head.forward(y), h, c];
  }
}

/** Traced glue between modules: a gated unit with a residual and a matmul with a parameter. */
class Gated extends Module {
  a = new Linear(4, 5);
  b = new Linear(4, 5);
  proj = new Linear(5, 5, { bias: false });
  norm = new LayerNorm(5);
  forward(x: Tensor): Tensor {
    const gate = this.a.forward(x).tanh().mul(this.b.forward(x).sigmoid());
    const mixed = gate.matmul(this.proj.weight).add(gate).sub(this.b.forward(x).abs().exp().neg());
    return this.norm.forward(mixed.relu().maximum(gate).div(this.a.forward(x).abs().add(this.b.forward(x).abs()).sqrt()));
  }
}

describe("exportOnnx: models made of modules and traced ops", () => {
  it("Sequential of Linear, ReLU, Dropout, LayerNorm, Tanh, LogSoftmax (dynamic batch)", async () => {
    manualSeed(3);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Dropout(0.5), new LayerNorm(8), new Tanh(), new Linear(8, 3), new LogSoftmax(-1));
    const bytes = exportOnnx(model, randn([2, 4]), { inputNames: ["x"], outputNames: ["y"], dynamicAxes: { x: [0], y: [0] } });
    const x = randn([5, 4]);
    expectCloseOrt((await runOnnx(bytes, { x }))["y"]!, model.eval().forward(x));
    expect(model.training).toBe(false);
  });

  it("a char LSTM (Embedding, deep LSTM, Linear) with int32 ids and initial states", async () => {
    manualSeed(4);
    const model = new CharModel();
    const ex = [randint(0, 11, [2, 5]), randn([2, 2, 8]), randn([2, 2, 8])];
    const bytes = exportOnnx(model, ex, { inputNames: ["ids", "h0", "c0"], outputNames: ["logits", "h", "c"], dynamicAxes: { ids: [0, 1], h0: [1], c0: [1], logits: [0, 1], h: [1], c: [1] } });
    const other = [randint(0, 11, [3, 9]), randn([2, 3, 8]), randn([2, 3, 8])];
    const got = await runOnnx(bytes, { ids: other[0]!, h0: other[1]!, c0: other[2]! });
    model.forward(other[0]!, other[1]!, other[2]!).forEach((t, i) => expectCloseOrt(got[["logits", "h", "c"][i]!]!, t));
  });

  it("traced pointwise ops and matmul between modules", async () => {
    manualSeed(5);
    const model = new Gated();
    const bytes = exportOnnx(model, randn([3, 4]), { dynamicAxes: { input_0: [0], output_0: [0] }, opset: 18 });
    expect(readOnnxVersions(bytes)).toEqual({ irVersion: 8, opsets: { "": 18 } });
    const x = randn([6, 4]);
    expectCloseOrt((await runOnnx(bytes, { input_0: x }))["output_0"]!, model.forward(x));
  });
});

describe("exportOnnx: what it rejects", () => {
  const lin = new Linear(2, 2);
  const x = randn([1, 2]);
  it("rejects lengths given as an array and bad options", () => {
    class L extends Module {
      lstm = new LSTM({ inputSize: 2, hiddenSize: 3 });
      forward(t: Tensor): Tensor {
        return this.lstm.forward(t, undefined, { lengths: [1] })[0];
      }
    }
    expect(() => exportOnnx(new L(), randn([2, 1, 2]))).toThrow(/LSTM lengths must be an int32 tensor among the example inputs/);
    expect(() => exportOnnx(lin, x, { opset: 12 })).toThrow(/opset must be an integer from 14 to 21, got 12/);
    expect(() => exportOnnx(lin, x, { dynamic: {} } as never)).toThrow(/exportOnnx: unknown option "dynamic"/);
    expect(() => exportOnnx(lin, x, { dynamicAxes: { nope: [0] } })).toThrow(/dynamicAxes names "nope"/);
    expect(() => exportOnnx(lin, x, { inputNames: ["a"], outputNames: ["a"] })).toThrow(/output name "a" is given twice or is also an input name/);
    expect(() => exportOnnx(lin, [x, x], { inputNames: ["a", "a"] })).toThrow(/input name "a" is given twice/);
  });
});
