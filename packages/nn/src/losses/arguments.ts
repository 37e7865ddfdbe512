import { broadcastShapes, describeValue, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { tensorArgument } from "../arguments";
import { rejectUnknownKeys } from "../unknown-keys";

export { booleanOption } from "../arguments";

const REDUCTIONS = ["mean", "sum", "none"];

/**
 * A loss's options object: undefined or an object whose defined keys are all in `allowed`, with a
 * known reduction (`extraReductions` adds, for example, klDiv's "batchmean").
 */
export function lossOptions<T extends object>(op: string, opts: T | undefined, allowed: readonly string[], extraReductions: readonly string[] = []): T {
  if (opts === undefined) return {} as T;
  rejectUnknownKeys(op, opts, allowed, true);
  const reduction = (opts as { reduction?: unknown }).reduction;
  if (reduction !== undefined && !REDUCTIONS.includes(reduction as string) && !extraReductions.includes(reduction as string)) {
    const names = [...REDUCTIONS, ...extraReductions].map((r) => `"${r}"`);
    throw new Error(`${op}: reduction must be ${names.slice(0, -1).join(", ")} or ${names.at(-1)}, got ${describeValue(reduction)}`);
  }
  return opts;
}

/** A float32 or float64 tensor (of `like`'s dtype when given). */
export function floatTensor(op: string, name: string, value: unknown, like?: Tensor): Tensor {
  const t = tensorArgument(op, name, value);
  if (like ? t.dtype !== like.dtype : t.dtype !== "float32" && t.dtype !== "float64") {
    throw new Error(`${op}: ${name} must be ${like ? `${like.dtype} like the input` : "a float32 or float64 tensor"}, got ${t.dtype} (shape ${fmt(t.shape)})`);
  }
  return t;
}

/** An optional number option: `fallback` when absent, else a number for which `ok` holds. */
export function numberOption(op: string, name: string, value: unknown, fallback: number, ok: (v: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !ok(value)) throw new Error(`${op}: ${name} must be ${expected}, got ${describeValue(value)}`);
  return value;
}

export const finite = (v: number) => Number.isFinite(v);
export const nonNegative = (v: number) => v >= 0;

/** Throws unless the shapes of the named tensors are equal. */
export function checkShapesEqual(op: string, tensors: Record<string, Tensor>): void {
  const entries = Object.entries(tensors);
  const [, first] = entries[0]!;
  if (entries.some(([, t]) => t.shape.join() !== first.shape.join())) {
    throw new Error(`${op}: ${entries.map(([n]) => n).join(", ")} must have the same shape, got ${entries.map(([n, t]) => `${n} ${fmt(t.shape)}`).join(", ")}`);
  }
}

/** Throws unless the named tensors have the same number of dims and broadcast together. */
export function checkBroadcastTogether(op: string, tensors: Record<string, Tensor>): void {
  const entries = Object.entries(tensors);
  const list = (xs: string[]) => `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`;
  const names = list(entries.map(([n]) => n));
  if (entries.some(([, t]) => t.ndim !== entries[0]![1].ndim)) {
    throw new Error(`${op}: ${names} must have the same number of dims, got ${list(entries.map(([, t]) => fmt(t.shape)))}`);
  }
  broadcastShapes(`${op}: ${names}`, ...entries.map(([, t]) => t.shape));
}

/** Throws unless every element of t satisfies ok; names the first one that does not. */
export function checkValues(op: string, name: string, t: Tensor, ok: (v: number) => boolean, expected: string): void {
  const data = t.data();
  for (let i = 0; i < data.length; i++) {
    if (!ok(data[i]!)) throw new Error(`${op}: ${name} must be ${expected}, got ${describeValue(data[i])} at flat index ${i} (shape ${fmt(t.shape)})`);
  }
}

/** Targets of the ranking and embedding losses: 1 or -1 (PyTorch computes something for other values). */
export const checkSigns = (op: string, target: Tensor) => checkValues(op, "target", target, (v) => v === 1 || v === -1, "1 or -1");
