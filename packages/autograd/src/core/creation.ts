import { backend } from "../backend/backend";
import { checkDType, dtypeOf, type DType, type TypedArray } from "./dtype";
import { defaultGenerator, type Generator } from "./random";
import { checkShape, fmt, numel } from "./shape";
import { Tensor, type NestedArray } from "./tensor";

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function nestedShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
  }
  return shape;
}

function flattenInto(data: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== "number") throw new Error(`tensor: expected a number at depth ${dim}, got ${Array.isArray(data) ? "an array" : typeof data}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(data) ? data.length : typeof data}`);
  }
  for (const item of data) flattenInto(item, shape, dim + 1, out);
}

/** A new tensor from a number, nested arrays or a typed array (always copied). */
export function tensor(data: NestedArray | TypedArray, opts: CreateOptions & { shape?: number[] } = {}): Tensor {
  let values: ArrayLike<number>;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    values = data;
    shape = opts.shape ? checkShape(opts.shape, "tensor") : [data.length];
    dtype = opts.dtype ?? dtypeOf(data);
  } else {
    shape = nestedShape(data);
    const flat: number[] = [];
    flattenInto(data, shape, 0, flat);
    values = flat;
    if (opts.shape) shape = checkShape(opts.shape, "tensor");
    dtype = opts.dtype ?? "float32";
  }
  if (numel(shape) !== values.length) throw new Error(`tensor: shape ${fmt(shape)} needs ${numel(shape)} values, got ${values.length}`);
  const buf = backend.allocate(checkDType(dtype, "tensor"), values.length, "temporary");
  if (dtype === "bool") for (let i = 0; i < values.length; i++) buf[i] = values[i] !== 0 ? 1 : 0; // PyTorch's bool(x): NaN is true
  else buf.set(values as ArrayLike<number>);
  return finish(new Tensor(buf, shape), opts);
}

function filled(op: string, shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  const t = Tensor.zeros(checkShape(shape, op), checkDType(opts?.dtype ?? "float32", op));
  t.buf.fill(t.dtype === "bool" && value !== 0 ? 1 : value);
  return finish(t, opts);
}
export const full = (shape: readonly number[], value: number, opts?: CreateOptions) => filled("full", shape, value, opts);
export const zeros = (shape: readonly number[], opts?: CreateOptions) => filled("zeros", shape, 0, opts);
export const ones = (shape: readonly number[], opts?: CreateOptions) => filled("ones", shape, 1, opts);
export const zerosLike = (t: Tensor, opts?: CreateOptions) => full(t.shape, 0, { dtype: t.dtype, ...opts });
export const onesLike = (t: Tensor, opts?: CreateOptions) => full(t.shape, 1, { dtype: t.dtype, ...opts });
export const fullLike = (t: Tensor, value: number, opts?: CreateOptions) => full(t.shape, value, { dtype: t.dtype, ...opts });

/** arange(end) or arange(start, end, step?); int32 when every bound is an integer, else float32. */
export function arange(...args: (number | CreateOptions)[]): Tensor {
  const opts = (typeof args[args.length - 1] === "object" ? args.pop() : {}) as CreateOptions;
  const nums = args as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (step === 0 || !Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step)) {
    throw new Error(`arange: invalid range start=${start}, end=${end}, step=${step}`);
  }
  const dtype = opts.dtype ?? (nums.every(Number.isInteger) ? "int32" : "float32");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const buf = backend.allocate(dtype, n, "temporary");
  for (let i = 0; i < n; i++) buf[i] = start + i * step;
  return finish(new Tensor(buf, [n]), opts);
}

export function eye(n: number, m: number | CreateOptions = n, opts?: CreateOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const o = typeof m === "number" ? opts : m;
  const t = zeros([n, cols], { dtype: o?.dtype });
  for (let i = 0; i < Math.min(n, cols); i++) t.buf[i * cols + i] = 1;
  return finish(t, o);
}

function random(op: string, shape: readonly number[], opts: RandomOptions | undefined, draw: (g: Generator) => number): Tensor {
  const dtype = opts?.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new Error(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const t = Tensor.zeros(checkShape(shape, op), dtype);
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.buf.length; i++) t.buf[i] = draw(g);
  return finish(t, opts);
}

export const randn = (shape: readonly number[], opts?: RandomOptions) => random("randn", shape, opts, (g) => g.normal());
export const rand = (shape: readonly number[], opts?: RandomOptions) => random("rand", shape, opts, (g) => g.random());
export const randnLike = (t: Tensor, opts?: RandomOptions) => randn(t.shape, { dtype: t.dtype, ...opts });
export const randLike = (t: Tensor, opts?: RandomOptions) => rand(t.shape, { dtype: t.dtype, ...opts });

/** Uniform integers in [low, high) as int32. */
export function randint(low: number, high: number, shape: readonly number[], opts?: { generator?: Generator }): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new Error(`randint: expected integers low < high, got ${low} and ${high}`);
  const t = Tensor.zeros(checkShape(shape, "randint"), "int32");
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.buf.length; i++) t.buf[i] = g.integer(low, high);
  return t;
}

/** A random permutation of 0..n-1 (Fisher–Yates) as int32. */
export function randperm(n: number, opts?: { generator?: Generator }): Tensor {
  const g = opts?.generator ?? defaultGenerator;
  const buf = new Int32Array(n);
  for (let i = 0; i < n; i++) buf[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const tmp = buf[i]!;
    buf[i] = buf[j]!;
    buf[j] = tmp;
  }
  return new Tensor(buf, [n]);
}

/**
 * A copy of t's elements for a long-lived tensor such as a model's parameter: the backend
 * decides where it lives (the wasm backend puts it where its worker threads read it in place).
 */
export function persistentData(t: Tensor): TypedArray {
  const out = backend.allocate(t.dtype, t.numel, "persistent");
  out.set(t.data());
  return out;
}
