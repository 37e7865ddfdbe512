import type { TypedArray } from "../../core/dtype";
import { forEachIndex, type StridedView } from "./strided";

// Index kernels. Callers (ops/indexing.ts) have checked every index against its dim's size.

/** The strides of `view` with dim `dim` skipped (the caller adds index · stride). */
const without = (view: StridedView, dim: number) => view.strides.map((s, d) => (d === dim ? 0 : s));

/** out[p] = x[p with p[dim] replaced by index[p]]; out is contiguous with index's shape. */
export function gather(x: StridedView, dim: number, index: StridedView, out: TypedArray): void {
  const stride = x.strides[dim]!;
  forEachIndex(index.shape, [index.strides, without(x, dim)], [index.offset, x.offset], (p, k) => {
    out[k] = x.buf[p[1]! + index.buf[p[0]!]! * stride]!;
  });
}

/** out[p with p[dim] replaced by index[p]] += src[p]; out is a contiguous buffer of `shape`. */
export function scatterAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const stride = out.strides[dim]!;
  forEachIndex(index.shape, [index.strides, src.strides, without(out, dim)], [index.offset, src.offset, out.offset], (p) => {
    out.buf[p[2]! + index.buf[p[0]!]! * stride] += src.buf[p[1]!]!;
  });
}

/** out[o, k, i] = x[o, index[k], i] with x contiguous as (outer, size, inner). */
export function indexSelect(x: TypedArray, xOffset: number, outer: number, size: number, inner: number, index: Int32Array, out: TypedArray): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const from = xOffset + (o * size + index[k]!) * inner;
      out.set(x.subarray(from, from + inner), (o * n + k) * inner);
    }
  }
}

/** out[o, index[k], i] += src[o, k, i] with out (outer, size, inner) and src (outer, n, inner) contiguous. */
export function indexAdd(out: TypedArray, outer: number, size: number, inner: number, index: Int32Array, src: TypedArray, srcOffset: number): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const to = (o * size + index[k]!) * inner;
      const from = srcOffset + (o * n + k) * inner;
      for (let j = 0; j < inner; j++) out[to + j] += src[from + j]!;
    }
  }
}
