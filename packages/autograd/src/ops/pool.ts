import { tensor } from "../core/creation";
import type { Tensor } from "../core/tensor";
import { windows } from "./conv";
import { batched, checkKeys, padDim, perDim, windowCount, type Size } from "./window-args";

/*
 * Pooling reads the same strided windows convolution does and reduces the last dims: max (its
 * backward sends each gradient to the chosen element) or sum divided by PyTorch's divisor.
 */

/** Options of {@link maxPool1d} and {@link maxPool2d}; a size is a number or one per spatial dim. */
export interface MaxPoolOptions<N extends number> {
  /** Default: kernelSize. */
  stride?: Size<N> | null;
  /** Implicit -Infinity padding on each side (0 by default; at most half the kernel). */
  padding?: Size<N>;
  /** Spacing between window taps (1 by default). */
  dilation?: Size<N>;
  /** Round the output size up instead of down. */
  ceilMode?: boolean;
  /** Also return the index of each maximum in its flattened input plane (as PyTorch). */
  returnIndices?: boolean;
}

/** Options of {@link avgPool1d} and {@link avgPool2d}; a size is a number or one per spatial dim. */
export interface AvgPoolOptions<N extends number> {
  /** Default: kernelSize. */
  stride?: Size<N> | null;
  /** Implicit zero padding on each side (0 by default; at most half the kernel). */
  padding?: Size<N>;
  /** Round the output size up instead of down. */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (true by default). */
  countIncludePad?: boolean;
}

interface Geometry {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  inSize: number[];
  outSize: number[];
}

function geometry(op: string, nd: number, input: Tensor, kernelSize: Size<1 | 2>, opts: MaxPoolOptions<1 | 2>): Geometry {
  const kernel = perDim(op, "kernelSize", kernelSize, nd, 1);
  const stride = opts.stride == null ? kernel : perDim(op, "stride", opts.stride, nd, 1);
  const padding = perDim(op, "padding", opts.padding ?? 0, nd, 0);
  const dilation = perDim(op, "dilation", opts.dilation ?? 1, nd, 1);
  padding.forEach((p, i) => {
    if (p > kernel[i]! / 2) throw new Error(`${op}: padding ${p} must be at most half of the kernel size ${kernel[i]}`);
  });
  const inSize = input.shape.slice(2);
  const outSize = inSize.map((l, i) => windowCount(op, l, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, opts.ceilMode ?? false));
  return { kernel, stride, padding, dilation, inSize, outSize };
}

/** The windows of x padded with `value` on the left and as far right as the last window reads. */
function pooledWindows(input: Tensor, g: Geometry, value: number): Tensor {
  let padded = input;
  g.inSize.forEach((l, i) => {
    const needed = (g.outSize[i]! - 1) * g.stride[i]! + g.dilation[i]! * (g.kernel[i]! - 1) + 1;
    padded = padDim(padded, 2 + i, g.padding[i]!, needed - l - g.padding[i]!, value);
  });
  return windows(padded, g.kernel, g.stride, g.dilation);
}

/** PyTorch's flat index into each input plane of the element a window's argmax picked. */
function planeIndices(arg: Tensor, g: Geometry): Tensor {
  const picked = arg.data();
  const out = new Int32Array(picked.length);
  const planeOut = g.outSize.reduce((a, b) => a * b, 1);
  for (let e = 0; e < picked.length; e++) {
    let pos = e % planeOut;
    let k = picked[e]!;
    let flat = 0;
    let scale = 1;
    for (let i = g.kernel.length - 1; i >= 0; i--) {
      const o = pos % g.outSize[i]!;
      const j = k % g.kernel[i]!;
      pos = Math.floor(pos / g.outSize[i]!);
      k = Math.floor(k / g.kernel[i]!);
      flat += (o * g.stride[i]! - g.padding[i]! + j * g.dilation[i]!) * scale;
      scale *= g.inSize[i]!;
    }
    out[e] = flat;
  }
  return tensor(out, { shape: arg.shape, dtype: "int32" });
}

function maxPoolNd(op: string, nd: number, x: Tensor, kernelSize: Size<1 | 2>, opts: MaxPoolOptions<1 | 2>): Tensor | [Tensor, Tensor] {
  checkKeys(op, opts, ["stride", "padding", "dilation", "ceilMode", "returnIndices"]);
  const { input, unbatched } = batched(op, x, nd);
  const g = geometry(op, nd, input, kernelSize, opts);
  const w = pooledWindows(input, g, -Infinity);
  const flat = nd === 1 ? w : w.reshape([...w.shape.slice(0, 2 + nd), -1]);
  const [values, arg] = flat.max(-1);
  const unbatch = (t: Tensor) => (unbatched ? t.squeeze(0) : t);
  return opts.returnIndices ? [unbatch(values), unbatch(planeIndices(arg, g))] : unbatch(values);
}

/** The count each window's sum is divided by (PyTorch's rule), over the output positions. */
function divisors(g: Geometry, countIncludePad: boolean, dtype: "float32" | "float64"): Tensor {
  const perDimCounts = g.outSize.map((o, i) =>
    Array.from({ length: o }, (_, j) => {
      const start = j * g.stride[i]! - g.padding[i]!;
      const end = Math.min(start + g.kernel[i]!, g.inSize[i]! + g.padding[i]!);
      return countIncludePad ? end - start : Math.min(end, g.inSize[i]!) - Math.max(start, 0);
    }),
  );
  const counts = perDimCounts.reduce((acc, d) => acc.flatMap((a) => d.map((b) => a * b)), [1]);
  return tensor(counts, { shape: g.outSize, dtype });
}

function avgPoolNd(op: string, nd: number, x: Tensor, kernelSize: Size<1 | 2>, opts: AvgPoolOptions<1 | 2> & { divisorOverride?: number | null }): Tensor {
  checkKeys(op, opts, ["stride", "padding", "ceilMode", "countIncludePad", ...(nd === 2 ? ["divisorOverride"] : [])]);
  const { input, unbatched } = batched(op, x, nd);
  const g = geometry(op, nd, input, kernelSize, { ...opts, dilation: 1 });
  const sums = pooledWindows(input, g, 0).sum(nd === 1 ? -1 : [-2, -1]);
  const override = opts.divisorOverride;
  if (override != null && (!Number.isInteger(override) || override === 0)) throw new Error(`${op}: divisorOverride must be a non-zero integer, got ${override}`);
  const out = sums.div(override ?? divisors(g, opts.countIncludePad ?? true, x.dtype as "float32" | "float64"));
  return unbatched ? out.squeeze(0) : out;
}

/** torch.nn.functional.max_pool1d over (N, C, L) or (C, L); with returnIndices, [values, indices into L]. */
export function maxPool1d(x: Tensor, kernelSize: Size<1>, opts?: MaxPoolOptions<1> & { returnIndices?: false }): Tensor;
export function maxPool1d(x: Tensor, kernelSize: Size<1>, opts: MaxPoolOptions<1> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: Size<1>, opts: MaxPoolOptions<1> = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd("maxPool1d", 1, x, kernelSize, opts);
}

/** torch.nn.functional.max_pool2d over (N, C, H, W) or (C, H, W); with returnIndices, [values, indices into H·W]. */
export function maxPool2d(x: Tensor, kernelSize: Size<2>, opts?: MaxPoolOptions<2> & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Size<2>, opts: MaxPoolOptions<2> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Size<2>, opts: MaxPoolOptions<2> = {}): Tensor | [Tensor, Tensor] {
  return maxPoolNd("maxPool2d", 2, x, kernelSize, opts);
}

/** torch.nn.functional.avg_pool1d over (N, C, L) or (C, L). */
export function avgPool1d(x: Tensor, kernelSize: Size<1>, opts: AvgPoolOptions<1> = {}): Tensor {
  return avgPoolNd("avgPool1d", 1, x, kernelSize, opts);
}

/** torch.nn.functional.avg_pool2d over (N, C, H, W) or (C, H, W); divisorOverride replaces the window count. */
export function avgPool2d(x: Tensor, kernelSize: Size<2>, opts: AvgPoolOptions<2> & { divisorOverride?: number | null } = {}): Tensor {
  return avgPoolNd("avgPool2d", 2, x, kernelSize, opts);
}

