import { defaultGenerator, describeValue, noGrad, tensor, type Generator, type Tensor } from "@tapegrad/autograd";
import { fmt } from "./format";

/**
 * In-place initializers with PyTorch's formulas. Each fills the tensor (not recorded on the
 * tape, so parameters may be passed directly), draws from `generator` (the default one when
 * omitted) and returns the tensor.
 */
export interface InitOptions {
  /** Draws from this generator instead of the default one. */
  generator?: Generator;
}

type Nonlinearity = "linear" | "sigmoid" | "tanh" | "relu" | "leaky_relu";

function fill(t: Tensor, draw: (i: number) => number): Tensor {
  if (t.dtype === "int32") throw new Error(`init: expected a float tensor, got int32 (shape ${fmt(t.shape)})`);
  const values = new Float64Array(t.numel);
  for (let i = 0; i < values.length; i++) values[i] = draw(i);
  noGrad(() => t.copy_(tensor(values, { shape: t.shape }).to(t.dtype)));
  return t;
}

/** (fanIn, fanOut) of a weight of shape (out, in, *kernel). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new Error(`init: fan in and fan out need a tensor with at least 2 dims, got shape ${fmt(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

/** PyTorch's recommended gain for a nonlinearity (param: leaky_relu's negative slope). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default:
      throw new Error(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** Fills t in place with samples of U(a, b) (a 0, b 1 by default) and returns it. */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  if (typeof a !== "number" || typeof b !== "number" || !(a <= b)) throw new Error(`uniform_: expected numbers a <= b, got a=${describeValue(a)}, b=${describeValue(b)}`);
  const g = opts.generator ?? defaultGenerator;
  return fill(t, () => below(a + (b - a) * g.random(), a, b, t.dtype));
}

/**
 * v as the tensor will store it, moved down to the next representable value when rounding
 * would make it b: uniform_ draws from [a, b), as PyTorch's does.
 */
function below(v: number, a: number, b: number, dtype: Tensor["dtype"]): number {
  const cell = dtype === "float32" ? new Float32Array([v]) : new Float64Array([v]);
  if (cell[0]! < b || a === b) return cell[0]!;
  const bits = dtype === "float32" ? new Int32Array(cell.buffer) : new BigInt64Array(cell.buffer);
  while (cell[0]! >= b) {
    if (cell[0] === 0) cell[0] = -Number.MIN_VALUE;
    else if (bits instanceof Int32Array) bits[0]! += cell[0]! > 0 ? -1 : 1;
    else bits[0]! += cell[0]! > 0 ? -1n : 1n;
  }
  return Math.max(cell[0]!, a);
}

/** Fills t in place with samples of N(mean, std²) (0 and 1 by default) and returns it. */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new Error(`normal_: std must be non-negative, got ${std}`);
  const g = opts.generator ?? defaultGenerator;
  return fill(t, () => mean + std * g.normal());
}

/** Fills t in place with value and returns it. */
export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

/** Fills t in place with 0 and returns it. */
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
/** Fills t in place with 1 and returns it. */
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, opts);
}

/** U(-b, b) with b = gain * sqrt(3 / fan); PyTorch's defaults (a=0, fanIn, leaky_relu). */
export function kaimingUniform_(
  t: Tensor,
  opts: InitOptions & { a?: number; mode?: "fanIn" | "fanOut"; nonlinearity?: Nonlinearity } = {},
): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  const bound = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0) * Math.sqrt(3 / fan);
  return uniform_(t, -bound, bound, opts);
}

/**
 * A (semi-)orthogonal matrix: the Q of a QR decomposition of a normal random matrix with the
 * signs fixed by R's diagonal (as PyTorch does), times gain. Dims past the first are flattened.
 */
export function orthogonal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  if (t.ndim < 2) throw new Error(`orthogonal_: only tensors with 2 or more dims are supported, got shape ${fmt(t.shape)}`);
  const g = opts.generator ?? defaultGenerator;
  const rows = t.shape[0]!;
  const cols = t.numel / rows;
  // Orthonormalize the columns of a tall (n x m) matrix, m <= n; transpose back when rows < cols.
  const [n, m] = rows >= cols ? [rows, cols] : [cols, rows];
  const a = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => g.normal()));
  for (let j = 0; j < m; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += a[k]![i]! * a[j]![i]!;
        for (let i = 0; i < n; i++) a[j]![i]! -= dot * a[k]![i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[j]![i]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[j]![i]! /= norm;
  }
  // Gram-Schmidt gives R with a positive diagonal, which is QR with PyTorch's sign fix.
  return fill(t, (idx) => {
    const r = Math.floor(idx / cols);
    const c = idx % cols;
    return gain * (rows >= cols ? a[c]![r]! : a[r]![c]!);
  });
}
