import type { TypedArray } from "../../core/dtype";
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from "../js/cells";
import type { StridedView } from "../js/strided";
import type { Arena } from "./instance";

/** Whether wasm/cells.ts takes these operands: float32, H a multiple of 4, rows contiguous along the last dim. */
function fits(H: number, views: readonly (StridedView | null)[]): boolean {
  if (H % 4 !== 0) return false;
  for (const v of views) if (v && (!(v.buf instanceof Float32Array) || (v.shape[1]! > 1 && v.strides[1] !== 1))) return false;
  return true;
}

/** Copies a (rows, cols) view with contiguous rows into the arena; returns its address. */
function copyIn(arena: Arena, v: StridedView): number {
  const [rows, cols] = v.shape as [number, number];
  const at = arena.take(rows * cols * 4);
  const dst = new Float32Array(arena.buffer, at, rows * cols);
  if (v.strides[0] === cols) dst.set((v.buf as Float32Array).subarray(v.offset, v.offset + rows * cols));
  else for (let r = 0; r < rows; r++) dst.set((v.buf as Float32Array).subarray(v.offset + r * v.strides[0]!, v.offset + r * v.strides[0]! + cols), r * cols);
  return at;
}

const contiguous = (buf: TypedArray, rows: number, cols: number): StridedView => ({ buf, shape: [rows, cols], strides: [cols, 1], offset: 0 });

function copyOut(arena: Arena, at: number, out: TypedArray): void {
  (out as Float32Array).set(new Float32Array(arena.buffer, at, out.length));
}

export function wasmLstmCellForward(arena: Arena, gates: StridedView, c: StridedView, cNext: TypedArray, h: TypedArray): void {
  const [B, H] = c.shape as [number, number];
  if (!fits(H, [gates, c])) return lstmCellForward(gates, c, cNext, h);
  arena.reset();
  const g = copyIn(arena, gates), cc = copyIn(arena, c);
  const n = arena.take(cNext.length * 4), o = arena.take(h.length * 4);
  arena.exports.lstmForwardF32(B, H, g, cc, n, o);
  copyOut(arena, n, cNext);
  copyOut(arena, o, h);
}

export function wasmLstmCellBackward(arena: Arena, gates: StridedView, c: StridedView, dh: StridedView | null, dcNext: StridedView | null, dGates: TypedArray, dc: TypedArray): void {
  const [B, H] = c.shape as [number, number];
  if (!fits(H, [gates, c, dh, dcNext])) return lstmCellBackward(gates, c, dh, dcNext, dGates, dc);
  arena.reset();
  const g = copyIn(arena, gates), cc = copyIn(arena, c);
  const gh = dh ? copyIn(arena, dh) : 0, gc = dcNext ? copyIn(arena, dcNext) : 0;
  const dg = arena.take(dGates.length * 4), d = arena.take(dc.length * 4);
  arena.exports.lstmBackwardF32(B, H, g, cc, gh, gc, dg, d);
  copyOut(arena, dg, dGates);
  copyOut(arena, d, dc);
}

export function wasmGruCellForward(arena: Arena, inputGates: StridedView, hiddenGates: StridedView, h: StridedView, act: TypedArray, hNext: TypedArray): void {
  const [B, H] = h.shape as [number, number];
  if (!fits(H, [inputGates, hiddenGates, h])) return gruCellForward(inputGates, hiddenGates, h, act, hNext);
  arena.reset();
  const i = copyIn(arena, inputGates), g = copyIn(arena, hiddenGates), hh = copyIn(arena, h);
  const a = arena.take(act.length * 4), o = arena.take(hNext.length * 4);
  arena.exports.gruForwardF32(B, H, i, g, hh, a, o);
  copyOut(arena, a, act);
  copyOut(arena, o, hNext);
}

export function wasmGruCellBackward(
  arena: Arena, act: TypedArray, hiddenGates: StridedView, h: StridedView, dhNext: StridedView, dInputGates: TypedArray, dHiddenGates: TypedArray, dh: TypedArray,
): void {
  const [B, H] = h.shape as [number, number];
  if (!(act instanceof Float32Array) || !fits(H, [hiddenGates, h, dhNext])) return gruCellBackward(act, hiddenGates, h, dhNext, dInputGates, dHiddenGates, dh);
  arena.reset();
  // only h_n, the last block of the hidden gates, is read
  const hn: StridedView = { ...hiddenGates, shape: [B, H], offset: hiddenGates.offset + 2 * H * hiddenGates.strides[1]! };
  const a = copyIn(arena, contiguous(act, B, 3 * H)), n = copyIn(arena, hn), hh = copyIn(arena, h), d = copyIn(arena, dhNext);
  const di = arena.take(dInputGates.length * 4), dg = arena.take(dHiddenGates.length * 4), dp = arena.take(dh.length * 4);
  arena.exports.gruBackwardF32(B, H, a, n, hh, d, di, dg, dp);
  copyOut(arena, di, dInputGates);
  copyOut(arena, dg, dHiddenGates);
  copyOut(arena, dp, dh);
}
