import { full } from "../core/creation";
import { fmt } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { cat } from "./join";

/** A per-dim argument: one number for every spatial dim, or one per dim. */
export type Size<N extends number> = number | (N extends 1 ? [number] : [number, number]);

/** Throws when an options object has a key outside `allowed` (a misspelt option would be ignored). */
export function checkKeys(op: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${op}: unknown option "${key}"; expected one of ${allowed.join(", ")}`);
  }
}

/** `value` as one integer per spatial dim, each at least `min`. */
export function perDim(op: string, name: string, value: number | readonly number[], nd: number, min: number): number[] {
  const out = typeof value === "number" ? new Array<number>(nd).fill(value) : [...value];
  if (out.length !== nd || out.some((v) => !Number.isInteger(v) || v < min)) {
    throw new Error(`${op}: ${name} must be an integer >= ${min} or ${nd} of them, got ${JSON.stringify(value)}`);
  }
  return out;
}

/** Checks that x is (N, C, ...spatial) or (C, ...spatial) and gives the batched form. */
export function batched(op: string, x: Tensor, nd: number): { input: Tensor; unbatched: boolean } {
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new Error(`${op}: expected a ${nd + 1}-D (unbatched) or ${nd + 2}-D (batched) input, got shape ${fmt(x.shape)}`);
  }
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new Error(`${op}: expected a float input, got ${x.dtype} (shape ${fmt(x.shape)})`);
  return x.ndim === nd + 1 ? { input: x.unsqueeze(0), unbatched: true } : { input: x, unbatched: false };
}

/** Windows of a (padded) length: floor or, with ceilMode, ceil; a last window starting in the right padding is dropped. */
export function windowCount(op: string, length: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode = false): number {
  const span = length + 2 * padding - dilation * (kernel - 1) - 1;
  if (span < 0) {
    throw new Error(`${op}: kernel size ${kernel} (dilation ${dilation}) is larger than the padded input length ${length + 2 * padding}`);
  }
  let count = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (count - 1) * stride >= length + padding) count--;
  return count;
}

/**
 * x with `left` copies of `value` before and `right` after along dim (a negative amount crops
 * that side), so that windows can read past the edges; cat's backward drops the padding's gradient.
 */
export function padDim(x: Tensor, dim: number, left: number, right: number, value: number): Tensor {
  const side = (n: number) => {
    const shape = [...x.shape];
    shape[dim] = n;
    return full(shape, value, { dtype: x.dtype });
  };
  const start = Math.max(-left, 0);
  const end = x.shape[dim]! + Math.min(right, 0);
  const cropped = start > 0 || end < x.shape[dim]! ? x.narrow(dim, start, end - start) : x;
  const parts = [left > 0 ? side(left) : null, cropped, right > 0 ? side(right) : null].filter((t): t is Tensor => t !== null);
  return parts.length === 1 ? cropped : cat(parts, dim);
}
