import { isFloat, type DType } from "./dtype";
import { checkElementCount, show } from "./validate";

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function fmt(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Normalizes a possibly negative dim of a tensor (given by its shape, or its number of dims), naming `op` when out of range. */
export function normalizeDim(dim: number, of: number | Shape, op: string): number {
  const ndim = typeof of === "number" ? of : of.length;
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    const tensor = typeof of === "number" ? `a tensor with ${ndim} dimension(s)` : `a tensor of shape ${fmt(of)}`;
    throw new Error(`${op}: dim ${dim} is out of range for ${tensor} (expected an integer in [${lo}, ${hi}])`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalizes dims for a reduction; undefined means every dim. Sorted, unique. */
export function normalizeDims(dims: number | readonly number[] | undefined, of: number | Shape, op: string): number[] {
  const ndim = typeof of === "number" ? of : of.length;
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : [...dims];
  const out = list.map((d) => normalizeDim(d, of, op));
  if (ndim === 0) return []; // a 0-d tensor accepts dim 0 or -1, and reducing over it changes nothing
  const unique = [...new Set(out)].sort((a, b) => a - b);
  if (unique.length !== out.length) throw new Error(`${op}: dim ${JSON.stringify(dims)} names a dimension twice`);
  return unique;
}

/** The shape that `shapes` broadcast to (PyTorch's rules); throws an error naming `op` when they do not broadcast. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  let ndim = 0;
  for (const s of shapes) ndim = Math.max(ndim, s.length);
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = ndim - s.length + i;
      const d = s[i]!;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new Error(`${op}: shapes ${shapes.map(fmt).join(" and ")} cannot be broadcast together (dimension ${j}: ${out[j]} vs ${d})`);
      }
    }
  }
  return out;
}

export function checkShape(shape: unknown, op: string): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: shape must be an array of non-negative integers, got ${Array.isArray(shape) ? `[${shape.map(show).join(",")}]` : show(shape)}`);
  }
  checkElementCount(op, shape);
  return [...shape];
}

/** Throws naming `what` when t holds NaN or ±Inf (detectAnomaly). */
export function checkFinite(t: { dtype: DType; data(): ArrayLike<number> }, what: string, where = ""): void {
  if (!isFloat(t.dtype)) return;
  const data = t.data();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new Error(`detectAnomaly: ${what} produced ${Number.isNaN(data[i]!) ? "NaN" : "Inf"}${where}`);
  }
}

/** The row-major index (one entry per dim) of flat position k in shape. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return index;
}
