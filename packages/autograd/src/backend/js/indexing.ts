import type { TypedArray } from "../../core/dtype";
import type { StridedView } from "./strided";

/**
 * Walks every position of index (row-major) and calls visit with the offset of that position
 * in `index` and in `other` (whose dim `dim` is skipped: the caller adds index * stride).
 */
function walk(index: StridedView, other: StridedView, dim: number, visit: (k: number, pIndex: number, pOther: number) => void): void {
  const shape = index.shape;
  const nd = shape.length;
  let total = 1;
  for (const s of shape) total *= s;
  const idx = new Int32Array(nd);
  let pi = index.offset;
  let po = other.offset;
  for (let k = 0; k < total; k++) {
    visit(k, pi, po);
    for (let d = nd - 1; d >= 0; d--) {
      pi += index.strides[d]!;
      if (d !== dim) po += other.strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      pi -= index.strides[d]! * shape[d]!;
      if (d !== dim) po -= other.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

function checkIndex(op: string, i: number, size: number, dim: number): number {
  if (i < -size || i >= size) throw new Error(`${op}: index ${i} is out of range for dim ${dim} of size ${size}`);
  return i < 0 ? i + size : i;
}

/** out[p] = x[p with p[dim] replaced by index[p]]; out is contiguous with index's shape. */
export function gather(x: StridedView, dim: number, index: StridedView, out: TypedArray): void {
  const size = x.shape[dim]!;
  const stride = x.strides[dim]!;
  walk(index, x, dim, (k, pi, px) => {
    out[k] = x.buf[px + checkIndex("gather", index.buf[pi]!, size, dim) * stride]!;
  });
}

/** out[p with p[dim] replaced by index[p]] += src[p]; out is a contiguous buffer of `shape`. */
export function scatterAdd(out: StridedView, dim: number, index: StridedView, src: StridedView): void {
  const size = out.shape[dim]!;
  const stride = out.strides[dim]!;
  const shape = index.shape;
  const nd = shape.length;
  let total = 1;
  for (const s of shape) total *= s;
  const idx = new Int32Array(nd);
  let pi = index.offset, ps = src.offset, po = out.offset;
  for (let k = 0; k < total; k++) {
    out.buf[po + checkIndex("scatterAdd", index.buf[pi]!, size, dim) * stride] += src.buf[ps]!;
    for (let d = nd - 1; d >= 0; d--) {
      pi += index.strides[d]!;
      ps += src.strides[d]!;
      if (d !== dim) po += out.strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      pi -= index.strides[d]! * shape[d]!;
      ps -= src.strides[d]! * shape[d]!;
      if (d !== dim) po -= out.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** out[o, k, i] = x[o, index[k], i] with x contiguous as (outer, size, inner). */
export function indexSelect(x: TypedArray, xOffset: number, outer: number, size: number, inner: number, index: Int32Array, out: TypedArray): void {
  const n = index.length;
  for (let k = 0; k < n; k++) checkIndex("indexSelect", index[k]!, size, -1);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const i = index[k]! < 0 ? index[k]! + size : index[k]!;
      const from = xOffset + (o * size + i) * inner;
      out.set(x.subarray(from, from + inner), (o * n + k) * inner);
    }
  }
}

/** out[o, index[k], i] += src[o, k, i] with out (outer, size, inner) and src (outer, n, inner) contiguous. */
export function indexAdd(out: TypedArray, outer: number, size: number, inner: number, index: Int32Array, src: TypedArray, srcOffset: number): void {
  const n = index.length;
  for (let k = 0; k < n; k++) checkIndex("indexAdd", index[k]!, size, -1);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const i = index[k]! < 0 ? index[k]! + size : index[k]!;
      const to = (o * size + i) * inner;
      const from = srcOffset + (o * n + k) * inner;
      for (let j = 0; j < inner; j++) out[to + j] += src[from + j]!;
    }
  }
}
