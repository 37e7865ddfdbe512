import { broadcastShapes, fmt, normalizeDim, numel } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { full } from "../core/creation";
import { matmul } from "./matmul";
import { where } from "./pointwise";
import { roll } from "./rearrange";

// Products composed from matmul, broadcasting and views.

/** a ⊗ b of two 1-d tensors: (n, m) with a[i]·b[j]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: expected two 1-d tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  return a.unsqueeze(1).mul(b.unsqueeze(0));
}

/** Batched matrix product of (b, n, k) and (b, k, m), without broadcasting. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(`bmm: expected (b, n, k) and (b, k, m) tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  return matmul(a, b);
}

/** Options of {@link addmm} and {@link baddbmm}. */
export interface ScaleOptions {
  /** Factor of the input term (1 by default). */
  beta?: number;
  /** Factor of the product term (1 by default). */
  alpha?: number;
}

/** beta·input + alpha·(a @ b); with beta = 0 the input's values are ignored (NaN included). */
function scaledSum(op: string, input: Tensor, product: Tensor, { beta = 1, alpha = 1 }: ScaleOptions): Tensor {
  broadcastShapes(op, input.shape, product.shape);
  const scaled = alpha === 1 ? product : product.mul(alpha);
  if (beta === 0) return scaled.add(where(full(input.shape, 1), 0, input)); // gradient 0, values unread
  return (beta === 1 ? input : input.mul(beta)).add(scaled);
}

/** beta·input + alpha·(m1 @ m2) for 2-d m1, m2 and an input that broadcasts to the product. */
export function addmm(input: Tensor, m1: Tensor, m2: Tensor, opts: ScaleOptions = {}): Tensor {
  if (m1.ndim !== 2 || m2.ndim !== 2 || m1.shape[1] !== m2.shape[0]) throw new Error(`addmm: expected (n, k) and (k, m) matrices, got shapes ${fmt(m1.shape)} and ${fmt(m2.shape)}`);
  return scaledSum("addmm", input, matmul(m1, m2), opts);
}

/** beta·input + alpha·bmm(b1, b2). */
export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, opts: ScaleOptions = {}): Tensor {
  if (b1.ndim !== 3 || b2.ndim !== 3 || b1.shape[0] !== b2.shape[0] || b1.shape[2] !== b2.shape[1]) {
    throw new Error(`baddbmm: expected (b, n, k) and (b, k, m) tensors, got shapes ${fmt(b1.shape)} and ${fmt(b2.shape)}`);
  }
  return scaledSum("baddbmm", input, matmul(b1, b2), opts);
}

/** Sums a's dims dimsA against b's dims dimsB (or a's last n against b's first n). */
export function tensordot(a: Tensor, b: Tensor, dims: number | [readonly number[], readonly number[]] = 2): Tensor {
  let [da, db]: number[][] = [[], []];
  if (typeof dims === "number") {
    if (!Number.isInteger(dims) || dims < 0 || dims > a.ndim || dims > b.ndim) throw new Error(`tensordot: dims must be an integer in [0, ${Math.min(a.ndim, b.ndim)}], got ${dims}`);
    da = Array.from({ length: dims }, (_, i) => a.ndim - dims + i);
    db = Array.from({ length: dims }, (_, i) => i);
  } else {
    da = dims[0].map((d) => normalizeDim(d, a.shape, "tensordot"));
    db = dims[1].map((d) => normalizeDim(d, b.shape, "tensordot"));
  }
  if (da.length !== db.length || da.some((d, i) => a.shape[d] !== b.shape[db[i]!])) {
    throw new Error(`tensordot: dims ${fmt(da)} of shape ${fmt(a.shape)} and ${fmt(db)} of shape ${fmt(b.shape)} must pair up with equal sizes`);
  }
  const freeA = a.shape.map((_, d) => d).filter((d) => !da.includes(d));
  const freeB = b.shape.map((_, d) => d).filter((d) => !db.includes(d));
  const k = numel(da.map((d) => a.shape[d]!));
  const left = a.permute([...freeA, ...da]).reshape([numel(freeA.map((d) => a.shape[d]!)), k]);
  const right = b.permute([...db, ...freeB]).reshape([k, numel(freeB.map((d) => b.shape[d]!))]);
  return matmul(left, right).reshape([...freeA.map((d) => a.shape[d]!), ...freeB.map((d) => b.shape[d]!)]);
}

/** The Kronecker product: block (i, j, ...) of the result is a[i, j, ...]·b (shapes padded with leading 1s). */
export function kron(a: Tensor, b: Tensor): Tensor {
  const n = Math.max(a.ndim, b.ndim);
  const sa = [...new Array<number>(n - a.ndim).fill(1), ...a.shape];
  const sb = [...new Array<number>(n - b.ndim).fill(1), ...b.shape];
  const spreadA = a.reshape(sa.flatMap((s) => [s, 1]));
  const spreadB = b.reshape(sb.flatMap((s) => [1, s]));
  return spreadA.mul(spreadB).reshape(sa.map((s, i) => s * sb[i]!));
}

/** The cross product of 3-vectors along dim (default: the first dim of size 3), a and b broadcast. */
export function cross(a: Tensor, b: Tensor, dim?: number): Tensor {
  const shape = broadcastShapes("cross", a.shape, b.shape);
  const d = dim === undefined ? shape.indexOf(3) : normalizeDim(dim, shape, "cross");
  if (d < 0 || shape[d] !== 3) throw new Error(`cross: expected a dimension of size 3${dim === undefined ? "" : ` at dim ${dim}`}, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [x, y] = [a.expand(shape), b.expand(shape)];
  // (a × b)_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}, indices mod 3
  return roll(x, -1, d).mul(roll(y, -2, d)).sub(roll(x, -2, d).mul(roll(y, -1, d)));
}
