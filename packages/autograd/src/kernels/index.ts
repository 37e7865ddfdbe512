import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from "./cells";
import { elementwise } from "./elementwise";
import { gather, indexAdd, indexSelect, scatterAdd } from "./indexing";
import { matmul, matmulSum, type ProductAccumulator } from "./matmul";
import { reduce } from "./reduce";
import { softmaxBackward, softmaxForward } from "./softmax";
import { createWasmKernels } from "./wasm";

export type { ElementwiseOp } from "./elementwise";
export type { ReduceOp } from "./reduce";
export type { StridedView } from "./view";
export type { ProductAccumulator } from "./matmul";

/**
 * The narrow interface every op runs its loops through. A faster implementation (WASM SIMD,
 * worker threads) replaces the plain TypeScript one with setKernels() without touching ops.
 */
export interface Kernels {
  name: string;
  elementwise: typeof elementwise;
  reduce: typeof reduce;
  softmaxForward: typeof softmaxForward;
  softmaxBackward: typeof softmaxBackward;
  matmul: typeof matmul;
  matmulSum: typeof matmulSum;
  /**
   * An M×N sum of products to feed term by term (a weight's gradient over the steps of a
   * sequence), for implementations that compute it while the terms arrive; null, or absent:
   * collect the terms and call matmulSum.
   */
  productSum?: (M: number, N: number, dtype: "float32" | "float64") => ProductAccumulator | null;
  gather: typeof gather;
  scatterAdd: typeof scatterAdd;
  indexSelect: typeof indexSelect;
  indexAdd: typeof indexAdd;
  lstmCellForward: typeof lstmCellForward;
  lstmCellBackward: typeof lstmCellBackward;
  gruCellForward: typeof gruCellForward;
  gruCellBackward: typeof gruCellBackward;
}

export const jsKernels: Kernels = { name: "js", elementwise, reduce, softmaxForward, softmaxBackward, matmul, matmulSum, gather, scatterAdd, indexSelect, indexAdd, lstmCellForward, lstmCellBackward, gruCellForward, gruCellBackward };

/** The WebAssembly SIMD kernels, or null where the runtime lacks WebAssembly SIMD. */
export const wasmKernels: Kernels | null = createWasmKernels(jsKernels);

/** The kernels ops run on: WebAssembly where available (see setBackend in ./backend). */
export let kernels: Kernels = wasmKernels ?? jsKernels;

export function setKernels(next: Kernels): void {
  kernels = next;
}
