import { cloneJson, encodeWeights, type ModelArtifacts, type SaveHandler, type SaveResult } from "./artifacts";
import { LayersModel } from "./model";

/** The model in TF.js's Layers format: its topology as loaded, the current weights in Keras layout. */
export function layersModelArtifacts(model: LayersModel): ModelArtifacts {
  if (!(model instanceof LayersModel)) throw new Error(`saveLayersModel: expected a LayersModel (from loadLayersModel), got ${(model as object)?.constructor?.name ?? typeof model}`);
  const { weightSpecs, weightData } = encodeWeights(model.kerasWeights());
  return { modelTopology: cloneJson(model.topology), weightSpecs, weightData, format: "layers-model", generatedBy: "tapegrad", convertedBy: null };
}

/** Saves through a TF.js save handler (e.g. `tf.io.withSaveHandler(fn)`), as `model.save(handler)` would. */
export async function saveLayersModel(model: LayersModel, handler: SaveHandler): Promise<SaveResult> {
  if (!handler || typeof handler.save !== "function") throw new Error("saveLayersModel: expected a save handler with a save(artifacts) method");
  return handler.save(layersModelArtifacts(model));
}
