import { jsKernels, kernels, setKernels, wasmKernels } from "./index";

export type BackendName = "js" | "wasm";

/**
 * Chooses the kernels every op runs on: "wasm" (WebAssembly SIMD; throws where the runtime has
 * none), "js" (plain TypeScript), or "auto" (wasm where available, else js; the default).
 */
export function setBackend(name: BackendName | "auto"): void {
  if (name !== "js" && name !== "wasm" && name !== "auto") {
    throw new Error(`setBackend: unknown backend ${JSON.stringify(name)}; expected "js", "wasm" or "auto"`);
  }
  if (name === "js") return setKernels(jsKernels);
  if (wasmKernels) return setKernels(wasmKernels);
  if (name === "wasm") throw new Error("setBackend: the wasm backend needs WebAssembly with SIMD (128-bit), which this runtime does not provide; use \"js\" or \"auto\"");
  setKernels(jsKernels);
}

/** The backend ops currently run on ("custom" after setKernels with kernels of one's own). */
export function getBackend(): BackendName | "custom" {
  return kernels === jsKernels ? "js" : kernels === wasmKernels ? "wasm" : "custom";
}
