import * as ort from "onnxruntime-web";
import type { Tensor } from "@tapegrad/autograd";
import { expectAllClose } from "./close";

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

/** An onnxruntime output against tapegrad's tensor (see expectAllClose). */
export function expectCloseOrt(actual: ort.Tensor, expected: Tensor): void {
  expectAllClose({ shape: actual.dims, data: actual.data as Float32Array }, { shape: expected.shape, data: expected.data() });
}
