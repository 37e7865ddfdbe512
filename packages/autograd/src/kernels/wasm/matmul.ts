import type { TypedArray } from "../../dtype";
import { matmul as jsMatmul } from "../matmul";
import type { StridedView } from "../view";
import type { Arena } from "./instance";

/** Below this many multiply-adds the copy in and out of WebAssembly memory costs more than it saves. */
const MIN_WORK = 8192;
/** Up to this many rows of A, float32 products skip packing (gemv). */
const GEMV_ROWS = 2;

/** The element range [lo, hi) a strided view touches in its buffer. */
function span(v: StridedView): { lo: number; hi: number } {
  let lo = v.offset, hi = v.offset;
  for (let d = 0; d < v.shape.length; d++) {
    const reach = (v.shape[d]! - 1) * v.strides[d]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return { lo, hi: hi + 1 };
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Copies a view's elements into the arena. A view that spans little more than its own elements
 * (transposed, broadcast, flipped, a slice of rows) is copied as one block and keeps its strides;
 * a sparse one (a few columns of a wide buffer) is gathered into contiguous order instead.
 * Returns the byte address of element (0, 0, ...) and the strides to read it with.
 */
function copyIn(arena: Arena, v: StridedView, bytes: number): { base: number; strides: readonly number[] } {
  const { lo, hi } = span(v);
  const count = numel(v.shape);
  const Typed = v.buf.constructor as Float32ArrayConstructor;
  if (hi - lo <= 2 * count + 1024) {
    const at = arena.take((hi - lo) * bytes);
    new Typed(arena.buffer, at, hi - lo).set(v.buf.subarray(lo, hi) as Float32Array);
    return { base: at + (v.offset - lo) * bytes, strides: v.strides };
  }
  const at = arena.take(count * bytes);
  const dst = new Typed(arena.buffer, at, count);
  const strides = new Array<number>(v.shape.length);
  for (let d = v.shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= v.shape[d]!;
  }
  let k = 0;
  const idx = new Int32Array(v.shape.length);
  let p = v.offset;
  const nd = v.shape.length;
  for (let q = 0; q < count; q++) {
    dst[k++] = v.buf[p]!;
    for (let d = nd - 1; d >= 0; d--) {
      p += v.strides[d]!;
      if (++idx[d]! < v.shape[d]!) break;
      p -= v.strides[d]! * v.shape[d]!;
      idx[d] = 0;
    }
  }
  return { base: at, strides };
}

/** The WebAssembly SIMD matmul; same contract as kernels/matmul.ts (C contiguous (..., M, N)). */
export function wasmMatmul(arena: Arena, a: StridedView, b: StridedView, c: TypedArray): void {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const float32 = c instanceof Float32Array;
  if ((!float32 && !(c instanceof Float64Array)) || M * N * K < MIN_WORK || M === 0 || N === 0 || K === 0) {
    jsMatmul(a, b, c);
    return;
  }
  const bytes = float32 ? 4 : 8;
  arena.reset();
  const A = copyIn(arena, a, bytes);
  const B = copyIn(arena, b, bytes);
  const out = arena.take(c.length * bytes);
  const work = arena.take(arena.exports.gemmWorkBytes(bytes));
  // one or two rows of A (a batch-1 recurrent step): products straight from B's layout, no panels
  const exports = arena.exports;
  const few = float32 && M <= GEMV_ROWS && exports.gemvFitsF32(B.strides[nd - 2]!, B.strides[nd - 1]!);
  const gemm = few ? exports.gemvF32 : float32 ? exports.gemmF32 : exports.gemmF64;
  const batchShape = a.shape.slice(0, nd - 2);
  const batches = numel(batchShape);
  const idx = new Int32Array(batchShape.length);
  let pa = A.base, pb = B.base;
  for (let q = 0; q < batches; q++) {
    gemm(M, N, K, pa, A.strides[nd - 2]!, A.strides[nd - 1]!, pb, B.strides[nd - 2]!, B.strides[nd - 1]!, out + q * M * N * bytes, work);
    for (let d = batchShape.length - 1; d >= 0; d--) {
      pa += A.strides[d]! * bytes;
      pb += B.strides[d]! * bytes;
      if (++idx[d]! < batchShape[d]!) break;
      pa -= A.strides[d]! * batchShape[d]! * bytes;
      pb -= B.strides[d]! * batchShape[d]! * bytes;
      idx[d] = 0;
    }
  }
  const Typed = c.constructor as Float32ArrayConstructor;
  (c as Float32Array).set(new Typed(arena.buffer, out, c.length));
}
