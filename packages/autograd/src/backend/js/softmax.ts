import { forEachRow, type StridedView } from "./strided";

// softmax and log-softmax along the last dim of the views (ops move the softmax dim last with a
// permuted view, so any dim of any layout works). Each row is one pass for its max, one for Σexp
// and one to write; arithmetic is in double precision, rounded once on the store.

/**
 * y = (x - m) - log Σ exp(x - m) (log) or exp(x - m) / Σ exp(x - m), m the row's max. As in
 * PyTorch, a row holding NaN or +∞, or only -∞, is NaN throughout.
 */
export function softmaxForward(x: StridedView, y: StridedView, log: boolean): void {
  const n = x.shape[x.shape.length - 1]!;
  if (n === 0) return;
  const xs = x.strides[x.strides.length - 1]!, ys = y.strides[y.strides.length - 1]!;
  const xb = x.buf, yb = y.buf;
  forEachRow([x, y], (starts) => {
    const p = starts[0]!, q = starts[1]!;
    let m = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = xb[p + j * xs]!;
      if (v > m || v !== v) m = v;
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(xb[p + j * xs]! - m);
    if (log) {
      const logTotal = Math.log(total);
      for (let j = 0; j < n; j++) yb[q + j * ys] = xb[p + j * xs]! - m - logTotal;
    } else {
      const scale = 1 / total;
      for (let j = 0; j < n; j++) yb[q + j * ys] = Math.exp(xb[p + j * xs]! - m) * scale;
    }
  });
}

/**
 * The gradient of x from the forward's y and the gradient g of y:
 * dx = g - exp(y)·Σg (log) or y·(g - Σ g·y).
 */
export function softmaxBackward(y: StridedView, g: StridedView, dx: StridedView, log: boolean): void {
  const n = y.shape[y.shape.length - 1]!;
  if (n === 0) return;
  const ys = y.strides[y.strides.length - 1]!, gs = g.strides[g.strides.length - 1]!, ds = dx.strides[dx.strides.length - 1]!;
  const yb = y.buf, gb = g.buf, db = dx.buf;
  forEachRow([y, g, dx], (starts) => {
    const p = starts[0]!, q = starts[1]!, r = starts[2]!;
    let total = 0;
    if (log) {
      for (let j = 0; j < n; j++) total += gb[q + j * gs]!;
      for (let j = 0; j < n; j++) db[r + j * ds] = gb[q + j * gs]! - Math.exp(yb[p + j * ys]!) * total;
    } else {
      for (let j = 0; j < n; j++) total += gb[q + j * gs]! * yb[p + j * ys]!;
      for (let j = 0; j < n; j++) db[r + j * ds] = yb[p + j * ys]! * (gb[q + j * gs]! - total);
    }
  });
}
