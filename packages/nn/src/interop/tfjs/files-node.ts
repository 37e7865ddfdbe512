/// <reference types="node" />
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { FileReader, fileError, writeAtomically } from "../../files";
import type { WeightSpec } from "./artifacts";
import { loadLayersModel as fromArtifacts, type LayersModel } from "./model";
import { layersModelArtifacts } from "./save";

interface ModelJson {
  modelTopology?: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

function readFile(fn: string, path: string): Uint8Array {
  const file = new FileReader(fn, path);
  try {
    return file.readInto(new Uint8Array(file.size), 0);
  } finally {
    file.close();
  }
}

/** Loads a TF.js Layers model from its model.json, with the weight shards the manifest lists beside it. */
export function loadLayersModel(pathToModelJson: string): LayersModel {
  const where = `loadLayersModel(${JSON.stringify(pathToModelJson)})`;
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(readFile("loadLayersModel", pathToModelJson))) as ModelJson;
  } catch (e) {
    if ((e as Error).message.startsWith("loadLayersModel(")) throw e;
    throw new Error(`${where}: the file is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${where}: expected a TF.js model.json with modelTopology and weightsManifest`);
  const dir = dirname(resolve(pathToModelJson));
  const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFile("loadLayersModel", join(dir, p))));
  const weightData = new Uint8Array(shards.reduce((s, b) => s + b.length, 0));
  shards.reduce((at, b) => (weightData.set(b, at), at + b.length), 0);
  return fromArtifacts({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: weightData.buffer });
}

/** Writes dir/model.json and dir/weights.bin (one shard) as TF.js's file:// handler does; returns the model.json path. */
export function saveLayersModel(model: LayersModel, dir: string): string {
  const a = layersModelArtifacts(model);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileError("saveLayersModel", dir, "create the directory", e);
  }
  const modelJson = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }] };
  writeAtomically("saveLayersModel", join(dir, "weights.bin"), new Uint8Array(a.weightData as ArrayBuffer));
  const path = join(dir, "model.json");
  writeAtomically("saveLayersModel", path, new TextEncoder().encode(JSON.stringify(modelJson)));
  return path;
}
