import type { Runnable } from "../harness";
import { loadTF, type NodeImpl } from "../impls";

type TF = Awaited<ReturnType<typeof loadTF>>;
type LayersModel = ReturnType<TF["sequential"]>;

/** One training step through optimizer.minimize (tf.variableGrads underneath). */
function trainer(tf: TF, model: LayersModel, optimizer: ReturnType<TF["train"]["adam"]>, loss: () => ReturnType<TF["scalar"]>): Runnable {
  return {
    step: () => {
      const cost = optimizer.minimize(loss, true);
      cost?.dataSync();
      cost?.dispose();
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      void tf;
    },
  };
}

// TF.js layers are batch-major: (batch, time, features). The recurrent weights start
// glorot-uniform instead of orthogonal: TF.js's orthogonal initializer takes minutes on its CPU
// backend for a 256x1024 matrix, which is setup, not the step being measured.
export async function tfW1(impl: NodeImpl): Promise<Runnable> {
  const tf = await loadTF(impl);
  const model = tf.sequential({ layers: [tf.layers.lstm({ units: 256, returnSequences: true, inputShape: [50, 64], recurrentInitializer: "glorotUniform" })] });
  const x = tf.randomNormal([32, 50, 64], 0, 1, "float32", 1);
  const y = tf.randomNormal([32, 50, 256], 0, 1, "float32", 2);
  const mse = () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as never) as ReturnType<TF["scalar"]>;
  return trainer(tf, model, tf.train.adam(1e-3), mse);
}

export async function tfW2(impl: NodeImpl): Promise<Runnable> {
  const tf = await loadTF(impl);
  const model = tf.sequential({
    layers: [
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 128, returnSequences: true, recurrentInitializer: "glorotUniform" }) as never, inputShape: [100, 64] }),
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 128, returnSequences: true, recurrentInitializer: "glorotUniform" }) as never }),
    ],
  });
  const x = tf.randomNormal([16, 100, 64], 0, 1, "float32", 1);
  const y = tf.randomNormal([16, 100, 256], 0, 1, "float32", 2);
  const mse = () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as never) as ReturnType<TF["scalar"]>;
  return trainer(tf, model, tf.train.adam(1e-3), mse);
}

export async function tfW3(impl: NodeImpl): Promise<Runnable> {
  const tf = await loadTF(impl);
  // TF.js WASM has no UnsortedSegmentSum kernel, the gradient of an embedding lookup: there
  // the embedding is a bias-free dense layer on one-hot tokens (the same product).
  const oneHot = impl === "tfjs-wasm";
  const model = tf.sequential({
    layers: [
      oneHot ? tf.layers.dense({ units: 64, useBias: false, inputShape: [64, 65] }) : tf.layers.embedding({ inputDim: 65, outputDim: 64, inputLength: 64 }),
      tf.layers.lstm({ units: 256, returnSequences: true, recurrentInitializer: "glorotUniform" }),
      tf.layers.dense({ units: 65 }),
    ],
  });
  const ids = tf.randomUniform([32, 64], 0, 65, "int32", 1);
  const tokens = oneHot ? tf.oneHot(ids, 65).toFloat() : ids;
  const targets = tf.oneHot(tf.randomUniform([32, 64], 0, 65, "int32", 2), 65);
  const ce = () => tf.losses.softmaxCrossEntropy(targets, model.apply(tokens, { training: true }) as never) as ReturnType<TF["scalar"]>;
  return trainer(tf, model, tf.train.adam(1e-3), ce);
}

export async function tfW4(impl: NodeImpl): Promise<Runnable> {
  const tf = await loadTF(impl);
  const model = tf.sequential({ layers: [tf.layers.simpleRNN({ units: 32, activation: "tanh", returnSequences: true, inputShape: [100, 8] })] });
  const x = tf.randomNormal([1, 100, 8], 0, 1, "float32", 1);
  const y = tf.randomNormal([1, 100, 32], 0, 1, "float32", 2);
  const mse = () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as never) as ReturnType<TF["scalar"]>;
  return trainer(tf, model, tf.train.sgd(0.01) as never, mse);
}

export async function tfW5(impl: NodeImpl): Promise<Runnable> {
  const tf = await loadTF(impl);
  const model = tf.sequential({ layers: [tf.layers.lstm({ units: 256, returnSequences: true, inputShape: [200, 64], recurrentInitializer: "glorotUniform" })] });
  const x = tf.randomNormal([1, 200, 64], 0, 1, "float32", 1);
  return {
    step: () => {
      const out = model.predict(x) as ReturnType<TF["zeros"]>;
      out.dataSync();
      out.dispose();
    },
    dispose: () => model.dispose(),
  };
}

/** W8 in TF.js: stateful LSTM layers fed one character at a time through predict, as a TF.js user generates text. */
export async function tfW8(impl: NodeImpl, tokens: number): Promise<Runnable> {
  const tf = await loadTF(impl);
  const model = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 65, outputDim: 64, batchInputShape: [1, 1] }),
      tf.layers.lstm({ units: 256, returnSequences: true, stateful: true, recurrentInitializer: "glorotUniform" }),
      tf.layers.lstm({ units: 256, stateful: true, recurrentInitializer: "glorotUniform" }),
      tf.layers.dense({ units: 65 }),
    ],
  });
  return {
    step: () => {
      model.resetStates();
      let token = 0;
      const text: number[] = [];
      for (let i = 0; i < tokens; i++) {
        const next = tf.tidy(() => (model.predict(tf.tensor2d([[token]], [1, 1], "int32")) as ReturnType<TF["zeros"]>).argMax(-1));
        token = next.dataSync()[0]!;
        next.dispose();
        text.push(token);
      }
    },
    dispose: () => model.dispose(),
  };
}
