import type { ElementwiseOp } from "../js/elementwise";
import { elementwise as jsElementwise } from "../js/elementwise";
import { coalesce, forEachOffset, type StridedView } from "../js/strided";
import type { Arena, WasmExports } from "./instance";
import { WASM_ELEMENTWISE_MIN, WASM_TRANSCENDENTAL_MIN } from "../tuning";

/** The kernel of wasm/elementwise.ts for each op it has, by number of inputs. */
const UNARY = { neg: "negF32", exp: "expF32", tanh: "tanhF32", sigmoid: "sigmoidF32", relu: "reluF32", sqrt: "sqrtF32" } as const;
const BINARY = { add: "addF32", sub: "subF32", mul: "mulF32", div: "divF32", addScaled: "addScaledF32", tanhGrad: "tanhGradF32", sigmoidGrad: "sigmoidGradF32" } as const;
const TERNARY = { addcmul: "addcmulF32", addcdiv: "addcdivF32", where: "whereF32" } as const;

const TRANSCENDENTAL: ReadonlySet<ElementwiseOp> = new Set(["exp", "tanh", "sigmoid"]);

/**
 * How an input of coalesced shape [...outer, inner] is read: every element (dense), one row
 * broadcast over the outer dims (row), one value per row broadcast along the inner dim
 * (perRow, e.g. [n, 1] against [n, c]), or one value (scalar).
 */
type Layout = "dense" | "row" | "perRow" | "scalar";

function layoutOf(strides: readonly number[]): Layout | null {
  const nd = strides.length;
  let outer = false;
  for (let d = 0; d < nd - 1; d++) if (strides[d] !== 0) outer = true;
  const inner = strides[nd - 1];
  if (inner === 1) return outer || nd === 1 ? "dense" : "row";
  if (inner === 0) return outer ? "perRow" : "scalar";
  return null;
}

/** A float32 view over the arena, rebuilt when the module's memory grows. */
let heap = new Float32Array(0);
function heapOf(arena: Arena): Float32Array {
  const buffer = arena.buffer;
  if (heap.buffer !== buffer) heap = new Float32Array(buffer);
  return heap;
}

/**
 * The elementwise kernel on WebAssembly SIMD for float32 views whose innermost dim is contiguous
 * in the output and contiguous or broadcast in each input (rows of a chunk, a bias row, a value
 * per row, a scalar); everything else, float64 (kept exact for gradcheck) and small tensors take
 * the TypeScript kernel.
 */
export function wasmElementwise(arena: Arena, op: ElementwiseOp, out: StridedView, inputs: readonly StridedView[], s0 = 0, s1 = 0): void {
  const unary = UNARY[op as keyof typeof UNARY], binary = BINARY[op as keyof typeof BINARY], ternary = TERNARY[op as keyof typeof TERNARY];
  const arity = unary ? 1 : binary ? 2 : ternary ? 3 : 0;
  if (arity === 0 || inputs.length !== arity || !(out.buf instanceof Float32Array)) return jsElementwise(op, out, inputs, s0, s1);
  for (const v of inputs) if (!(v.buf instanceof Float32Array)) return jsElementwise(op, out, inputs, s0, s1);
  let n = 1;
  for (const s of out.shape) n *= s;
  if (n < (TRANSCENDENTAL.has(op) ? WASM_TRANSCENDENTAL_MIN : WASM_ELEMENTWISE_MIN)) return jsElementwise(op, out, inputs, s0, s1);

  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  if (strides[0]![nd - 1] !== 1) return jsElementwise(op, out, inputs, s0, s1);
  const layouts: Layout[] = [];
  for (let k = 1; k <= arity; k++) {
    const layout = layoutOf(strides[k]!);
    // a unary kernel reads n dense elements; a broadcast input (e.g. the gradient of a sum) stays in TypeScript
    if (layout === null || (unary && layout !== "dense")) return jsElementwise(op, out, inputs, s0, s1);
    layouts.push(layout);
  }
  // Dense inputs alone run as one flat row of n elements; a broadcast row or per-row value needs the rows.
  const byRows = layouts.some((l) => l === "row" || l === "perRow");
  const rows = byRows ? n / inner : 1;
  const outerShape = shape.slice(0, -1);
  const width = byRows ? inner : n;

  arena.reset();
  const at = arena.take(n * 4 + 16);
  const operands: number[] = [];
  for (let k = 0; k < arity; k++) {
    const v = inputs[k]!, st = strides[k + 1]!, buf = v.buf as Float32Array;
    const layout = layouts[k]!;
    let p: number;
    if (layout === "dense") {
      p = arena.take(n * 4 + 16);
      const dst = heapOf(arena), base = p >> 2;
      if (isPacked(shape, st)) dst.set(buf.subarray(v.offset, v.offset + n), base);
      else forEachOffset(outerShape, st.slice(0, -1), v.offset, (start, r) => dst.set(buf.subarray(start, start + inner), base + r * inner));
    } else if (layout === "row") {
      p = arena.take(inner * 4 + 16);
      heapOf(arena).set(buf.subarray(v.offset, v.offset + inner), p >> 2);
    } else if (layout === "scalar") {
      p = arena.take(16);
      heapOf(arena).fill(buf[v.offset]!, p >> 2, (p >> 2) + 4);
    } else {
      p = arena.take(rows * 16);
      const dst = heapOf(arena), base = p >> 2;
      forEachOffset(outerShape, st.slice(0, -1), v.offset, (start, r) => {
        const value = buf[start]!, q = base + 4 * r;
        dst[q] = value;
        dst[q + 1] = value;
        dst[q + 2] = value;
        dst[q + 3] = value;
      });
    }
    // pointer, bytes from one row to the next, bytes from one vector to the next
    operands.push(p, layout === "dense" ? inner * 4 : layout === "perRow" ? 16 : 0, layout === "dense" || layout === "row" ? 16 : 0);
  }
  const exports: WasmExports = arena.exports;
  if (unary) exports[unary](n, operands[0]!, at);
  else if (binary) exports[binary](rows, width, operands[0]!, operands[1]!, operands[2]!, operands[3]!, operands[4]!, operands[5]!, at, s0);
  else exports[ternary!](rows, width, operands[0]!, operands[1]!, operands[2]!, operands[3]!, operands[4]!, operands[5]!, operands[6]!, operands[7]!, operands[8]!, at, s0);

  const result = heapOf(arena), from = at >> 2;
  const target = out.buf as Float32Array, st = strides[0]!;
  if (isPacked(shape, st)) target.set(result.subarray(from, from + n), out.offset);
  else forEachOffset(outerShape, st.slice(0, -1), out.offset, (start, r) => target.set(result.subarray(from + r * inner, from + (r + 1) * inner), start));
}

/** Whether a view of coalesced shape/strides is one block of consecutive elements. */
function isPacked(shape: readonly number[], strides: readonly number[]): boolean {
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    if (strides[d] !== s) return false;
    s *= shape[d]!;
  }
  return true;
}
