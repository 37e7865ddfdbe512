import type { Kernels } from "../index";
import { Arena, instantiate } from "./instance";
import { wasmElementwise } from "./elementwise";
import { backgroundProductSum, wasmMatmul, wasmMatmulSum } from "./matmul";
import { wasmGruCellBackward, wasmGruCellForward, wasmLstmCellBackward, wasmLstmCellForward } from "./cells";
import { wasmReduce } from "./reduce";
import { wasmSoftmaxBackward, wasmSoftmaxForward } from "./softmax";

/**
 * Kernels backed by WebAssembly SIMD where it pays (matmul, float32 elementwise, sums and softmax) and
 * by the TypeScript kernels elsewhere; null where the runtime has no WebAssembly SIMD. Large
 * matmuls also use worker threads (see ./pool) unless `threads` is false.
 */
export function createWasmKernels(fallback: Kernels, { threads = true }: { threads?: boolean } = {}): Kernels | null {
  const instance = instantiate();
  if (!instance) return null;
  const arena = new Arena(instance.exports);
  return {
    ...fallback,
    name: instance.relaxed ? "wasm (relaxed SIMD)" : "wasm (SIMD)",
    matmul: (a, b, c, accumulate, init) => wasmMatmul(arena, a, b, c, threads, accumulate, init),
    matmulSum: (pairs, c, accumulate) => wasmMatmulSum(arena, pairs, c, threads, accumulate),
    productSum: threads ? backgroundProductSum : undefined,
    elementwise: (op, out, inputs, s0, s1) => wasmElementwise(arena, op, out, inputs, s0, s1),
    reduce: (op, x, dims, out, indices) => wasmReduce(arena, op, x, dims, out, indices),
    softmaxForward: (x, y, log) => wasmSoftmaxForward(arena, x, y, log),
    softmaxBackward: (y, g, dx, log) => wasmSoftmaxBackward(arena, y, g, dx, log),
    lstmCellForward: (gates, c, act, cNext, tanhC, h) => wasmLstmCellForward(arena, gates, c, act, cNext, tanhC, h),
    lstmCellBackward: (act, c, tanhC, dh, dcNext, dGates, dc) => wasmLstmCellBackward(arena, act, c, tanhC, dh, dcNext, dGates, dc),
    gruCellForward: (inputGates, hiddenGates, h, act, hNext) => wasmGruCellForward(arena, inputGates, hiddenGates, h, act, hNext),
    gruCellBackward: (act, hiddenGates, h, dhNext, dInputGates, dHiddenGates, dh) => wasmGruCellBackward(arena, act, hiddenGates, h, dhNext, dInputGates, dHiddenGates, dh),
  };
}
