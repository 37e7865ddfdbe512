import * as ort from "onnxruntime-web";
import type { Tensor } from "@tapegrad/autograd";
import { expect } from "vitest";

ort.env.wasm.numThreads = 1;

/** Runs an exported model in onnxruntime (WebAssembly) and returns its outputs by name. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype === "int32" ? "int32" : "float32", t.data() as Float32Array | Int32Array, t.shape)]));
    return await session.run(input);
  } finally {
    await session.release();
  }
}

/** |actual - expected| <= atol + rtol·|expected| elementwise, shapes equal. */
export function expectCloseOrt(actual: ort.Tensor, expected: Tensor, rtol = 1e-5, atol = 1e-6): void {
  expect([...actual.dims]).toEqual(expected.shape);
  const a = actual.data as Float32Array;
  const e = expected.data();
  const bad = Array.from(e).findIndex((v, i) => !(Math.abs(a[i]! - v) <= atol + rtol * Math.abs(v)));
  expect(bad === -1 ? "ok" : `element ${bad}: onnxruntime ${a[bad]} vs tapegrad ${e[bad]}`).toBe("ok");
}
