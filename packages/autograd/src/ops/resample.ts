import { tensor } from "../core/creation";
import { fmt } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { batched, checkKeys } from "./window-args";

/*
 * Adaptive pooling and interpolation are linear and separable: along each spatial dim the output
 * is a small (out, in) matrix times the input. So each is one matmul per dim (fast through the
 * matmul kernels), and the gradient, the transposed product, comes from the tape.
 */

type Matrix = (out: number, i: number) => [index: number, weight: number][];

function matrix(rows: number, cols: number, dtype: Tensor["dtype"], entries: Matrix): Tensor {
  const m = new Float64Array(rows * cols);
  for (let o = 0; o < rows; o++) for (const [i, w] of entries(o, cols)) m[o * cols + i] += w;
  return tensor(m, { shape: [rows, cols], dtype });
}

/** (N, C, in...) -> (N, C, out...): matrices[i] (out_i, in_i) applied along spatial dim i. */
function resample(input: Tensor, matrices: Tensor[]): Tensor {
  if (matrices.length === 1) return input.matmul(matrices[0]!.T);
  return matrices[0]!.matmul(input).matmul(matrices[1]!.T);
}

/** PyTorch's adaptive windows: [floor(o·in/out), ceil((o+1)·in/out)), averaged. */
const adaptive = (outSize: number): Matrix => (o, inSize) => {
  const start = Math.floor((o * inSize) / outSize);
  const end = Math.ceil(((o + 1) * inSize) / outSize);
  return Array.from({ length: end - start }, (_, j) => [start + j, 1 / (end - start)]);
};

function adaptiveAvgPoolNd(op: string, nd: number, x: Tensor, outputSize: readonly (number | null)[]): Tensor {
  const { input, unbatched } = batched(op, x, nd);
  const inSize = input.shape.slice(2);
  const size = outputSize.map((s, i) => s ?? inSize[i]!);
  if (size.length !== nd || size.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`${op}: outputSize must be ${nd === 1 ? "a positive integer" : "a positive integer or 2 of them (null keeps the input size)"}, got ${JSON.stringify(outputSize)}`);
  }
  if (inSize.some((s) => s === 0)) throw new Error(`${op}: input of shape ${fmt(x.shape)} has an empty spatial dim`);
  const out = resample(input, size.map((s, i) => matrix(s, inSize[i]!, x.dtype, adaptive(s))));
  return unbatched ? out.squeeze(0) : out;
}

/** torch.nn.functional.adaptive_avg_pool1d over (N, C, L) or (C, L). */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | [number]): Tensor {
  return adaptiveAvgPoolNd("adaptiveAvgPool1d", 1, x, [outputSize].flat());
}

/** torch.nn.functional.adaptive_avg_pool2d over (N, C, H, W) or (C, H, W); null keeps that dim's size. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | [number | null, number | null]): Tensor {
  return adaptiveAvgPoolNd("adaptiveAvgPool2d", 2, x, typeof outputSize === "number" ? [outputSize, outputSize] : outputSize);
}

/** Options of {@link interpolate}: give `size` or `scaleFactor`. */
export interface InterpolateOptions {
  /** The output's spatial size (a number for every spatial dim, or one each). */
  size?: number | number[];
  /** Multiplier of the spatial size (a number or one per spatial dim). */
  scaleFactor?: number | number[];
  /** "nearest" (default), "linear" for (N, C, L) or "bilinear" for (N, C, H, W). */
  mode?: "nearest" | "linear" | "bilinear";
  /** For linear modes: map the corner pixels' centres onto each other (PyTorch's align_corners). */
  alignCorners?: boolean;
  /** Compute the scale from the output size instead of using `scaleFactor` as given. */
  recomputeScaleFactor?: boolean;
}

/** PyTorch's nearest rule, in float32 arithmetic as PyTorch's kernel: src = min(floor(dst·in/out), in − 1). */
const nearest = (outSize: number, scaleFactor: number | undefined): Matrix => (o, inSize) => {
  if (outSize === inSize) return [[o, 1]];
  if (outSize === 2 * inSize) return [[o >> 1, 1]];
  const scale = Math.fround(scaleFactor ? 1 / scaleFactor : inSize / outSize);
  return [[Math.min(Math.floor(Math.fround(o * scale)), inSize - 1), 1]];
};

/** PyTorch's linear rule: source coordinate from the half-pixel (or corner) mapping, two weights. */
const linearWeights = (outSize: number, alignCorners: boolean, scaleFactor: number | undefined): Matrix => (o, inSize) => {
  if (outSize === inSize) return [[o, 1]];
  const scale = alignCorners ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) : scaleFactor ? 1 / scaleFactor : inSize / outSize;
  const src = alignCorners ? scale * o : Math.max(scale * (o + 0.5) - 0.5, 0);
  const i0 = Math.min(Math.floor(src), inSize - 1);
  const lambda = Math.min(Math.max(src - i0, 0), 1);
  return [[i0, 1 - lambda], [i0 + (i0 < inSize - 1 ? 1 : 0), lambda]];
};

/**
 * torch.nn.functional.interpolate for (N, C, L) ("nearest", "linear") and (N, C, H, W)
 * ("nearest", "bilinear"): give either size or scaleFactor.
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  checkKeys("interpolate", opts, ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"]);
  const mode = opts.mode ?? "nearest";
  if (!["nearest", "linear", "bilinear"].includes(mode)) throw new Error(`interpolate: mode must be "nearest", "linear" or "bilinear", got "${mode}"`);
  const nd = x.ndim - 2;
  if ((mode === "linear" && nd !== 1) || (mode === "bilinear" && nd !== 2) || nd < 1 || nd > 2) {
    throw new Error(`interpolate: mode "${mode}" expects a ${mode === "linear" ? "3-D" : mode === "bilinear" ? "4-D" : "3-D or 4-D"} input (N, C, ...), got shape ${fmt(x.shape)}`);
  }
  if (mode === "nearest" && opts.alignCorners !== undefined) throw new Error(`interpolate: alignCorners can only be set with the "linear" and "bilinear" modes, got mode "nearest"`);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) throw new Error(`interpolate: give exactly one of size and scaleFactor`);
  const inSize = x.shape.slice(2);
  const perDim = (v: number | number[], name: string) => {
    const out = typeof v === "number" ? new Array<number>(nd).fill(v) : v;
    if (out.length !== nd || out.some((s) => !(s > 0) || !Number.isFinite(s))) throw new Error(`interpolate: ${name} must be a positive number or ${nd} of them for input shape ${fmt(x.shape)}, got ${JSON.stringify(v)}`);
    return out;
  };
  const factors = opts.scaleFactor === undefined ? undefined : perDim(opts.scaleFactor, "scaleFactor");
  const size = factors ? inSize.map((s, i) => Math.floor(s * factors[i]!)) : perDim(opts.size!, "size");
  if (size.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`interpolate: output size ${fmt(size)} must be positive integers (input shape ${fmt(x.shape)})`);
  const scale = (i: number) => (opts.recomputeScaleFactor ? undefined : factors?.[i]);
  const entries = (s: number, i: number) => (mode === "nearest" ? nearest(s, scale(i)) : linearWeights(s, opts.alignCorners ?? false, scale(i)));
  return resample(batched("interpolate", x, nd).input, size.map((s, i) => matrix(s, inSize[i]!, x.dtype, entries(s, i))));
}
