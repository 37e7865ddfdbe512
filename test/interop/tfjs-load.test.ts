import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { loadLayersModel } from "@tapegrad/nn";
import { artifactsOf, expectClose, fromTf, predict, randomize } from "./tfjs-helpers";

const B = 3;
const T = 5;
const F = 4;
const rnnOpts = { recurrentActivation: "sigmoid" } as const;

/** (batch, time) token ids with zero padding at the end: lengths 5, 3 and 1. */
function paddedIds(): tf.Tensor {
  const lengths = [5, 3, 1];
  return tf.tensor2d(lengths.map((n, b) => Array.from({ length: T }, (_, t) => (t < n ? 1 + ((b * 7 + t * 3) % 9) : 0))), [B, T], "int32");
}

/** (batch, time, F) features whose padded steps are all zero (Masking's default mask value). */
function paddedFeatures(seed: number): tf.Tensor {
  const lengths = [T, 2, 4];
  const mask = tf.tensor3d(lengths.map((n) => Array.from({ length: T }, (_, t) => [t < n ? 1 : 0])), [B, T, 1]);
  return tf.randomNormal([B, T, F], 0, 1, "float32", seed).mul(mask);
}

const features = (seed: number) => tf.randomNormal([B, T, F], 0, 1, "float32", seed);

function sequential(layers: tf.layers.Layer[]): tf.LayersModel {
  const m = tf.sequential();
  for (const l of layers) m.add(l);
  return m;
}

interface Case {
  name: string;
  build: () => tf.LayersModel;
  inputs: () => tf.Tensor[];
}

const recurrentKinds = [
  ["SimpleRNN", (o: object) => tf.layers.simpleRNN({ units: 3, ...o })],
  ["LSTM", (o: object) => tf.layers.lstm({ units: 3, ...rnnOpts, ...o })],
  ["GRU (reset_after=false)", (o: object) => tf.layers.gru({ units: 3, ...rnnOpts, ...o })],
] as const;

const cases: Case[] = [
  ...recurrentKinds.flatMap(([kind, make]): Case[] => [
    { name: `${kind} last output + Dense(softmax)`, build: () => sequential([make({ inputShape: [T, F] }), tf.layers.dense({ units: 2, activation: "softmax" })]), inputs: () => [features(1)] },
    { name: `${kind} return_sequences + TimeDistributed(Dense)`, build: () => sequential([make({ inputShape: [T, F], returnSequences: true }), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) })]), inputs: () => [features(2)] },
    { name: `${kind} go_backwards return_sequences`, build: () => sequential([make({ inputShape: [T, F], returnSequences: true, goBackwards: true })]), inputs: () => [features(3)] },
    { name: `${kind} without bias`, build: () => sequential([make({ inputShape: [T, F], useBias: false, returnSequences: true })]), inputs: () => [features(4)] },
    { name: `${kind} Masking + go_backwards, variable lengths`, build: () => sequential([tf.layers.masking({ inputShape: [T, F] }), make({ returnSequences: true, goBackwards: true })]), inputs: () => [paddedFeatures(5)] },
    { name: `${kind} Embedding(mask_zero) + stacked, variable lengths`, build: () => sequential([tf.layers.embedding({ inputDim: 10, outputDim: F, maskZero: true, inputLength: T }), make({ returnSequences: true }), make({})]), inputs: () => [paddedIds()] },
  ]),
  { name: "SimpleRNN relu", build: () => sequential([tf.layers.simpleRNN({ units: 3, activation: "relu", inputShape: [T, F], returnSequences: true })]), inputs: () => [features(6)] },
  ...(["concat", "sum", "mul", "ave"] as const).flatMap((mergeMode): Case[] => [
    { name: `Bidirectional(LSTM) ${mergeMode}`, build: () => sequential([tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, ...rnnOpts, returnSequences: true }) as tf.RNN, mergeMode, inputShape: [T, F] }), tf.layers.dense({ units: 2, activation: "tanh" })]), inputs: () => [features(7)] },
    { name: `Bidirectional(GRU) ${mergeMode} with mask`, build: () => sequential([tf.layers.embedding({ inputDim: 10, outputDim: F, maskZero: true, inputLength: T }), tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, ...rnnOpts, returnSequences: true }) as tf.RNN, mergeMode })]), inputs: () => [paddedIds()] },
  ]),
  { name: "Bidirectional(SimpleRNN) last output with mask", build: () => sequential([tf.layers.masking({ inputShape: [T, F] }), tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3 }) as tf.RNN })]), inputs: () => [paddedFeatures(8)] },
  {
    name: "LayerNormalization, Dropout, Activation, Dense activations",
    build: () => sequential([tf.layers.dense({ units: 6, activation: "elu", inputShape: [T, F] }), tf.layers.layerNormalization({ epsilon: 1e-3 }), tf.layers.dropout({ rate: 0.3 }), tf.layers.activation({ activation: "softsign" }), tf.layers.dense({ units: 5, activation: "selu" }), tf.layers.dense({ units: 4, activation: "softplus" }), tf.layers.dense({ units: 3, activation: "hardSigmoid" }), tf.layers.dense({ units: 3, activation: "relu6" }), tf.layers.dense({ units: 2, activation: "swish" })]),
    inputs: () => [features(9).mul(3)],
  },
  {
    name: "functional: LSTM return_state and GRU return_state",
    build: () => {
      const x = tf.input({ shape: [T, F] });
      const [seq, h, c] = tf.layers.lstm({ units: 3, ...rnnOpts, returnSequences: true, returnState: true }).apply(x) as tf.SymbolicTensor[];
      const [last, g] = tf.layers.gru({ units: 2, ...rnnOpts, returnState: true }).apply(seq!) as tf.SymbolicTensor[];
      return tf.model({ inputs: x, outputs: [last!, g!, h!, c!] });
    },
    inputs: () => [features(10)],
  },
  {
    name: "functional: LSTM and GRU with initial states from other inputs",
    build: () => {
      const x = tf.input({ shape: [T, F] });
      const h = tf.input({ shape: [3] });
      const c = tf.input({ shape: [3] });
      const y = tf.layers.lstm({ units: 3, ...rnnOpts, returnSequences: true }).apply(x, { initialState: [h, c] }) as tf.SymbolicTensor;
      const z = tf.layers.gru({ units: 3, ...rnnOpts }).apply(y, { initialState: [h] }) as tf.SymbolicTensor;
      return tf.model({ inputs: [x, h, c], outputs: [y, z] });
    },
    inputs: () => [features(13), tf.randomNormal([B, 3], 0, 1, "float32", 14), tf.randomNormal([B, 3], 0, 1, "float32", 15)],
  },
  {
    name: "Bidirectional(LSTM) merge_mode null: two outputs",
    build: () => {
      const x = tf.input({ shape: [T, F] });
      const outs = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, ...rnnOpts, returnSequences: true }) as tf.RNN, mergeMode: null as never }).apply(x) as tf.SymbolicTensor[];
      return tf.model({ inputs: x, outputs: outs });
    },
    inputs: () => [features(16)],
  },
  {
    name: "functional: Bidirectional(LSTM) return_state with mask",
    build: () => {
      const x = tf.input({ shape: [T], dtype: "int32" });
      const e = tf.layers.embedding({ inputDim: 10, outputDim: F, maskZero: true }).apply(x) as tf.SymbolicTensor;
      const outs = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, ...rnnOpts, returnState: true }) as tf.RNN }).apply(e) as tf.SymbolicTensor[];
      return tf.model({ inputs: x, outputs: outs });
    },
    inputs: () => [paddedIds()],
  },
];

describe("loadLayersModel: TF.js models give TF.js's outputs", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const model = c.build();
    randomize(model, 100);
    const inputs = c.inputs();
    const expected = predict(model, inputs);
    const loaded = loadLayersModel(await artifactsOf(model)).eval();
    const actual = loaded.run(inputs.map(fromTf));
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => expectClose(a, expected[i]!));
  });

  it("a stateful LSTM carries its state across calls until resetStates", async () => {
    const model = sequential([tf.layers.lstm({ units: 3, ...rnnOpts, stateful: true, returnSequences: true, batchInputShape: [B, T, F] }), tf.layers.dense({ units: 2 })]);
    randomize(model, 200);
    const loaded = loadLayersModel(await artifactsOf(model)).eval();
    const chunks = [features(11), features(12)];
    for (const x of chunks) expectClose(loaded.forward(fromTf(x)) as never, predict(model, [x])[0]!);
    model.resetStates();
    loaded.resetStates();
    expectClose(loaded.forward(fromTf(chunks[1]!)) as never, predict(model, [chunks[1]!])[0]!);
  });
});

describe("loadLayersModel: what it rejects", () => {
  it("names the layer and the option for gates other than sigmoid and hard_sigmoid", async () => {
    const model = sequential([tf.layers.lstm({ units: 2, inputShape: [T, F], name: "odd_lstm", recurrentActivation: "tanh" })]);
    const artifacts = await artifactsOf(model);
    expect(() => loadLayersModel(artifacts)).toThrow(/layer "odd_lstm" \(LSTM\): recurrent_activation "tanh" is not supported; expected "sigmoid" or "hard_sigmoid"/);
  });

  it("names an unsupported layer class", async () => {
    const model = sequential([tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [T, F], name: "conv" })]);
    expect(() => loadLayersModel({ modelTopology: model.toJSON(null, false) as never, weightSpecs: [], weightData: new ArrayBuffer(0) })).toThrow(/layer "conv" \(Conv1D\): layer class Conv1D is not supported/);
  });

  it("rejects recurrent_dropout and masks with holes", async () => {
    const m1 = sequential([tf.layers.gru({ units: 2, ...rnnOpts, recurrentDropout: 0.2, inputShape: [T, F], name: "g" })]);
    expect(() => loadLayersModel({ modelTopology: m1.toJSON(null, false) as never, weightSpecs: [], weightData: new ArrayBuffer(0) })).toThrow(/layer "g" \(GRU\): recurrent_dropout 0.2 is not supported/);
    const m2 = sequential([tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputLength: 3 }), tf.layers.simpleRNN({ units: 2, name: "r" })]);
    const loaded = loadLayersModel(await artifactsOf(m2));
    expect(() => loaded.forward(fromTf(tf.tensor2d([[1, 0, 2]], [1, 3], "int32")))).toThrow(/layer "r" \(SimpleRNN\): sequence 0 of the batch has a masked step before an unmasked one/);
  });
});
