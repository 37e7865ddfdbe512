import * as tf from "@tensorflow/tfjs";
import { tensor, type Tensor } from "@tapegrad/autograd";
import type { ModelArtifacts } from "@tapegrad/nn";
import { expectAllClose } from "./close";

/** The model's artifacts as TF.js saves them, through an in-memory save handler. */
export async function artifactsOf(model: tf.LayersModel): Promise<ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved as unknown as ModelArtifacts;
}

/** Replaces every weight of a built TF.js model by seeded uniform values in [-scale, scale]. */
export function randomize(model: tf.LayersModel, seed: number, scale = 0.5): void {
  model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, -scale, scale, "float32", seed + i)));
}

/** A tapegrad tensor with the values of a TF.js tensor. */
export function fromTf(t: tf.Tensor): Tensor {
  const values = t.dataSync();
  return tensor(t.dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values), { shape: t.shape as number[] });
}

/** Outputs of TF.js's predict as a list. */
export function predict(model: tf.LayersModel, inputs: tf.Tensor[]): tf.Tensor[] {
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs);
  return Array.isArray(out) ? out : [out];
}

/** A tapegrad tensor against a TF.js one (see expectAllClose). */
export function expectClose(actual: Tensor, expected: tf.Tensor, rtol = 1e-5, atol = 1e-6): void {
  expectAllClose({ shape: actual.shape, data: actual.data() }, { shape: expected.shape, data: expected.dataSync() }, rtol, atol);
}
