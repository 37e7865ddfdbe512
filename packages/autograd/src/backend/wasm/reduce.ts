import type { TypedArray } from "../../core/dtype";
import { plan, reduce as jsReduce, type ReduceOp } from "../js/reduce";
import { forEachOffset, type StridedView } from "../js/strided";
import type { Arena } from "./instance";
import { numel } from "../../core/shape";
import { WASM_CHUNK, WASM_REDUCE_MIN, WASM_REDUCE_MIN_ROW } from "../tuning";


/**
 * Sums of float32 tensors on WebAssembly SIMD, accumulated in float64 like the TypeScript
 * kernel: over the last dims (row sums, a whole-tensor sum) and over leading dims of rows
 * (column sums, e.g. a bias gradient). Other layouts, max/min and float64 take the TypeScript kernel.
 */
export function wasmReduce(arena: Arena, op: ReduceOp, x: StridedView, dims: readonly number[], out: TypedArray, indices?: Int32Array): void {
  if (op !== "sum" || !(x.buf instanceof Float32Array) || numel(x.shape) < WASM_REDUCE_MIN) return jsReduce(op, x, dims, out, indices);
  // the order of the summed dims does not matter: outermost first lets a transposed view coalesce
  const { outerShape, outerStrides, innerShape, innerStrides } = plan(x, [...dims].sort((a, b) => x.strides[b]! - x.strides[a]!));
  const no = outerShape.length;
  const step = outerStrides[no - 1] ?? 0;
  if (innerShape.length === 1 && innerStrides[0] === 1) {
    const n = innerShape[0]!;
    const adjacent = no === 0 || (no === 1 && step === n);
    if (adjacent || n >= WASM_REDUCE_MIN_ROW) {
      const starts: number[] = [];
      forEachOffset(outerShape, outerStrides, x.offset, (p) => starts.push(p));
      return sumRows(arena, x.buf, starts, n, adjacent, out);
    }
  }
  if (innerShape.length === 1 && no > 0 && step === 1) {
    const [count, stride] = [innerShape[0]!, innerStrides[0]!];
    const width = outerShape[no - 1]!;
    if (stride === width || width >= WASM_REDUCE_MIN_ROW) {
      const buf = x.buf;
      forEachOffset(outerShape.slice(0, -1), outerStrides.slice(0, -1), x.offset, (p, k) => sumColumns(arena, buf, p, count, stride, width, out, k * width));
      return;
    }
  }
  return jsReduce(op, x, dims, out, indices);
}

/** out[k] = Σ of the n elements from starts[k]; `adjacent`: each row starts where the last ends. */
function sumRows(arena: Arena, buf: Float32Array, starts: readonly number[], n: number, adjacent: boolean, out: TypedArray): void {
  arena.reset();
  const perCall = Math.max(1, Math.floor(WASM_CHUNK / n));
  const length = n > WASM_CHUNK ? WASM_CHUNK : perCall * n;
  const src = arena.take(length * 4);
  const sums = arena.take(perCall * 8);
  const block = new Float32Array(arena.buffer, src, length);
  const result = new Float64Array(arena.buffer, sums, perCall);
  const exports = arena.exports;
  if (n > WASM_CHUNK) {
    // long rows (a whole-tensor sum) in pieces
    starts.forEach((p, k) => {
      let total = 0;
      for (let j = 0; j < n; j += WASM_CHUNK) {
        const len = Math.min(WASM_CHUNK, n - j);
        block.set(buf.subarray(p + j, p + j + len));
        exports.sumRowsF32(1, len, src, sums);
        total += result[0]!;
      }
      out[k] = total;
    });
    return;
  }
  for (let k0 = 0; k0 < starts.length; k0 += perCall) {
    const rows = Math.min(perCall, starts.length - k0);
    if (adjacent) block.set(buf.subarray(starts[k0]!, starts[k0]! + rows * n));
    else for (let r = 0; r < rows; r++) block.set(buf.subarray(starts[k0 + r]!, starts[k0 + r]! + n), r * n);
    exports.sumRowsF32(rows, n, src, sums);
    out.set(result.subarray(0, rows), k0);
  }
}

/** out[at + j] = Σ_r buf[p + r·stride + j] for j < width, r < count. */
function sumColumns(arena: Arena, buf: Float32Array, p: number, count: number, stride: number, width: number, out: TypedArray, at: number): void {
  arena.reset();
  const perCall = Math.max(1, Math.floor(WASM_CHUNK / width));
  const src = arena.take(perCall * width * 4);
  const accAt = arena.take(width * 8);
  const block = new Float32Array(arena.buffer, src, perCall * width);
  const acc = new Float64Array(arena.buffer, accAt, width).fill(0);
  for (let r0 = 0; r0 < count; r0 += perCall) {
    const rows = Math.min(perCall, count - r0);
    const q = p + r0 * stride;
    if (stride === width) block.set(buf.subarray(q, q + rows * width));
    else for (let r = 0; r < rows; r++) block.set(buf.subarray(q + r * stride, q + r * stride + width), r * width);
    arena.exports.sumColumnsF32(rows, width, src, accAt);
  }
  out.set(acc, at);
}
