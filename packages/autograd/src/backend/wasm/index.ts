import type { DType, TypedArray } from "../../core/dtype";
import type { Backend, Kernels } from "../backend";
import { TensorGradSum } from "../grad-sum";
import { jsKernels, typedArrayOf } from "../js";
import { allocateTemporary, beginBackward } from "./allocator";
import { wasmGruCellBackward, wasmGruCellForward, wasmLstmCellBackward, wasmLstmCellForward } from "./cells";
import { wasmElementwise } from "./elementwise";
import { Arena, instantiate } from "./instance";
import { backgroundProductSum, wasmMatmul, wasmMatmulSum } from "./matmul";
import { threadsAvailable } from "./pool";
import { wasmReduce } from "./reduce";
import { allocateResident } from "./resident";
import { wasmSoftmaxBackward, wasmSoftmaxForward } from "./softmax";

/**
 * Kernels backed by WebAssembly SIMD where it pays (matmul, float32 elementwise, sums and softmax) and
 * by the TypeScript kernels elsewhere; null where the runtime has no WebAssembly SIMD. Large
 * matmuls also use worker threads (see ./pool) unless `threads` is false.
 */
export function createWasmKernels({ threads = true }: { threads?: boolean } = {}): (Kernels & { name: string }) | null {
  const instance = instantiate();
  if (!instance) return null;
  const arena = new Arena(instance.exports);
  return {
    ...jsKernels,
    name: instance.relaxed ? "wasm (relaxed SIMD)" : "wasm (SIMD)",
    matmul: (a, b, c, accumulate, init) => wasmMatmul(arena, a, b, c, threads, accumulate, init),
    matmulSum: (pairs, c, accumulate) => wasmMatmulSum(arena, pairs, c, threads, accumulate),
    elementwise: (op, out, inputs, s0, s1) => wasmElementwise(arena, op, out, inputs, s0, s1),
    reduce: (op, x, dims, out, indices) => wasmReduce(arena, op, x, dims, out, indices),
    softmaxForward: (x, y, log) => wasmSoftmaxForward(arena, x, y, log),
    softmaxBackward: (y, g, dx, log) => wasmSoftmaxBackward(arena, y, g, dx, log),
    lstmCellForward: (gates, c, cNext, h) => wasmLstmCellForward(arena, gates, c, cNext, h),
    lstmCellBackward: (gates, c, dh, dcNext, dGates, dc) => wasmLstmCellBackward(arena, gates, c, dh, dcNext, dGates, dc),
    gruCellForward: (inputGates, hiddenGates, h, act, hNext) => wasmGruCellForward(arena, inputGates, hiddenGates, h, act, hNext),
    gruCellBackward: (act, hiddenGates, h, dhNext, dInputGates, dHiddenGates, dh) => wasmGruCellBackward(arena, act, hiddenGates, h, dhNext, dInputGates, dHiddenGates, dh),
  };
}

/** The WebAssembly SIMD kernels, or null where the runtime lacks WebAssembly SIMD. */
export const wasmKernels = createWasmKernels();

/**
 * Where products run on worker threads (Node), a persistent float buffer (a Parameter) lives in
 * the threads' shared WebAssembly memory, so every product that reads it uses it in place;
 * small temporaries are carved from shared blocks; a weight's gradient over a sequence is summed
 * on a worker while the backward goes on.
 */
function allocate(dtype: DType, size: number, lifetime: "temporary" | "persistent"): TypedArray {
  if (lifetime === "persistent" && (dtype === "float32" || dtype === "float64") && threadsAvailable()) {
    const resident = allocateResident(dtype === "float32" ? Float32Array : Float64Array, size);
    if (resident) return resident;
  }
  return lifetime === "temporary" ? allocateTemporary(typedArrayOf(dtype), size) : new (typedArrayOf(dtype))(size);
}

export const wasmBackend: Backend | null = wasmKernels && {
  name: "wasm",
  kernels: wasmKernels,
  allocate,
  gradSum: () => new TensorGradSum(backgroundProductSum),
  beginBackward,
};
