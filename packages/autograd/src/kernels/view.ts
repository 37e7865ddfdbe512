import type { TypedArray } from "../dtype";

/** What a kernel sees of a tensor: a buffer read through shape, strides and offset. */
export interface StridedView {
  readonly buf: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Merges adjacent dims that every view walks as one (stride[i] == stride[i+1] * shape[i+1])
 * and drops size-1 dims, so kernels run long inner loops.
 */
export function coalesce(shape: readonly number[], stridesList: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && stridesList.every((s, k) => outStrides[k]![last] === s[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      stridesList.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(size);
      stridesList.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}
