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

/**
 * The one strided walker: calls visit(starts, row) for every index of `shape`'s dims (row-major),
 * where starts[k] is the offset of that position in the k-th view (offsets[k] + Σ index·strides[k]).
 * Kernels walk all dims but the innermost this way and run their own inner loop.
 */
export function forEachIndex(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[], visit: (starts: Int32Array, k: number) => void): void {
  const nd = shape.length;
  let total = 1;
  for (let d = 0; d < nd; d++) total *= shape[d]!;
  if (total === 0) return;
  const views = strides.length;
  const idx = new Int32Array(nd);
  const starts = Int32Array.from(offsets);
  for (let k = 0; k < total; k++) {
    visit(starts, k);
    for (let d = nd - 1; d >= 0; d--) {
      for (let v = 0; v < views; v++) starts[v]! += strides[v]![d]!;
      if (++idx[d]! < shape[d]!) break;
      for (let v = 0; v < views; v++) starts[v]! -= strides[v]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** forEachIndex over one view: visit(offset, k) for every position. */
export function forEachOffset(shape: readonly number[], strides: readonly number[], base: number, visit: (offset: number, k: number) => void): void {
  forEachIndex(shape, [strides], [base], (starts, k) => visit(starts[0]!, k));
}

/** Calls visit(starts) with the start offset of every row (all dims but the last) in each view. */
export function forEachRow(views: readonly StridedView[], visit: (starts: Int32Array) => void): void {
  const shape = views[0]!.shape;
  forEachIndex(shape.slice(0, -1), views.map((v) => v.strides.slice(0, -1)), views.map((v) => v.offset), visit);
}
