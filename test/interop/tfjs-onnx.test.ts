import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exportOnnx, loadLayersModel } from "@tapegrad/nn";
import { artifactsOf, expectClose, fromTf, predict, randomize } from "./tfjs-helpers";
import { expectCloseOrt, runOnnx } from "./onnx-helpers";

const sigmoidGates = { recurrentActivation: "sigmoid" } as const;

describe("exportOnnx of a model imported from TF.js", () => {
  it.each([
    ["Embedding, LSTM, Dense(sigmoid)", () => [tf.layers.embedding({ inputDim: 20, outputDim: 5, inputLength: 6 }), tf.layers.lstm({ units: 4, ...sigmoidGates }), tf.layers.dense({ units: 1, activation: "sigmoid" })], true],
    ["GRU (reset_after=false, ONNX linear_before_reset=0) sequences, TimeDistributed(Dense tanh)", () => [tf.layers.gru({ units: 4, ...sigmoidGates, returnSequences: true, inputShape: [6, 3] }), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: "tanh" }) })], false],
    ["SimpleRNN relu, LayerNormalization, Dense(relu)", () => [tf.layers.simpleRNN({ units: 4, activation: "relu", returnSequences: true, inputShape: [6, 3] }), tf.layers.layerNormalization({}), tf.layers.dense({ units: 2, activation: "relu" })], false],
  ] as const)("%s", async (_name, layers, ids) => {
    const model = tf.sequential({ layers: layers() as tf.layers.Layer[] });
    randomize(model, 500);
    const loaded = loadLayersModel(await artifactsOf(model));
    const sample = (b: number, t: number) => (ids ? fromTf(tf.randomUniform([b, t], 0, 20, "int32", b)) : fromTf(tf.randomNormal([b, t, 3], 0, 1, "float32", b)));
    const bytes = exportOnnx(loaded, sample(3, 6), { inputNames: ["x"], outputNames: ["y"], dynamicAxes: { x: [0, 1], y: ids ? [0] : [0, 1] } });
    const x = sample(5, 9);
    expectCloseOrt((await runOnnx(bytes, { x }))["y"]!, loaded.forward(x) as never);
  });

  it("a go_backwards layer exports with fixed shapes (its reversal is a constant index); with a dynamic time axis that index is named", async () => {
    const model = tf.sequential({ layers: [tf.layers.simpleRNN({ units: 2, goBackwards: true, returnSequences: true, inputShape: [4, 3] })] });
    randomize(model, 501);
    const loaded = loadLayersModel(await artifactsOf(model));
    const bytes = exportOnnx(loaded, fromTf(tf.randomNormal([2, 4, 3])), { inputNames: ["x"], outputNames: ["y"] });
    const x = fromTf(tf.randomNormal([2, 4, 3]));
    expectCloseOrt((await runOnnx(bytes, { x }))["y"]!, loaded.forward(x) as never);
    expect(() => exportOnnx(loaded, x, { dynamicAxes: { input_0: [1] } })).toThrow(/op 'indexSelect' \(shape \[8, 3\] → \[8, 3\]\): its arguments \["tensor",0,\[3,2,1,0,7,6,5,4\]\] become .* when the dynamic axes grow/);
  });
});

describe("hard_sigmoid gates (TF.js's default recurrent_activation): imported, and exported as ONNX HardSigmoid (alpha 0.2, beta 0.5)", () => {
  it.each([
    ["LSTM", () => tf.layers.lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }), true],
    ["GRU reset_after=false", () => tf.layers.gru({ units: 4, returnSequences: true, inputShape: [null, 3] }), true],
    ["bidirectional LSTM (its backward half reverses with a constant index: fixed shapes)", () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as never, inputShape: [6, 3] }), false],
  ] as const)("%s matches TF.js and onnxruntime", async (_name, layer, dynamic) => {
    const model = tf.sequential({ layers: [layer()] });
    expect(JSON.stringify(model.toJSON(null, false))).toContain('"recurrent_activation":"hard_sigmoid"');
    randomize(model, 700, 1.5); // wide enough that the gates saturate at 0 and 1
    const loaded = loadLayersModel(await artifactsOf(model));
    const bytes = exportOnnx(loaded, fromTf(tf.randomNormal([2, 6, 3], 0, 2, "float32", 1)), { inputNames: ["x"], outputNames: ["y"], dynamicAxes: dynamic ? { x: [0, 1], y: [0, 1] } : {} });
    for (const [b, t] of dynamic ? [[3, 9], [1, 2]] : [[2, 6]]) {
      const x = tf.randomNormal([b, t, 3], 0, 2, "float32", b + t);
      const ours = loaded.forward(fromTf(x)) as never;
      expectClose(ours, predict(model, [x])[0]!);
      expectCloseOrt((await runOnnx(bytes, { x: fromTf(x) }))["y"]!, ours);
    }
  });

  it("GRU reset_after=true (which TF.js cannot build; a Keras topology) matches onnxruntime's GRU with linear_before_reset=1", async () => {
    const keras = JSON.parse(readFileSync(new URL("../fixtures/keras-gru/keras_gru_reset_after.json", import.meta.url), "utf8"))[0] as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } }; weights: { name: string; shape: number[]; data: number[] }[] };
    Object.assign(keras.modelTopology.config.layers[0]!.config, { recurrent_activation: "hard_sigmoid", batch_input_shape: [null, null, 4] });
    const loaded = loadLayersModel({
      modelTopology: keras.modelTopology,
      weightSpecs: keras.weights.map(({ name, shape }) => ({ name, shape, dtype: "float32" })),
      weightData: Float32Array.from(keras.weights.flatMap((w) => w.data.map((v) => v * 3))).buffer, // scaled so that the gates saturate
    });
    const bytes = exportOnnx(loaded, fromTf(tf.randomNormal([2, 5, 4], 0, 2, "float32", 3)), { inputNames: ["x"], outputNames: ["y"], dynamicAxes: { x: [0, 1], y: [0, 1] } });
    const x = fromTf(tf.randomNormal([3, 8, 4], 0, 2, "float32", 4));
    const ours = loaded.forward(x) as never;
    expectCloseOrt((await runOnnx(bytes, { x }))["y"]!, ours);
  });
});
