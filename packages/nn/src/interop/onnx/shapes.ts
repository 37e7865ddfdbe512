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

/** A size as dim j of one of the sources times num / den in both traces (the first such), or null. */
function followDim(sources: readonly Sized[], a: number, b: number): { source: Sized; j: number; num: number; den: number } | null {
  for (const source of sources) {
    if (!source.b) continue;
    const j = source.a.findIndex((sa, k) => sa > 0 && source.b![k] !== sa && a * source.b![k]! === b * sa);
    if (j < 0) continue;
    const k = gcd(a, source.a[j]!);
    return { source, j, num: a / k, den: source.a[j]! / k };
  }
  return null;
}

/**
 * The int64 shape input of a Reshape (mode "reshape": 0 copies the input's dim, -1 is inferred)
 * or an Expand ("expand": 1 keeps the input's dim) producing target from src. Static sizes are
 * constants; a size that follows the dynamic axes is copied, inferred, or read from the Shape of
 * src or of a graph input (a multiple of one of their dims; the first that fits in both traces).
 */
export function targetShape(g: OnnxGraph, src: Sized, target: { a: readonly number[]; b: readonly number[] | null }, mode: "reshape" | "expand", what: string, graphInputs: readonly Sized[]): string {
  const { a, b } = target;
  const lead = a.length - src.a.length;
  type Part = number | { source: Sized; j: number; num: number; den: number } | "infer";
  const parts: Part[] = a.map((d, i) => {
    if (!b || b[i] === d) return d;
    const k = mode === "reshape" ? i : i - lead;
    if (k >= 0 && k < src.a.length && src.a[k] === d && src.b![k] === b[i]) return mode === "reshape" ? 0 : 1;
    return "infer";
  });
  const open = parts.flatMap((p, i) => (p === "infer" ? [i] : []));
  if (open.length > 1 || mode === "expand") {
    for (const i of open) {
      const f = followDim([src, ...graphInputs], a[i]!, b![i]!);
      if (f) parts[i] = f;
    }
  }
  const left = parts.flatMap((p, i) => (p === "infer" ? [i] : []));
  if (left.length > (mode === "reshape" ? 1 : 0)) {
    throw new Error(`exportOnnx: ${what}: dim ${left[0]} of the result (size ${a[left[0]!]}, ${b![left[0]!]} when the dynamic axes grow) follows the dynamic axes as no dim of the input [${src.a.join(", ")}] or of a graph input does; export without dynamicAxes for fixed shapes`);
  }
  if (parts.every((p) => typeof p === "number" || p === "infer")) return g.int64s(parts.map((p) => (p === "infer" ? -1 : p)), "shape");
  const pieces = parts.map((p) => {
    if (typeof p === "number" || p === "infer") return g.int64s([p === "infer" ? -1 : p], "dim");
    let d = g.one("Gather", [g.one("Shape", [p.source.name]), g.int64s([p.j], "index")], { axis: 0 });
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
