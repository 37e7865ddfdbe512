import { arange, tensor } from "../core/creation";
import { fmt, normalizeDim } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { indexSelect } from "./indexing";
import { cat } from "./join";
import { where } from "./pointwise";

// Copies and views that rearrange elements, composed from primitives.

function checkCounts(op: string, counts: readonly number[]): void {
  if (counts.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`${op}: counts must be non-negative integers, got ${fmt(counts)}`);
}

/** x tiled `sizes[i]` times along dim i; sizes may add leading dims (PyTorch's Tensor.repeat). */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  checkCounts("repeat", sizes);
  if (sizes.length < x.ndim) throw new Error(`repeat: got ${sizes.length} repeat counts for a tensor of shape ${fmt(x.shape)}; expected at least ${x.ndim}`);
  const shape = [...new Array<number>(sizes.length - x.ndim).fill(1), ...x.shape];
  const spread = shape.flatMap((s) => [1, s]);
  const copies = shape.flatMap((s, i) => [sizes[i]!, s]);
  return x.reshape(spread).expand(copies).reshape(shape.map((s, i) => s * sizes[i]!));
}

/** repeat, with missing leading counts taken as 1. */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - dims.length)).fill(1), ...dims]);
}

/** Each element repeated in place along dim (x flattened when dim is undefined). */
export function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number): Tensor {
  const src = dim === undefined ? x.reshape([-1]) : x;
  const d = normalizeDim(dim ?? 0, src.shape, "repeatInterleave");
  if (src.ndim === 0) return repeatInterleave(src.reshape([1]), repeats, 0);
  const size = src.shape[d]!;
  let counts: number[];
  if (typeof repeats === "number") counts = new Array<number>(size).fill(repeats);
  else {
    if (repeats.dtype !== "int32" || repeats.ndim > 1) throw new Error(`repeatInterleave: repeats must be a number or a 0-d/1-d int32 tensor, got ${repeats.dtype} of shape ${fmt(repeats.shape)}`);
    counts = Array.from(repeats.data());
    if (counts.length === 1) counts = new Array<number>(size).fill(counts[0]!);
    if (counts.length !== size) throw new Error(`repeatInterleave: ${counts.length} repeat counts for dim ${d} of size ${size} (shape ${fmt(x.shape)})`);
  }
  checkCounts("repeatInterleave", counts);
  return indexSelect(src, d, tensor(Int32Array.from(counts.flatMap((r, i) => new Array<number>(r).fill(i)))));
}

/** Elements shifted cyclically by shifts[i] along dims[i] (x flattened when dims is undefined). */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const shiftList = typeof shifts === "number" ? [shifts] : [...shifts];
  if (dims === undefined) {
    if (shiftList.length !== 1) throw new Error(`roll: without dims, expected one shift, got ${fmt(shiftList)}`);
    return roll(x.reshape([-1]), shiftList, 0).reshape(x.shape);
  }
  const dimList = (typeof dims === "number" ? [dims] : [...dims]).map((d) => normalizeDim(d, x.shape, "roll"));
  if (dimList.length !== shiftList.length) throw new Error(`roll: ${shiftList.length} shifts for ${dimList.length} dims; expected as many of each`);
  if (shiftList.some((s) => !Number.isInteger(s))) throw new Error(`roll: shifts must be integers, got ${fmt(shiftList)}`);
  if (x.ndim === 0) return x;
  return dimList.reduce((y, d, i) => {
    const n = y.shape[d]!;
    const s = n === 0 ? 0 : ((shiftList[i]! % n) + n) % n;
    return s === 0 ? y : cat([y.narrow(d, n - s, s), y.narrow(d, 0, n - s)], d);
  }, x);
}

/** x with dims `source` moved to positions `destination`, the others keeping their order. */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const src = (typeof source === "number" ? [source] : [...source]).map((d) => normalizeDim(d, x.shape, "movedim"));
  const dst = (typeof destination === "number" ? [destination] : [...destination]).map((d) => normalizeDim(d, x.shape, "movedim"));
  if (src.length !== dst.length) throw new Error(`movedim: ${src.length} source dims but ${dst.length} destinations; expected as many of each`);
  if (new Set(src).size !== src.length || new Set(dst).size !== dst.length) throw new Error(`movedim: repeated dims in source ${fmt(src)} or destination ${fmt(dst)}`);
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]!] = s));
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (let i = 0, r = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[r++]!;
  return x.ndim === 0 ? x : x.permute(order);
}

/** transpose, by NumPy's name. */
export function swapaxes(x: Tensor, axis0: number, axis1: number): Tensor {
  return x.transpose(axis0, axis1);
}

/** Dim `dim` split into `sizes` (one of them may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normalizeDim(dim, x.shape, "unflatten");
  const known = sizes.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
  if (sizes.filter((s) => s === -1).length > 1 || (!sizes.includes(-1) && known !== x.shape[d]) || sizes.some((s) => !Number.isInteger(s) || s < -1)) {
    throw new Error(`unflatten: sizes ${fmt(sizes)} do not multiply to ${x.shape[d]}, the size of dim ${dim} of shape ${fmt(x.shape)}`);
  }
  return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
}

/**
 * Coordinate grids of 1-d tensors: with indexing "ij" (PyTorch's default) output i varies along
 * dim i; with "xy" the first two dims are swapped (NumPy's Cartesian convention). Views.
 */
export function meshgrid(tensors: readonly Tensor[], opts: { indexing?: "ij" | "xy" } = {}): Tensor[] {
  const indexing = opts.indexing ?? "ij";
  if (indexing !== "ij" && indexing !== "xy") throw new Error(`meshgrid: indexing must be "ij" or "xy", got ${JSON.stringify(indexing)}`);
  const bad = tensors.find((t) => t.ndim > 1);
  if (bad) throw new Error(`meshgrid: expected 0-d or 1-d tensors, got shape ${fmt(bad.shape)}`);
  const swap = indexing === "xy" && tensors.length >= 2;
  const order = swap ? [tensors[1]!, tensors[0]!, ...tensors.slice(2)] : [...tensors];
  const shape = order.map((t) => t.numel);
  const grids = order.map((t, i) => t.reshape(shape.map((s, j) => (j === i ? s : 1))).expand(shape));
  return swap ? [grids[1]!, grids[0]!, ...grids.slice(2)] : grids;
}

/** The lower triangle of the last two dims (j - i <= diagonal), zeros above. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle("tril", x, diagonal, true);
}

/** The upper triangle of the last two dims (j - i >= diagonal), zeros below. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle("triu", x, diagonal, false);
}

function triangle(op: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  if (x.ndim < 2) throw new Error(`${op}: expected a tensor with at least 2 dims, got shape ${fmt(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new Error(`${op}: diagonal must be an integer, got ${diagonal}`);
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const offset = arange(cols).sub(arange(rows).unsqueeze(1));
  return where(lower ? offset.le(diagonal) : offset.ge(diagonal), x, 0);
}
