import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadLayersModel, saveLayersModel } from "@tapegrad/nn/node";
import { artifactsOf, expectClose, fromTf, predict, randomize } from "./tfjs-helpers";

const dir = mkdtempSync(join(tmpdir(), "tapegrad-layers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("@tapegrad/nn/node: TF.js Layers model files", () => {
  it("loads model.json with two weight shards and saves a model.json TF.js loads", async () => {
    const model = tf.sequential();
    model.add(tf.layers.lstm({ units: 4, recurrentActivation: "sigmoid", returnSequences: true, inputShape: [5, 3] }));
    model.add(tf.layers.dense({ units: 2 }));
    randomize(model, 400);
    const a = await artifactsOf(model);
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    writeFileSync(join(dir, "a.bin"), bytes.subarray(0, 100));
    writeFileSync(join(dir, "b.bin"), bytes.subarray(100));
    writeFileSync(join(dir, "model.json"), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ["a.bin", "b.bin"], weights: a.weightSpecs }] }));

    const loaded = loadLayersModel(join(dir, "model.json"));
    const x = tf.randomNormal([2, 5, 3], 0, 1, "float32", 1);
    expectClose(loaded.forward(fromTf(x)) as never, predict(model, [x])[0]!);

    const out = join(dir, "saved");
    const path = saveLayersModel(loaded, out);
    const json = JSON.parse(readFileSync(path, "utf8"));
    const weightData = new Uint8Array(readFileSync(join(out, json.weightsManifest[0].paths[0]))).buffer;
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
    expectClose(loaded.forward(fromTf(x)) as never, predict(reloaded, [x])[0]!);
  });

  it("names the path when a file is missing or not JSON", () => {
    expect(() => loadLayersModel(join(dir, "nope.json"))).toThrow(/loadLayersModel\(".*nope.json"\): cannot open the file/);
    writeFileSync(join(dir, "bad.json"), "{");
    expect(() => loadLayersModel(join(dir, "bad.json"))).toThrow(/loadLayersModel\(".*bad.json"\): the file is not JSON/);
  });
});

describe("@tapegrad/nn/node: exportOnnx with a path", () => {
  it("writes the same bytes it returns, and needs a path", async () => {
    const { Linear } = await import("@tapegrad/nn");
    const { exportOnnx } = await import("@tapegrad/nn/node");
    const { randn } = await import("@tapegrad/autograd");
    const path = join(dir, "linear.onnx");
    const bytes = exportOnnx(new Linear(3, 2), randn([1, 3]), { path, dynamicAxes: { input_0: [0] } });
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    expect(() => exportOnnx(new Linear(3, 2), randn([1, 3]), {} as never)).toThrow(/exportOnnx: opts.path must be a file path/);
  });
});
