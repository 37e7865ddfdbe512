import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { mseLoss, loadLayersModel, saveLayersModel, type ModelArtifacts } from "@tapegrad/nn";
import { SGD } from "@tapegrad/optim";
import { artifactsOf, expectClose, fromTf, predict, randomize } from "./tfjs-helpers";

const rnnOpts = { recurrentActivation: "sigmoid" } as const;

function sentimentModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true, inputLength: 6 }));
  m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, ...rnnOpts, returnSequences: true }) as tf.RNN }));
  m.add(tf.layers.lstm({ units: 3, ...rnnOpts }));
  m.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));
  return m;
}

function taggerModel(): tf.LayersModel {
  const x = tf.input({ shape: [6, 3] });
  const m = tf.layers.masking({}).apply(x) as tf.SymbolicTensor;
  const r = tf.layers.simpleRNN({ units: 4, returnSequences: true, goBackwards: true }).apply(m) as tf.SymbolicTensor;
  const n = tf.layers.layerNormalization({}).apply(r) as tf.SymbolicTensor;
  const y = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: "tanh" }) }).apply(n) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

const ids = () => tf.tensor2d([[3, 1, 4, 1, 5, 9], [2, 6, 5, 0, 0, 0], [11, 0, 0, 0, 0, 0], [7, 7, 2, 8, 0, 0]], [4, 6], "int32");
const padded = () => tf.randomNormal([4, 6, 3], 0, 1, "float32", 9).mul(tf.tensor3d([6, 4, 2, 5].map((n) => Array.from({ length: 6 }, (_, t) => [t < n ? 1 : 0])), [4, 6, 1]));

describe("train an imported model in tapegrad, export it back to TF.js", () => {
  it.each([
    ["sentiment (Embedding mask_zero, Bidirectional GRU, LSTM, Dense)", sentimentModel, ids, [4, 1]],
    ["tagger (Masking, SimpleRNN go_backwards, LayerNormalization, TimeDistributed)", taggerModel, padded, [4, 6, 2]],
  ] as const)("%s", async (_name, build, input, targetShape) => {
    const model = build();
    randomize(model, 300);
    const x = input();
    const loaded = loadLayersModel(await artifactsOf(model));
    const before = loaded.forward(fromTf(x)) as never;
    expectClose(before, predict(model, [x])[0]!);

    const target = fromTf(tf.randomUniform([...targetShape], 0, 1, "float32", 5));
    const opt = new SGD(loaded.parameters(), { lr: 0.5 });
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      opt.zeroGrad();
      const loss = mseLoss(loaded.forward(fromTf(x)) as never, target);
      loss.backward();
      losses.push(loss.item());
      for (const [name, p] of loaded.namedParameters()) expect(p.grad, `gradient of ${name}`).not.toBeNull();
      opt.step();
    }
    expect(losses[3]!).toBeLessThan(losses[0]!);

    let saved: ModelArtifacts | undefined;
    await saveLayersModel(loaded, { save: (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }) });
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const mine = loaded.forward(fromTf(x)) as never;
    expectClose(mine, predict(reloaded, [x])[0]!);
    expect(() => expectClose(mine, predict(model, [x])[0]!)).toThrow();
  });

  it("saves through tf.io.withSaveHandler and rejects what it cannot save", async () => {
    const model = sentimentModel();
    const loaded = loadLayersModel(await artifactsOf(model));
    let specs: unknown;
    await saveLayersModel(loaded, tf.io.withSaveHandler(async (a) => ((specs = a.weightSpecs), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })) as never);
    expect(specs).toEqual((await artifactsOf(model)).weightSpecs);
    await expect(saveLayersModel({} as never, { save: () => ({}) as never })).rejects.toThrow(/saveLayersModel: expected a LayersModel/);
  });
});
