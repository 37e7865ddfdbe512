import { getBackend, setBackend, type BackendName } from "@tapegrad/autograd";
import { wasmKernels } from "../../packages/autograd/src/backend/wasm";

/** TAPEGRAD_BACKEND=js|wasm forces tapegrad's kernels for a bench run (auto otherwise). */
export function applyBackendFromEnv(): void {
  const requested = process.env.TAPEGRAD_BACKEND;
  if (requested) setBackend(requested as BackendName);
}

/** Which tapegrad kernels the run used. */
export async function backendInfo(): Promise<string> {
  applyBackendFromEnv();
  return getBackend() === "wasm" ? wasmKernels!.name : getBackend();
}
