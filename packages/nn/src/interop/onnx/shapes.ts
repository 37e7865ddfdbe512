import type { OnnxGraph } from "./graph";

/**
 * Sizes that may follow the dynamic axes. Every traced value has its shape in the export's trace
 * (a) and, when dynamicAxes are declared, in a second trace with those axes grown (b); a size
 * that differs between the two follows the inputs and is read from a Shape at run time.
 */
export interface Sized {
  name: string;
  a: readonly number[];
  b: readonly number[] | null;
}

const INT64_MAX = 2 ** 63 - 1;

function gcd(x: number, y: number): number {
  return y === 0 ? x : gcd(y, x % y);
}

/** Dim i of target as a multiple of a dim of src (dim j times num / den in both traces), or null. */
function followDim(src: Sized, a: number, b: number, what: string): { j: number; num: number; den: number } | null {
  const fits = src.a.flatMap((sa, j) => (sa > 0 && a * src.b![j]! === b * sa && src.b![j] !== sa ? [j] : []));
  if (fits.length === 0) return null;
  const j = fits[0]!;
  if (fits.some((k) => src.a[k] !== src.a[j] || src.b![k] !== src.b![j])) return null;
  if (fits.length > 1) throw new Error(`exportOnnx: ${what}: size ${a} follows dims ${fits.join(" and ")} of the input equally (both of size ${src.a[j]}); give the dynamic axes of the example inputs sizes that differ from each other`);
  const k = gcd(a, src.a[j]!);
  return { j, num: a / k, den: src.a[j]! / k };
}

/**
 * The int64 shape input of a Reshape (mode "reshape": 0 copies the input's dim, -1 is inferred)
 * or an Expand ("expand": 1 keeps the input's dim) producing target from src. Static sizes are
 * constants; a size that follows the dynamic axes is copied, inferred or read from Shape(src).
 */
export function targetShape(g: OnnxGraph, src: Sized, target: { a: readonly number[]; b: readonly number[] | null }, mode: "reshape" | "expand", what: string): string {
  const { a, b } = target;
  const lead = a.length - src.a.length;
  type Part = number | { j: number; num: number; den: number } | "infer";
  const parts: Part[] = a.map((d, i) => {
    if (!b || b[i] === d) return d;
    const k = mode === "reshape" ? i : i - lead;
    if (k >= 0 && k < src.a.length && src.a[k] === d && src.b![k] === b[i]) return mode === "reshape" ? 0 : 1;
    return "infer";
  });
  const open = parts.flatMap((p, i) => (p === "infer" ? [i] : []));
  if (open.length > 1 || mode === "expand") {
    for (const i of open) {
      const f = followDim(src, a[i]!, b![i]!, what);
      if (f) parts[i] = f;
    }
  }
  const left = parts.flatMap((p, i) => (p === "infer" ? [i] : []));
  if (left.length > (mode === "reshape" ? 1 : 0)) {
    throw new Error(`exportOnnx: ${what}: dim ${left[0]} of the result (size ${a[left[0]!]}, ${b![left[0]!]} when the dynamic axes grow) follows the dynamic axes in a way the exporter cannot express from the input's shape [${src.a.join(", ")}]; export without dynamicAxes for fixed shapes`);
  }
  if (parts.every((p) => typeof p === "number" || p === "infer")) return g.int64s(parts.map((p) => (p === "infer" ? -1 : p)), "shape");
  const shapeOf = g.one("Shape", [src.name]);
  const pieces = parts.map((p) => {
    if (typeof p === "number" || p === "infer") return g.int64s([p === "infer" ? -1 : p], "dim");
    let d = g.one("Gather", [shapeOf, g.int64s([p.j], "index")], { axis: 0 });
    if (p.num !== 1) d = g.one("Mul", [d, g.int64s([p.num], "factor")]);
    if (p.den !== 1) d = g.one("Div", [d, g.int64s([p.den], "divisor")]);
    return d;
  });
  return g.one("Concat", pieces, { axis: 0 });
}

/**
 * ONNX Slice bounds for slice(x, dim, start, length, step) in both traces: fixed bounds, or
 * bounds counted from the end of a dynamic dim (start and/or end the same distance from it).
 */
export function sliceBounds(src: Sized, dim: number, a: { start: number; length: number }, b: { start: number; length: number } | null, what: string): [number, number] {
  const endA = a.start + a.length;
  if (!b || !src.b || src.a[dim] === src.b[dim]) {
    if (b && (b.start !== a.start || b.length !== a.length)) throw new Error(`exportOnnx: ${what}: the bounds change (${a.start}+${a.length} → ${b.start}+${b.length}) when the dynamic axes grow, but the sliced dim does not`);
    return [a.start, endA];
  }
  const sizeA = src.a[dim]!;
  const sizeB = src.b[dim]!;
  const endB = b.start + b.length;
  const fromEnd = (v: number, size: number) => v - size;
  const start = b.start === a.start ? a.start : fromEnd(a.start, sizeA) === fromEnd(b.start, sizeB) ? fromEnd(a.start, sizeA) : null;
  const end = endB === endA ? endA : fromEnd(endA, sizeA) === fromEnd(endB, sizeB) ? (endA === sizeA ? INT64_MAX : fromEnd(endA, sizeA)) : null;
  if (start === null || end === null) {
    throw new Error(`exportOnnx: ${what}: slice ${a.start}..${endA} of a dim of size ${sizeA} (${b.start}..${endB} of ${sizeB} when the dynamic axes grow) is neither fixed nor counted from the end; export without dynamicAxes for fixed shapes`);
  }
  return [start, end];
}
