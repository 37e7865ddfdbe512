import * as tf from "@tensorflow/tfjs";
import { gradcheck, tensor, type Tensor } from "@tapegrad/autograd";
import { loadLayersModel } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { artifactsOf, randomize } from "./tfjs-helpers";

// The Keras layers are composites of tapegrad ops; float64 gradcheck confirms that the paths
// they add (reset-before GRU cell, masked steps, go_backwards reordering, merges) differentiate
// correctly for every weight (token ids with padding, so the mask does not move under the
// finite differences).
describe("imported Keras models: float64 gradcheck", () => {
  it.each([
    ["Embedding(mask_zero), GRU reset_after=false, go_backwards sequences", () => [tf.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 4 }), tf.layers.gru({ units: 2, recurrentActivation: "sigmoid", returnSequences: true, goBackwards: true })]],
    ["Embedding(mask_zero), Bidirectional(SimpleRNN) ave, LayerNormalization, Dense(softplus)", () => [tf.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 4 }), tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2, returnSequences: true }) as tf.RNN, mergeMode: "ave" }), tf.layers.layerNormalization({}), tf.layers.dense({ units: 2, activation: "softplus" })]],
  ] as const)("%s", async (_name, layers) => {
    const m = tf.sequential({ layers: layers() as tf.layers.Layer[] });
    randomize(m, 600);
    const model = loadLayersModel(await artifactsOf(m)).to("float64");
    const ids = tensor([[1, 2, 3, 4], [5, 1, 0, 0]], { dtype: "int32" });
    const result = gradcheck((..._weights: Tensor[]) => model.forward(ids) as Tensor, model.parameters());
    expect(result.ok, JSON.stringify(result.worst)).toBe(true);
  });
});
