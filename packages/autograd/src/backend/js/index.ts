import type { DType, TypedArray } from "../../core/dtype";
import type { Backend, Kernels } from "../backend";
import { TensorGradSum } from "../grad-sum";
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from "./cells";
import { elementwise } from "./elementwise";
import { gather, indexAdd, indexSelect, scatterAdd } from "./indexing";
import { matmul, matmulSum } from "./matmul";
import { reduce } from "./reduce";
import { softmaxBackward, softmaxForward } from "./softmax";

/** The plain TypeScript loops: the reference every fast path is tested against. */
export const jsKernels: Kernels = {
  elementwise, reduce, softmaxForward, softmaxBackward, matmul, matmulSum,
  gather, scatterAdd, indexSelect, indexAdd, lstmCellForward, lstmCellBackward, gruCellForward, gruCellBackward,
};

export function typedArrayOf(dtype: DType): Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor {
  return dtype === "float32" ? Float32Array : dtype === "float64" ? Float64Array : dtype === "bool" ? Uint8Array : Int32Array;
}

/** Typed arrays of their own, products summed at the end: no fast paths, no tricks. */
export const jsBackend: Backend = {
  name: "js",
  kernels: jsKernels,
  allocate: (dtype: DType, size: number): TypedArray => new (typedArrayOf(dtype))(size),
  gradSum: () => new TensorGradSum(null),
};
