import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { exportOnnx, loadLayersModel } from "@tapegrad/nn";
import { artifactsOf, fromTf, randomize } from "./tfjs-helpers";
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
