import type { TypedArray } from "../../core/dtype";

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

/** Calls visit(start) for every start offset of an odometer over shape/strides, in row-major order. */
export function forEachOffset(shape: readonly number[], strides: readonly number[], base: number, visit: (offset: number, k: number) => void): void {
  const nd = shape.length;
  let total = 1;
  for (const s of shape) total *= s;
  const idx = new Int32Array(nd);
  let p = base;
  for (let k = 0; k < total; k++) {
    visit(p, k);
    for (let d = nd - 1; d >= 0; d--) {
      p += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}
