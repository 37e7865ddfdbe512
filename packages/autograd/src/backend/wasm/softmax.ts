import { softmaxBackward, softmaxForward } from "../js/softmax";
import { forEachRow } from "../js/strided";
import { coalesce, type StridedView } from "../js/strided";
import type { Arena } from "./instance";
import { numel } from "../../core/shape";
import { WASM_CHUNK, WASM_SOFTMAX_MIN } from "../tuning";


/** float32 views with rows (the last dim) no longer than a chunk. */
function fits(views: readonly StridedView[]): boolean {
  const shape = views[0]!.shape;
  const n = shape[shape.length - 1]!;
  if (n > WASM_CHUNK || n < 4 || numel(shape) < WASM_SOFTMAX_MIN) return false;
  for (const v of views) if (!(v.buf instanceof Float32Array)) return false;
  return true;
}

/**
 * Runs `compute(rows, n, addresses)` over chunks of rows: the rows of `inputs` are packed into
 * WebAssembly memory and the results are copied back to the rows of `output`.
 */
function byChunks(arena: Arena, inputs: readonly StridedView[], output: StridedView, compute: (rows: number, n: number, at: number[]) => void): void {
  const n = output.shape[output.shape.length - 1]!;
  const perCall = Math.floor(WASM_CHUNK / n);
  const views = [...inputs, output];
  const starts: number[][] = views.map(() => []);
  forEachRow(views, (s) => s.forEach((p, k) => starts[k]!.push(p)));
  const steps = views.map((v) => v.strides[v.strides.length - 1]!);
  const adjacent = views.map((v, k) => steps[k] === 1 && rowsAdjacent(v, n));
  arena.reset();
  const at = views.map(() => arena.take(perCall * n * 4));
  const blocks = at.map((p) => new Float32Array(arena.buffer, p, perCall * n));
  const total = starts[0]!.length;
  for (let r0 = 0; r0 < total; r0 += perCall) {
    const rows = Math.min(perCall, total - r0);
    inputs.forEach((v, k) => copyRows(v.buf as Float32Array, starts[k]!, steps[k]!, adjacent[k]!, r0, rows, n, blocks[k]!, true));
    compute(rows, n, at);
    copyRows(output.buf as Float32Array, starts[inputs.length]!, steps[inputs.length]!, adjacent[inputs.length]!, r0, rows, n, blocks[inputs.length]!, false);
  }
}

/** Whether each row of a view with contiguous rows of n starts where the one before ends. */
function rowsAdjacent(v: StridedView, n: number): boolean {
  const nd = v.shape.length - 1;
  const outer = coalesce(v.shape.slice(0, nd), [v.strides.slice(0, nd)]);
  return outer.shape.length === 0 || (outer.shape.length === 1 && outer.strides[0]![0] === n);
}

/**
 * Rows r0 .. r0+rows of a view (row r starting at starts[r], `step` between its elements) into
 * the packed block, or back out of it; `adjacent` rows move as one block.
 */
function copyRows(buf: Float32Array, starts: readonly number[], step: number, adjacent: boolean, r0: number, rows: number, n: number, block: Float32Array, into: boolean): void {
  const first = starts[r0]!;
  if (step !== 1) {
    for (let r = 0; r < rows; r++) {
      const p = starts[r0 + r]!;
      if (into) for (let j = 0; j < n; j++) block[r * n + j] = buf[p + j * step]!;
      else for (let j = 0; j < n; j++) buf[p + j * step] = block[r * n + j]!;
    }
    return;
  }
  if (adjacent) {
    if (into) block.set(buf.subarray(first, first + rows * n));
    else buf.set(block.subarray(0, rows * n), first);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const p = starts[r0 + r]!;
    if (into) block.set(buf.subarray(p, p + n), r * n);
    else buf.set(block.subarray(r * n, (r + 1) * n), p);
  }
}

export function wasmSoftmaxForward(arena: Arena, x: StridedView, y: StridedView, log: boolean): void {
  if (!fits([x, y])) return softmaxForward(x, y, log);
  byChunks(arena, [x], y, (rows, n, [xp, yp]) => arena.exports.softmaxRowsF32(rows, n, xp!, yp!, log ? 1 : 0));
}

export function wasmSoftmaxBackward(arena: Arena, y: StridedView, g: StridedView, dx: StridedView, log: boolean): void {
  if (!fits([y, g, dx])) return softmaxBackward(y, g, dx, log);
  byChunks(arena, [y, g], dx, (rows, n, [yp, gp, dp]) => arena.exports.softmaxBackwardRowsF32(rows, n, yp!, gp!, dp!, log ? 1 : 0));
}
