import type { ElementwiseOp } from "../elementwise";
import { elementwise as jsElementwise } from "../elementwise";
import { coalesce, forEachOffset, type StridedView } from "../view";
import type { Arena } from "./instance";

/** Op codes of wasm/elementwise.ts. */
const UNARY: Partial<Record<ElementwiseOp, number>> = { neg: 1, exp: 2, tanh: 3, sigmoid: 4, relu: 5, sqrt: 6 };
const BINARY: Partial<Record<ElementwiseOp, number>> = { add: 10, sub: 11, mul: 12, div: 13, addScaled: 14, tanhGrad: 15, sigmoidGrad: 16 };
const TERNARY: Partial<Record<ElementwiseOp, number>> = { addcmul: 20, addcdiv: 21, where: 22 };

/** Below this many elements the plain loop is as fast as the copies in and out... */
const MIN_ELEMENTS = 1024;
/** ...except for exp, tanh and sigmoid, which cost far more per element in JavaScript. */
const MIN_ELEMENTS_TRANSCENDENTAL = 128;
const TRANSCENDENTAL: ReadonlySet<ElementwiseOp> = new Set(["exp", "tanh", "sigmoid"]);

/**
 * A coalesced operand whose innermost dim is contiguous (or that is one broadcast element):
 * it moves in and out of WebAssembly memory one row at a time.
 */
interface Rows {
  buf: Float32Array;
  offset: number;
  strides: number[];
  scalar: boolean;
}

/**
 * The elementwise kernel on WebAssembly SIMD for float32 operands whose innermost dim is
 * contiguous (rows of a chunk, a broadcast bias row, a scalar); everything else, float64
 * (kept exact for gradcheck) and small tensors take the TypeScript kernel.
 */
export function wasmElementwise(arena: Arena, op: ElementwiseOp, out: StridedView, inputs: readonly StridedView[], s0 = 0, s1 = 0): void {
  const unary = UNARY[op];
  const ternary = TERNARY[op];
  const code = unary ?? ternary ?? BINARY[op];
  if (code === undefined || !(out.buf instanceof Float32Array) || inputs.length !== (unary ? 1 : ternary ? 3 : 2)) return jsElementwise(op, out, inputs, s0, s1);
  let n = 1;
  for (const s of out.shape) n *= s;
  if (n < (TRANSCENDENTAL.has(op) ? MIN_ELEMENTS_TRANSCENDENTAL : MIN_ELEMENTS)) return jsElementwise(op, out, inputs, s0, s1);
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  const rows: Rows[] = [];
  for (let k = 0; k <= inputs.length; k++) {
    const v = k === 0 ? out : inputs[k - 1]!;
    if (!(v.buf instanceof Float32Array)) return jsElementwise(op, out, inputs, s0, s1);
    const st = strides[k]!;
    const scalar = k > 0 && st.every((s) => s === 0);
    if (!scalar && st[nd - 1] !== 1) return jsElementwise(op, out, inputs, s0, s1);
    rows.push({ buf: v.buf, offset: v.offset, strides: st, scalar });
  }
  // unaryF32 reads n input elements: a broadcast scalar input (e.g. the gradient of a sum) stays in TypeScript.
  if (unary && rows[1]!.scalar) return jsElementwise(op, out, inputs, s0, s1);
  arena.reset();
  const padded = (n + 3) & ~3;
  const pointers = rows.map((r, k) => {
    const at = arena.take((r.scalar ? 4 : padded * 4) + 16);
    if (k === 0) return at;
    const dst = new Float32Array(arena.buffer, at, r.scalar ? 1 : n);
    if (r.scalar) dst[0] = r.buf[r.offset]!;
    else if (nd === 1) dst.set(r.buf.subarray(r.offset, r.offset + n));
    else forEachOffset(shape.slice(0, -1), r.strides.slice(0, -1), r.offset, (p, row) => dst.set(r.buf.subarray(p, p + inner), row * inner));
    return at;
  });
  const exports = arena.exports;
  const scalar = (k: number) => (rows[k]!.scalar ? 1 : 0);
  if (unary) exports.unaryF32(code, n, pointers[1]!, pointers[0]!);
  else if (ternary) exports.ternaryF32(code, n, pointers[1]!, scalar(1), pointers[2]!, scalar(2), pointers[3]!, scalar(3), pointers[0]!, s0);
  else exports.binaryF32(code, n, pointers[1]!, scalar(1), pointers[2]!, scalar(2), pointers[0]!, s0);
  const result = new Float32Array(arena.buffer, pointers[0]!, n);
  const target = rows[0]!;
  if (nd === 1) target.buf.set(result, target.offset);
  else forEachOffset(shape.slice(0, -1), target.strides.slice(0, -1), target.offset, (p, row) => target.buf.set(result.subarray(row * inner, row * inner + inner), p));
}
