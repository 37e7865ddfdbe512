import { createRequire } from "node:module";
import { dirname } from "node:path";

/** torch runs in a python3 child process (src/torch.ts); the others in Node (src/run-one.ts). */
export const IMPLS = ["tapegrad", "torch", "tfjs-wasm", "tfjs-cpu"] as const;
export type Impl = (typeof IMPLS)[number];
export type NodeImpl = Exclude<Impl, "torch">;
export type TF = typeof import("@tensorflow/tfjs");

const require = createRequire(import.meta.url);

/** Loads TF.js on the requested backend; the WASM files come from node_modules (SIMD build). */
export async function loadTF(impl: NodeImpl): Promise<TF> {
  const tf = (await import("@tensorflow/tfjs")) as unknown as TF;
  if (impl === "tfjs-wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")) + "/");
    await tf.setBackend("wasm");
  } else {
    await tf.setBackend("cpu");
  }
  await tf.ready();
  return tf;
}
