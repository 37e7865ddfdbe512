import type { Kernels } from "../index";
import { Arena, instantiate } from "./instance";
import { wasmMatmul } from "./matmul";

/**
 * Kernels backed by WebAssembly SIMD where it pays (matmul) and by the TypeScript kernels
 * elsewhere; null where the runtime has no WebAssembly SIMD.
 */
export function createWasmKernels(fallback: Kernels): Kernels | null {
  const instance = instantiate();
  if (!instance) return null;
  const arena = new Arena(instance.exports);
  return {
    ...fallback,
    name: instance.relaxed ? "wasm (relaxed SIMD)" : "wasm (SIMD)",
    matmul: (a, b, c) => wasmMatmul(arena, a, b, c),
  };
}
