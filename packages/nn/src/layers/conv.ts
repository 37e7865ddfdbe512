import { cat, conv1d, conv2d, zeros, type ConvOptions, type Tensor } from "@tapegrad/autograd";
import { kaimingUniform_, uniform_ } from "../init";
import { Module, Parameter } from "../module";
import { rejectUnknownKeys } from "../unknown-keys";
import type { LayerOptions } from "./linear";

/** What a conv layer pads with: zeros, a reflection, copies of the edge, or wrapping around. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvLayerOptions<N extends 1 | 2> extends ConvOptions<N>, LayerOptions {
  /** Learn a bias per output channel (true by default). */
  bias?: boolean;
  /** How padding is filled ("zeros" by default). */
  paddingMode?: PaddingMode;
}

/** x padded by (left, right) along dim as PyTorch's F.pad does for "reflect", "replicate" and "circular". */
function padEdges(x: Tensor, dim: number, left: number, right: number, mode: Exclude<PaddingMode, "zeros">): Tensor {
  const n = x.shape[dim]!;
  const limit = mode === "reflect" ? n - 1 : mode === "circular" ? n : Infinity;
  if (left > limit || right > limit) throw new Error(`Conv: padding ${Math.max(left, right)} is too large for "${mode}" padding of a dim of size ${n}`);
  const side = (count: number, before: boolean): Tensor => {
    if (mode === "reflect") return (before ? x.narrow(dim, 1, count) : x.narrow(dim, n - 1 - count, count)).flip(dim);
    if (mode === "circular") return before ? x.narrow(dim, n - count, count) : x.narrow(dim, 0, count);
    const shape = [...x.shape];
    shape[dim] = count;
    return x.narrow(dim, before ? 0 : n - 1, 1).expand(shape);
  };
  return cat([...(left > 0 ? [side(left, true)] : []), x, ...(right > 0 ? [side(right, false)] : [])], dim);
}

/** Conv1d and Conv2d: PyTorch's parameters (weight (out, in / groups, ...kernel), bias (out)) and init. */
abstract class ConvNd<N extends 1 | 2> extends Module {
  /** (outChannels, inChannels / groups, ...kernelSize). */
  weight: Parameter;
  /** (outChannels), or null with `bias: false`. */
  bias: Parameter | null;
  /** The kernel's size per spatial dim. */
  readonly kernelSize: number[];
  /** How padding is filled. */
  readonly paddingMode: PaddingMode;
  private readonly convOptions: ConvOptions<N>;

  /**
   * @param inChannels - channels of the input
   * @param outChannels - channels of the output
   */
  constructor(
    name: string,
    nd: N,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | number[],
    opts: ConvLayerOptions<N>,
  ) {
    super();
    rejectUnknownKeys(name, opts, ["stride", "padding", "dilation", "groups", "bias", "paddingMode", "dtype", "generator"]);
    const groups = opts.groups ?? 1;
    for (const [k, v] of Object.entries({ inChannels, outChannels, groups })) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: ${k} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) throw new Error(`${name}: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${groups}`);
    this.kernelSize = typeof kernelSize === "number" ? new Array<number>(nd).fill(kernelSize) : [...kernelSize];
    if (this.kernelSize.length !== nd || this.kernelSize.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new Error(`${name}: kernelSize must be a positive integer or ${nd} of them, got ${JSON.stringify(kernelSize)}`);
    }
    this.paddingMode = opts.paddingMode ?? "zeros";
    if (!["zeros", "reflect", "replicate", "circular"].includes(this.paddingMode)) {
      throw new Error(`${name}: paddingMode must be "zeros", "reflect", "replicate" or "circular", got "${this.paddingMode}"`);
    }
    this.convOptions = { stride: opts.stride, padding: opts.padding, dilation: opts.dilation, groups } as ConvOptions<N>;
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize], { dtype }));
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator: opts.generator });
    const bound = 1 / Math.sqrt((inChannels / groups) * this.kernelSize.reduce((a, b) => a * b, 1));
    this.bias = opts.bias === false ? null : new Parameter(zeros([outChannels], { dtype }));
    if (this.bias) uniform_(this.bias, -bound, bound, opts);
  }

  /** The convolution of this dimensionality, on an already padded input. */
  protected abstract conv(x: Tensor, opts: ConvOptions<N>): Tensor;

  forward(x: Tensor): Tensor {
    if (this.paddingMode === "zeros") return this.conv(x, this.convOptions);
    // other modes pad first, as PyTorch does, then convolve without padding
    const { padding = 0, dilation = 1 } = this.convOptions;
    const nd = this.kernelSize.length;
    const per = (v: number | readonly number[], i: number) => (typeof v === "number" ? v : v[i]!);
    let padded = x;
    this.kernelSize.forEach((k, i) => {
      const dim = x.ndim - nd + i;
      const total = (per(dilation, i) * (k - 1));
      const [left, right] = padding === "same" ? [Math.floor(total / 2), total - Math.floor(total / 2)] : padding === "valid" ? [0, 0] : [per(padding, i), per(padding, i)];
      padded = padEdges(padded, dim, left, right, this.paddingMode as Exclude<PaddingMode, "zeros">);
    });
    return this.conv(padded, { ...this.convOptions, padding: 0 });
  }
}

/** torch.nn.Conv1d over (N, C, L) or (C, L). */
export class Conv1d extends ConvNd<1> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], opts: ConvLayerOptions<1> = {}) {
    super("Conv1d", 1, inChannels, outChannels, kernelSize, opts);
  }
  protected conv(x: Tensor, opts: ConvOptions<1>): Tensor {
    return conv1d(x, this.weight, this.bias, opts);
  }
}

/** torch.nn.Conv2d over (N, C, H, W) or (C, H, W). */
export class Conv2d extends ConvNd<2> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts: ConvLayerOptions<2> = {}) {
    super("Conv2d", 2, inChannels, outChannels, kernelSize, opts);
  }
  protected conv(x: Tensor, opts: ConvOptions<2>): Tensor {
    return conv2d(x, this.weight, this.bias, opts);
  }
}
