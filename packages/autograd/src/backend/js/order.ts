import type { TypedArray } from "../../core/dtype";

// Order kernels over a contiguous buffer read as (outer, size, inner): each of the outer·inner
// lines of `size` elements is handled on its own. NaN counts as larger than every number.

/** a and b equal, NaN equal to NaN. */
const same = (a: number, b: number) => a === b || (a !== a && b !== b);

/** a before b in ascending order, NaN last. */
const less = (a: number, b: number) => a < b || (a === a && b !== b);

/** out[o, k, i]: the position along the line of its k-th element in sorted order (stable). */
export function sortIndices(data: TypedArray, outer: number, size: number, inner: number, descending: boolean, out: Int32Array): void {
  const line = Array.from({ length: size }, (_, k) => k);
  const values = new Float64Array(size);
  const up = (a: number, b: number) => values[a]! - values[b]!;
  const down = (a: number, b: number) => values[b]! - values[a]!;
  const withNaN = descending ? (a: number, b: number) => (less(values[b]!, values[a]!) ? -1 : less(values[a]!, values[b]!) ? 1 : 0) : (a: number, b: number) => (less(values[a]!, values[b]!) ? -1 : less(values[b]!, values[a]!) ? 1 : 0);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let nan = false;
      for (let k = 0; k < size; k++) {
        values[k] = data[base + k * inner]!;
        nan ||= values[k] !== values[k];
        line[k] = k;
      }
      // Array.prototype.sort is stable; a comparator giving NaN (∞ - ∞) counts as equal
      line.sort(nan ? withNaN : descending ? down : up);
      for (let k = 0; k < size; k++) out[base + k * inner] = line[k]!;
    }
  }
}

/** out[o, k, i]: where the running max (min) of line elements 0..k is; ties and NaN take the later position. */
export function cumulativeExtremeIndices(data: TypedArray, outer: number, size: number, inner: number, op: "max" | "min", out: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = 0;
      for (let k = 0; k < size; k++) {
        const x = data[base + k * inner]!;
        const b = data[base + best * inner]!;
        if (x !== x || (b === b && (op === "max" ? x >= b : x <= b))) best = k;
        out[base + k * inner] = best;
      }
    }
  }
}

/** out[o, i]: the position of the last occurrence of the most frequent value of each line (ties: the smallest value). */
export function modeIndices(data: TypedArray, outer: number, size: number, inner: number, out: Int32Array): void {
  const order = new Int32Array(outer * size * inner);
  sortIndices(data, outer, size, inner, false, order);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      const at = (k: number) => data[base + order[base + k * inner]! * inner]!;
      let [best, bestLength] = [0, 0];
      for (let start = 0; start < size; ) {
        let end = start;
        while (end + 1 < size && same(at(end + 1), at(start))) end++;
        if (end - start + 1 > bestLength) [best, bestLength] = [end, end - start + 1];
        start = end + 1;
      }
      out[o * inner + i] = order[base + best * inner]!;
    }
  }
}

/** out[o, k, i] = Σ of the line's elements 0..k (reverse: k..size-1), in order. */
export function cumsum(data: TypedArray, outer: number, size: number, inner: number, reverse: boolean, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let acc = 0;
      for (let j = 0; j < size; j++) {
        const at = base + (reverse ? size - 1 - j : j) * inner;
        acc += data[at]!;
        out[at] = acc;
      }
    }
  }
}
