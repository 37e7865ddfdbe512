import { backend, useBackend } from "./backend";
import { jsBackend } from "./js";
import { wasmBackend } from "./wasm";
import { threadPool } from "./wasm/matmul";

/** The kernel backends: "js" (plain TypeScript) and "wasm" (WebAssembly SIMD, threaded for large products). */
export type BackendName = "js" | "wasm";

/**
 * Chooses the backend every op runs on: "wasm" (WebAssembly SIMD; throws where the runtime has
 * none), "js" (plain TypeScript), or "auto" (wasm where available, else js; the default).
 */
export function setBackend(name: BackendName | "auto"): void {
  if (name !== "js" && name !== "wasm" && name !== "auto") {
    throw new Error(`setBackend: unknown backend ${JSON.stringify(name)}; expected "js", "wasm" or "auto"`);
  }
  if (name === "wasm" && !wasmBackend) {
    throw new Error("setBackend: the wasm backend needs WebAssembly with SIMD (128-bit), which this runtime does not provide; use \"js\" or \"auto\"");
  }
  useBackend(name === "js" ? jsBackend : wasmBackend ?? jsBackend);
}

/** The backend ops currently run on. */
export function getBackend(): BackendName {
  return backend.name;
}

/** Whether a backend can run here ("js" always; "wasm" where the runtime has WebAssembly SIMD). */
export function backendAvailable(name: BackendName): boolean {
  return name === "js" || wasmBackend !== null;
}

setBackend("auto");

/**
 * Threads large products run on now: 1 on the js backend or where worker threads are
 * unavailable (a browser page that is not cross-origin isolated); in a browser the workers start
 * in the background, so the count grows once the page has yielded.
 */
export function getThreads(): number {
  if (backend.name !== "wasm") return 1;
  const pool = threadPool();
  return pool ? 1 + pool.workersReady : 1;
}
