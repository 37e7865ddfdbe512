import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tensor, type DType, type Tensor } from "@tapegrad/autograd";

export interface FixtureTensor {
  shape: number[];
  data: (number | boolean)[];
  dtype?: "int64" | "bool";
}

export interface Fixture {
  name: string;
  kind: "module" | "cell" | "loss" | "op" | "optim" | "clip";
  module: string;
  config: Record<string, unknown>;
  params: Record<string, FixtureTensor>;
  inputs: Record<string, FixtureTensor | Record<string, FixtureTensor>>;
  outputs: Record<string, FixtureTensor | Record<string, FixtureTensor>>;
  loss?: Record<string, FixtureTensor | string>;
  grads?: Record<string, FixtureTensor>;
  steps?: { grads: Record<string, FixtureTensor>; params: Record<string, FixtureTensor> }[];
  packing?: Record<string, unknown>;
  optional_feature?: string;
}

const dir = fileURLToPath(new URL("../fixtures/torch/", import.meta.url));

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as Fixture;
}

export function fixturesOfKind(kind: Fixture["kind"]): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => loadFixture(f.slice(0, -5)))
    .filter((f) => f.kind === kind);
}

/** A fixture tensor as a tapegrad tensor: floats in `dtype`, int64 as int32, bool as 1/0 floats. */
export function toTensor(t: FixtureTensor, dtype: DType = "float64", requiresGrad = false): Tensor {
  const data = t.data.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  const kind: DType = t.dtype === "int64" ? "int32" : dtype;
  return tensor(kind === "float64" ? new Float64Array(data) : kind === "int32" ? new Int32Array(data) : new Float32Array(data), {
    shape: t.shape,
    requiresGrad: requiresGrad && kind !== "int32",
  });
}

/** Throws with the worst element when |actual - expected| > atol + rtol |expected| anywhere. */
export function expectClose(actual: Tensor | null | undefined, expected: FixtureTensor | Tensor, label: string, rtol = 1e-9, atol = 1e-12): void {
  if (!actual) throw new Error(`${label}: no tensor (expected shape [${"shape" in expected ? expected.shape : ""}])`);
  const expShape = Array.isArray((expected as FixtureTensor).data) ? (expected as FixtureTensor).shape : (expected as Tensor).shape;
  const expData = Array.isArray((expected as FixtureTensor).data)
    ? (expected as FixtureTensor).data.map(Number)
    : Array.from((expected as Tensor).data());
  if (actual.shape.join(",") !== expShape.join(",")) {
    throw new Error(`${label}: shape [${actual.shape}] but expected [${expShape}]`);
  }
  const got = actual.data();
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expData.length; i++) {
    const excess = Math.abs(got[i]! - expData[i]!) - (atol + rtol * Math.abs(expData[i]!));
    if (!(excess <= worstExcess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    throw new Error(`${label}: element ${worst} is ${got[worst]} but expected ${expData[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}
