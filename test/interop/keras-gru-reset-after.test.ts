import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "@tapegrad/autograd";
import { loadLayersModel, saveLayersModel, type ModelArtifacts } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";

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
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.data();
  const bad = expected.data.findIndex((e, i) => !(Math.abs(a[i]! - e) <= 1e-6 + 1e-5 * Math.abs(e)));
  expect(bad === -1 ? "ok" : `element ${bad}: ${a[bad]} vs ${expected.data[bad]}`).toBe("ok");
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
