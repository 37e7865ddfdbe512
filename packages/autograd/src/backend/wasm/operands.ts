import type { StridedView } from "../js/strided";
import type { Arena, WasmMemory } from "./instance";
import { forEachIndex, forEachOffset } from "../js/strided";
import { numel } from "../../core/shape";

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

/** Whether copyIn moves the view as one block (else it gathers the elements). */
function copiedAsBlock(v: StridedView, lo: number, hi: number): boolean {
  return hi - lo <= 2 * numel(v.shape) + 1024;
}

/** The elements copyIn places in WebAssembly memory for a view. */
export function copiedElements(v: StridedView): number {
  const { lo, hi } = span(v);
  return copiedAsBlock(v, lo, hi) ? hi - lo : numel(v.shape);
}

/**
 * Copies a view's elements into the arena (a view already in the arena's memory stays where it
 * is). A view that spans little more than its own elements
 * (transposed, broadcast, flipped, a slice of rows) is copied as one block and keeps its strides;
 * a sparse one (a few columns of a wide buffer) is gathered into contiguous order instead.
 * Returns the byte address of element (0, 0, ...) and the strides to read it with.
 */
export function copyIn(arena: Arena<{ memory: WasmMemory }>, v: StridedView, bytes: number): { base: number; strides: readonly number[] } {
  if (arena.resident(v.buf)) return { base: v.buf.byteOffset + v.offset * bytes, strides: v.strides };
  const { lo, hi } = span(v);
  const count = numel(v.shape);
  const Typed = v.buf.constructor as Float32ArrayConstructor;
  if (copiedAsBlock(v, lo, hi)) {
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
  forEachOffset(v.shape, v.strides, v.offset, (p, k) => (dst[k] = v.buf[p]!));
  return { base: at, strides };
}

/**
 * Calls `each(q, pa, pb)` for every matrix pair of a batched product: q counts the batch in
 * row-major order, pa and pb are the byte addresses of the q-th A and B (batch dims are the
 * leading dims of `batchShape`, walked with the operands' strides).
 */
export function forEachBatch(
  batchShape: readonly number[],
  A: { base: number; strides: readonly number[] },
  B: { base: number; strides: readonly number[] },
  bytes: number,
  each: (q: number, pa: number, pb: number) => void,
): void {
  const scaled = (strides: readonly number[]) => strides.slice(0, batchShape.length).map((s) => s * bytes);
  forEachIndex(batchShape, [scaled(A.strides), scaled(B.strides)], [A.base, B.base], (p, q) => each(q, p[0]!, p[1]!));
}

/** A placed operand: the byte address of element (0, 0) and the element strides to read it with. */
export interface Placed {
  base: number;
  strides: readonly number[];
}

/**
 * Lays out Σ aᵢ·bᵢ (aᵢ: M×kᵢ, bᵢ: kᵢ×N) as one product over the concatenated inner dim:
 * [a₁ … aₙ] stored transposed (K×M, each aᵢᵀ a block of rows) and [b₁; …; bₙ] (K×N), both
 * contiguous in the arena. A step's gradient is aᵢ = Gᵢᵀ, so each block is one copy.
 */
export function placeConcatenated(arena: Arena<{ memory: WasmMemory }>, pairs: readonly (readonly [StridedView, StridedView])[], M: number, N: number, K: number, bytes: number): [Placed, Placed] {
  const Typed = bytes === 4 ? Float32Array : Float64Array;
  const aAt = arena.take(K * M * bytes), bAt = arena.take(K * N * bytes);
  const aT = new Typed(arena.buffer, aAt, K * M), b = new Typed(arena.buffer, bAt, K * N);
  let row = 0;
  for (const [ai, bi] of pairs) {
    const k = ai.shape[1]!;
    writeBlock(aT, row * M, ai.buf, ai.offset, k, M, ai.strides[1]!, ai.strides[0]!);
    writeBlock(b, row * N, bi.buf, bi.offset, k, N, bi.strides[0]!, bi.strides[1]!);
    row += k;
  }
  return [{ base: aAt, strides: [1, M] }, { base: bAt, strides: [N, 1] }];
}

/** dst[at + r·cols + c] = src[offset + r·rowStride + c·colStride] for an r×c block. */
export function writeBlock(dst: Float32Array | Float64Array, at: number, src: StridedView["buf"], offset: number, rows: number, cols: number, rowStride: number, colStride: number): void {
  if (colStride === 1 && rowStride === cols) {
    dst.set(src.subarray(offset, offset + rows * cols) as Float32Array, at);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const from = offset + r * rowStride, to = at + r * cols;
    if (colStride === 1) dst.set(src.subarray(from, from + cols) as Float32Array, to);
    else for (let c = 0; c < cols; c++) dst[to + c] = src[from + c * colStride]!;
  }
}

/**
 * Sets up C's starting value in WebAssembly memory (C's place there is `out`): init (an M×N
 * view) or C itself when accumulating. An init that is one row repeated (a bias) is placed once
 * as `bias`, for gemm to start every row from, when `biasRow` allows; other starting values are
 * written into C. Returns whether gemm adds the product to C, and the bias address (0: none).
 */
export function startC(
  arena: Arena<{ memory: WasmMemory }>, out: number, c: StridedView["buf"], accumulate: boolean, init: StridedView | undefined, M: number, N: number, biasRow: boolean,
): { accumulate: boolean; bias: number } {
  const bytes = c.BYTES_PER_ELEMENT;
  const Typed = bytes === 4 ? Float32Array : Float64Array;
  if (init && biasRow && init.strides[0] === 0) {
    const bias = arena.take((N + 8) * bytes); // gemm reads up to 7 elements past the row
    writeBlock(new Typed(arena.buffer, bias, N), 0, init.buf, init.offset, 1, N, 0, init.strides[1]!);
    return { accumulate: false, bias };
  }
  const dst = new Typed(arena.buffer, out, c.length);
  if (init) {
    writeBlock(dst, 0, init.buf, init.offset, M, N, init.strides[0]!, init.strides[1]!);
    return { accumulate: true, bias: 0 };
  }
  if (accumulate) dst.set(c as Float32Array);
  return { accumulate, bias: 0 };
}
