import { checkDType, dtypeOf, type DType, type TypedArray } from "./dtype";
import { defaultGenerator, type Generator } from "./random";
import { checkShape, fmt, numel } from "./shape";
import { Tensor, type NestedArray } from "./tensor";
import { allocate, checkInt, checkInt32Values, checkNumber, MAX_ELEMENTS, show } from "./validate";

/** Options of the tensor factories. */
export interface CreateOptions {
  /** Element type ("float32" by default). */
  dtype?: DType;
  /** Make the new tensor a leaf that requires gradients (float dtypes only). */
  requiresGrad?: boolean;
}
/** Options of the random factories: those of {@link CreateOptions} and the generator to draw from. */
export interface RandomOptions extends CreateOptions {
  /** Draws from this generator instead of the default one ({@link manualSeed} seeds that). */
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
  if (checkDType(dtype, "tensor") === "int32") checkInt32Values("tensor", values);
  const buf = allocate("tensor", dtype, [values.length]);
  if (dtype === "bool") for (let i = 0; i < values.length; i++) buf[i] = values[i] !== 0 ? 1 : 0; // PyTorch's bool(x): NaN is true
  else buf.set(values as ArrayLike<number>);
  return finish(new Tensor(buf, shape), opts);
}

function filled(op: string, shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  checkNumber(op, "fill value", value);
  if (opts?.dtype === "int32") checkInt32Values(op, [value]);
  const t = Tensor.zeros(checkShape(shape, op), checkDType(opts?.dtype ?? "float32", op), op);
  t.buf.fill(t.dtype === "bool" && value !== 0 ? 1 : value);
  return finish(t, opts);
}
/** A tensor of `shape` filled with `value`. */
export const full = (shape: readonly number[], value: number, opts?: CreateOptions) => filled("full", shape, value, opts);
/**
 * A tensor of `shape` filled with 0.
 *
 * @example
 * ```ts
 * zeros([2, 3], { dtype: "float64" }).shape; // [2, 3]
 * ```
 */
export const zeros = (shape: readonly number[], opts?: CreateOptions) => filled("zeros", shape, 0, opts);
/** A tensor of `shape` filled with 1. */
export const ones = (shape: readonly number[], opts?: CreateOptions) => filled("ones", shape, 1, opts);
/** Zeros with the shape (and, unless given, the dtype) of `t`. */
export const zerosLike = (t: Tensor, opts?: CreateOptions) => full(t.shape, 0, { dtype: t.dtype, ...opts });
/** Ones with the shape (and, unless given, the dtype) of `t`. */
export const onesLike = (t: Tensor, opts?: CreateOptions) => full(t.shape, 1, { dtype: t.dtype, ...opts });
/** `value` everywhere, with the shape (and, unless given, the dtype) of `t`. */
export const fullLike = (t: Tensor, value: number, opts?: CreateOptions) => full(t.shape, value, { dtype: t.dtype, ...opts });

/** arange(end) or arange(start, end, step?); int32 when every bound is an integer, else float32. */
export function arange(...args: (number | CreateOptions)[]): Tensor {
  const opts = (typeof args[args.length - 1] === "object" ? args.pop() : {}) as CreateOptions;
  const nums = args as number[];
  const [start, end, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (nums.length > 3 || nums.some((v) => typeof v !== "number") || step === 0 || !Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step)) {
    throw new Error(`arange: invalid range start=${show(start)}, end=${show(end)}, step=${show(step)} (expected finite numbers and a non-zero step)`);
  }
  const dtype = checkDType(opts.dtype ?? (nums.every(Number.isInteger) ? "int32" : "float32"), "arange");
  const n = Math.max(0, Math.ceil((end - start) / step));
  if (n > MAX_ELEMENTS) throw new Error(`arange: start=${start}, end=${end}, step=${step} gives ${n} elements, more than a tensor can hold (at most ${MAX_ELEMENTS})`);
  if (dtype === "int32" && n > 0) checkInt32Values("arange", [start, start + (n - 1) * step]);
  const buf = allocate("arange", dtype, [n]);
  for (let i = 0; i < n; i++) buf[i] = start + i * step;
  return finish(new Tensor(buf, [n]), opts);
}

/** The identity matrix: n × n, or n × m when `m` is given. */
export function eye(n: number, m: number | CreateOptions = n, opts?: CreateOptions): Tensor {
  const cols = typeof m === "number" ? m : n;
  const o = typeof m === "number" ? opts : m;
  checkInt("eye", "n", n, 0);
  checkInt("eye", "m", cols, 0);
  const t = zeros([n, cols], { dtype: o?.dtype });
  for (let i = 0; i < Math.min(n, cols); i++) t.buf[i * cols + i] = 1;
  return finish(t, o);
}

function random(op: string, shape: readonly number[], opts: RandomOptions | undefined, draw: (g: Generator) => number): Tensor {
  const dtype = opts?.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new Error(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const t = Tensor.zeros(checkShape(shape, op), dtype, op);
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.buf.length; i++) t.buf[i] = draw(g);
  return finish(t, opts);
}

/** Samples of the standard normal distribution N(0, 1). */
export const randn = (shape: readonly number[], opts?: RandomOptions) => random("randn", shape, opts, (g) => g.normal());
/** The largest float32 below 1: a float32 draw that would round up to 1 takes it instead, so rand stays in [0, 1). */
export const FLOAT32_BELOW_ONE = 1 - 2 ** -24;
/** Samples of the uniform distribution on [0, 1). */
export const rand = (shape: readonly number[], opts?: RandomOptions) =>
  random("rand", shape, opts, opts?.dtype === "float64" ? (g) => g.random() : (g) => Math.min(Math.fround(g.random()), FLOAT32_BELOW_ONE));
/** `randn` with the shape (and, unless given, the dtype) of `t`. */
export const randnLike = (t: Tensor, opts?: RandomOptions) => randn(t.shape, { dtype: t.dtype, ...opts });
/** `rand` with the shape (and, unless given, the dtype) of `t`. */
export const randLike = (t: Tensor, opts?: RandomOptions) => rand(t.shape, { dtype: t.dtype, ...opts });

/** Uniform integers in [low, high) as int32. */
export function randint(low: number, high: number, shape: readonly number[], opts?: { generator?: Generator }): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new Error(`randint: expected integers low < high, got ${show(low)} and ${show(high)}`);
  checkInt32Values("randint", [low, high - 1]);
  const t = Tensor.zeros(checkShape(shape, "randint"), "int32", "randint");
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.buf.length; i++) t.buf[i] = g.integer(low, high);
  return t;
}

/** A random permutation of 0..n-1 (Fisher–Yates) as int32. */
export function randperm(n: number, opts?: { generator?: Generator }): Tensor {
  checkInt("randperm", "n", n, 0, 2 ** 31 - 1);
  const g = opts?.generator ?? defaultGenerator;
  const buf = allocate("randperm", "int32", [n]);
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
  const out = allocate("persistentData", t.dtype, t.shape, "persistent");
  out.set(t.data());
  return out;
}

/** A zero-filled tensor like t (PyTorch leaves it uninitialized; zeros are one valid content). */
export const emptyLike = (t: Tensor, opts?: CreateOptions) => full(t.shape, 0, { dtype: t.dtype, ...opts });

/** `steps` values from start to end, evenly spaced, computed as PyTorch does (from both ends toward the middle). */
function spaced(op: string, start: number, end: number, steps: number, opts: CreateOptions | undefined, f: (v: number) => number): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`${op}: steps must be a non-negative integer, got ${steps}`);
  const dtype = checkDType(opts?.dtype ?? "float32", op);
  const buf = allocate(op, dtype, [steps]);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) buf[i] = f(i < half || steps === 1 ? start + step * i : end - step * (steps - i - 1));
  return finish(new Tensor(buf, [steps]), opts);
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export const linspace = (start: number, end: number, steps: number, opts?: CreateOptions) => spaced("linspace", start, end, steps, opts, (v) => v);

/** base ** linspace(start, end, steps). */
export function logspace(start: number, end: number, steps: number, base = 10, opts?: CreateOptions): Tensor {
  return spaced("logspace", start, end, steps, opts, (v) => Math.pow(base, v));
}

/** The (2, N) int32 row and column indices of the upper (or lower) triangle of a rows × cols matrix, row by row. */
function triangleIndices(op: string, rows: number, cols: number, offset: number, upper: boolean): Tensor {
  if (![rows, cols, offset].every(Number.isInteger) || rows < 0 || cols < 0) throw new Error(`${op}: expected non-negative integer sizes and an integer offset, got ${rows}, ${cols}, ${offset}`);
  const r: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (upper ? j - i >= offset : j - i <= offset) {
        r.push(i);
        c.push(j);
      }
    }
  }
  return new Tensor(Int32Array.from([...r, ...c]), [2, r.length]);
}

/** The (2, N) int32 row and column indices of the upper triangle (from diagonal `offset`) of a rows × cols matrix, row by row. */
export const triuIndices = (rows: number, cols: number, offset = 0) => triangleIndices("triuIndices", rows, cols, offset, true);
/** The (2, N) int32 row and column indices of the lower triangle (up to diagonal `offset`) of a rows × cols matrix, row by row. */
export const trilIndices = (rows: number, cols: number, offset = 0) => triangleIndices("trilIndices", rows, cols, offset, false);
