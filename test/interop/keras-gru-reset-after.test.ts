import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "@tapegrad/autograd";
import { loadLayersModel, saveLayersModel, type ModelArtifacts } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { expectAllClose } from "./close";

interface JsonTensor {
  shape: number[];
  data: number[];
}
interface GruCase {
  name: string;
  modelTopology: Record<string, unknown>;
  weights: (JsonTensor & { name: string })[];
  input: JsonTensor;
  output: JsonTensor;
}

const cases = JSON.parse(readFileSync(new URL("../fixtures/keras-gru/keras_gru_reset_after.json", import.meta.url), "utf8")) as GruCase[];

function artifacts(c: GruCase): ModelArtifacts {
  return {
    modelTopology: c.modelTopology,
    weightSpecs: c.weights.map(({ name, shape }) => ({ name, shape, dtype: "float32" })),
    weightData: Float32Array.from(c.weights.flatMap((w) => w.data)).buffer,
  };
}

function expectClose(actual: Tensor, expected: JsonTensor): void {
  expectAllClose({ shape: actual.shape, data: actual.data() }, expected);
}

describe("loadLayersModel: Keras GRU with reset_after=true (PyTorch's GRU), against PyTorch", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const model = loadLayersModel(artifacts(c));
    const x = tensor(c.input.data, { shape: c.input.shape });
    expectClose(model.forward(x) as Tensor, c.output);

    let saved: ModelArtifacts | undefined;
    await saveLayersModel(model, { save: (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }) });
    expect(saved!.weightSpecs).toEqual(artifacts(c).weightSpecs);
    expect(Array.from(new Float32Array(saved!.weightData as ArrayBuffer))).toEqual(Array.from(new Float32Array(artifacts(c).weightData as ArrayBuffer)));
  });
});
