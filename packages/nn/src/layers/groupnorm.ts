import { ones, zeros, type Tensor } from "@tapegrad/autograd";
import { Module, Parameter } from "../module";
import type { LayerOptions } from "./linear";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";

/**
 * PyTorch's GroupNorm over (N, C, *): the C channels are split into numGroups groups and each
 * sample's group is normalized (biased variance) over its channels and positions; then a
 * per-channel weight and bias. The same in training and eval mode.
 */
export class GroupNorm extends Module {
  /** γ (numChannels), or null without affine. */
  weight: Parameter | null;
  /** β (numChannels), or null without affine. */
  bias: Parameter | null;
  /** Added to the variance for stability. */
  readonly eps: number;

  /**
   * @param numGroups - groups the channels are split into
   * @param numChannels - C of the (N, C, ...) input
   * @param opts - eps (1e-5 by default), affine (true), dtype
   */
  constructor(readonly numGroups: number, readonly numChannels: number, opts: LayerOptions & { eps?: number; affine?: boolean } = {}) {
    super();
    rejectUnknownKeys("GroupNorm", opts, ["dtype", "generator", "eps", "affine"]);
    for (const [k, v] of Object.entries({ numGroups, numChannels })) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`GroupNorm: ${k} must be a positive integer, got ${v}`);
    }
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = opts.eps ?? 1e-5;
    const dtype = opts.dtype ?? "float32";
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    const C = this.numChannels;
    if (x.ndim < 2 || x.shape[1] !== C) throw new Error(`GroupNorm: input must be (N, ${C}, *), got shape ${fmt(x.shape)}`);
    const grouped = x.reshape([x.shape[0]!, this.numGroups, -1]);
    const centered = grouped.sub(grouped.mean(2, true));
    const variance = centered.mul(centered).mean(2, true);
    let y = centered.div(variance.add(this.eps).sqrt()).reshape(x.shape);
    const perChannel = [C, ...x.shape.slice(2).map(() => 1)];
    if (this.weight) y = y.mul(this.weight.reshape(perChannel));
    if (this.bias) y = y.add(this.bias.reshape(perChannel));
    return y;
  }
}
