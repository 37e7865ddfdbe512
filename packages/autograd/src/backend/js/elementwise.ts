import type { TypedArray } from "../../core/dtype";
import { coalesce, type StridedView } from "./strided";

/**
 * Elementwise kernels, one per expression. Inputs are named a, b, c; scalar parameters s0, s1.
 * Each expression becomes a specialized strided loop (generated once), with a fast path when
 * every operand is contiguous in the innermost dim.
 */
export const EXPRESSIONS = {
  copy: "a",
  neg: "-a",
  exp: "Math.exp(a)",
  log: "Math.log(a)",
  sqrt: "Math.sqrt(a)",
  abs: "Math.abs(a)",
  sign: "a > 0 ? 1 : a < 0 ? -1 : a",
  tanh: "Math.tanh(a)",
  sigmoid: "1 / (1 + Math.exp(-a))",
  relu: "a > 0 ? a : a !== a ? a : 0",
  clamp: "a < s0 ? s0 : a > s1 ? s1 : a",
  powScalar: "Math.pow(a, s0)",
  fill: "s0",
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  pow: "Math.pow(a, b)",
  maximum: "a > b || a !== a ? a : b",
  minimum: "a < b || a !== a ? a : b",
  gt: "a > b ? 1 : 0",
  lt: "a < b ? 1 : 0",
  ge: "a >= b ? 1 : 0",
  le: "a <= b ? 1 : 0",
  eq: "a === b ? 1 : 0",
  ne: "a !== b ? 1 : 0",
  addScaled: "a + s0 * b",
  where: "a !== 0 ? b : c",
  addcmul: "a + s0 * b * c",
  addcdiv: "a + s0 * b / c",
  tanhGrad: "a * (1 - b * b)",
  sigmoidGrad: "a * b * (1 - b)",
} as const;

export type ElementwiseOp = keyof typeof EXPRESSIONS;

type Kernel = (
  shape: number[], strides: number[][], out: TypedArray, outOffset: number,
  a: TypedArray | undefined, aOffset: number, b: TypedArray | undefined, bOffset: number,
  c: TypedArray | undefined, cOffset: number, s0: number, s1: number,
) => void;

const ARITY: Record<ElementwiseOp, number> = Object.fromEntries(
  Object.entries(EXPRESSIONS).map(([op, expr]) => [op, /\bc\b/.test(expr) ? 3 : /\bb\b/.test(expr) ? 2 : /\ba\b/.test(expr) ? 1 : 0]),
) as Record<ElementwiseOp, number>;

const compiled = new Map<ElementwiseOp, Kernel>();

function compile(op: ElementwiseOp): Kernel {
  const expr = EXPRESSIONS[op];
  const names = ["a", "b", "c"].slice(0, ARITY[op]);
  const bufs = ["O", ...names.map((n) => n.toUpperCase())];
  const ptr = (k: number) => `p${k}`;
  const inc = (k: number) => `i${k}`;
  const readsFast = names.map((n, k) => `const ${n} = ${n.toUpperCase()}[${ptr(k + 1)} + j];`).join(" ");
  const readsStrided = names.map((n, k) => `const ${n} = ${n.toUpperCase()}[${ptr(k + 1)} + j * ${inc(k + 1)}];`).join(" ");
  const all = bufs.map((_, k) => k);
  const body = `
    const nd = shape.length;
    ${all.map((k) => `let ${ptr(k)} = ${["oOff", "aOff", "bOff", "cOff"][k]};`).join(" ")}
    if (nd === 0) { const j = 0; ${readsFast} O[p0] = ${expr}; return; }
    let total = 1;
    for (let d = 0; d < nd; d++) total *= shape[d];
    if (total === 0) return;
    const n = shape[nd - 1];
    ${all.map((k) => `const ${inc(k)} = strides[${k}][nd - 1]; const st${k} = strides[${k}];`).join(" ")}
    const fast = ${all.map((k) => `${inc(k)} === 1`).join(" && ")};
    const outer = total / n;
    const idx = new Int32Array(nd);
    for (let q = 0; q < outer; q++) {
      if (fast) { for (let j = 0; j < n; j++) { ${readsFast} O[p0 + j] = ${expr}; } }
      else { for (let j = 0; j < n; j++) { ${readsStrided} O[p0 + j * i0] = ${expr}; } }
      for (let d = nd - 2; d >= 0; d--) {
        ${all.map((k) => `${ptr(k)} += st${k}[d];`).join(" ")}
        if (++idx[d] < shape[d]) break;
        ${all.map((k) => `${ptr(k)} -= st${k}[d] * shape[d];`).join(" ")}
        idx[d] = 0;
      }
    }`;
  // a named function, so profiles show which expression the time went to
  const params = "shape, strides, O, oOff, A, aOff, B, bOff, C, cOff, s0, s1";
  return new Function(`return function ${op}Kernel(${params}) {${body}}`)() as Kernel;
}

/**
 * out[i] = op(inputs[0][i], inputs[1][i], ...) over out.shape. Inputs must already have out's
 * shape (broadcast dims carry stride 0). `out` may alias an input elementwise (in-place ops).
 */
export function elementwise(op: ElementwiseOp, out: StridedView, inputs: readonly StridedView[], s0 = 0, s1 = 0): void {
  let kernel = compiled.get(op);
  if (kernel === undefined) {
    kernel = compile(op);
    compiled.set(op, kernel);
  }
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const [a, b, c] = inputs;
  if (op === "copy" && a!.buf.constructor === out.buf.constructor && copyRows(shape, strides, out, a!)) return;
  kernel(shape, strides, out.buf, out.offset, a?.buf, a?.offset ?? 0, b?.buf, b?.offset ?? 0, c?.buf, c?.offset ?? 0, s0, s1);
}

/**
 * A copy between arrays of one type whose innermost dim is contiguous on both sides, as one
 * block move per row (cat, stack, contiguous() of row slices). False when it does not apply.
 */
function copyRows(shape: readonly number[], strides: readonly number[][], out: StridedView, src: StridedView): boolean {
  const nd = shape.length;
  if (nd === 0 || strides[0]![nd - 1] !== 1 || strides[1]![nd - 1] !== 1) return false;
  const inner = shape[nd - 1]!;
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= shape[d]!;
  const idx = new Int32Array(nd);
  let po = out.offset, ps = src.offset;
  for (let k = 0; k < rows; k++) {
    (out.buf as Float32Array).set((src.buf as Float32Array).subarray(ps, ps + inner), po);
    for (let d = nd - 2; d >= 0; d--) {
      po += strides[0]![d]!;
      ps += strides[1]![d]!;
      if (++idx[d]! < shape[d]!) break;
      po -= strides[0]![d]! * shape[d]!;
      ps -= strides[1]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return true;
}

export function arity(op: ElementwiseOp): number {
  return ARITY[op];
}
