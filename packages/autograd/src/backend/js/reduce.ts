import type { TypedArray } from "../../core/dtype";
import { coalesce, forEachOffset, type StridedView } from "./strided";

export type ReduceOp = "sum" | "max" | "min";

/** Splits x's dims into kept (outer loop) and reduced (inner loop), each coalesced. */
export function plan(x: StridedView, reduced: readonly number[]) {
  const keep: number[] = [];
  for (let d = 0; d < x.shape.length; d++) if (!reduced.includes(d)) keep.push(d);
  const outer = coalesce(keep.map((d) => x.shape[d]!), [keep.map((d) => x.strides[d]!)]);
  const inner = coalesce(reduced.map((d) => x.shape[d]!), [reduced.map((d) => x.strides[d]!)]);
  return { outerShape: outer.shape, outerStrides: outer.strides[0]!, innerShape: inner.shape, innerStrides: inner.strides[0]! };
}

/**
 * Reduces x over `dims` into the contiguous `out` (kept dims in order). For max/min over one
 * dim, `indices` receives the position of the first extreme element along that dim.
 * NaN propagates through max and min.
 */
export function reduce(op: ReduceOp, x: StridedView, dims: readonly number[], out: TypedArray, indices?: Int32Array): void {
  const { outerShape, outerStrides, innerShape, innerStrides } = plan(x, dims);
  const buf = x.buf;
  let count = 1;
  for (const s of innerShape) count *= s;
  if (innerShape.length <= 1) {
    const stride = innerStrides[0] ?? 0;
    forEachOffset(outerShape, outerStrides, x.offset, (p, k) => {
      if (op === "sum") {
        let acc = 0;
        for (let j = 0; j < count; j++) acc += buf[p + j * stride]!;
        out[k] = acc;
      } else {
        let best = buf[p]!;
        let at = 0;
        const isMax = op === "max";
        for (let j = 1; j < count; j++) {
          const v = buf[p + j * stride]!;
          if (best !== best) break;
          if (v !== v || (isMax ? v > best : v < best)) {
            best = v;
            at = j;
          }
        }
        out[k] = best;
        if (indices) indices[k] = at;
      }
    });
    return;
  }
  forEachOffset(outerShape, outerStrides, x.offset, (p, k) => {
    let acc = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
    forEachOffset(innerShape, innerStrides, p, (q) => {
      const v = buf[q]!;
      if (op === "sum") acc += v;
      else if (acc === acc && (v !== v || (op === "max" ? v > acc : v < acc))) acc = v;
    });
    out[k] = acc;
  });
}
