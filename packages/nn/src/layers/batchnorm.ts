import { noGrad, ones, zeros, type Tensor } from "@tapegrad/autograd";
import { Module, Parameter } from "../module";
import type { LayerOptions } from "./linear";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";

/** Options of {@link BatchNorm1d}. */
export interface BatchNormOptions extends LayerOptions {
  /** Added to the variance (1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (0.1); null = cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias (true). */
  affine?: boolean;
  /** Keep running averages for eval mode (true); without them every mode uses the batch. */
  trackRunningStats?: boolean;
}

const OPTIONS = ["dtype", "generator", "eps", "momentum", "affine", "trackRunningStats"];

/**
 * PyTorch's BatchNorm1d over (N, C) or (N, C, L): while training, normalizes with the batch's
 * mean and biased variance per channel and updates `running_mean` and `running_var` (unbiased)
 * buffers; in eval mode uses them. Buffers: running_mean, running_var, num_batches_tracked.
 */
export class BatchNorm1d extends Module {
  /** γ (numFeatures), or null without affine. */
  weight: Parameter | null;
  /** β (numFeatures), or null without affine. */
  bias: Parameter | null;
  /** The running mean (numFeatures) used in eval mode, or null without trackRunningStats. */
  declare running_mean: Tensor | null;
  /** The running (unbiased) variance (numFeatures), or null without trackRunningStats. */
  declare running_var: Tensor | null;
  /** Training batches seen (int32 scalar), or null without trackRunningStats. */
  declare num_batches_tracked: Tensor | null;
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Weight of a new batch in the running statistics; null: a cumulative average. */
  readonly momentum: number | null;
  /** Whether running statistics are kept (and used in eval mode). */
  readonly trackRunningStats: boolean;

  /**
   * @param numFeatures - C of the (N, C) or (N, C, L) input
   * @param opts - eps, momentum, affine, trackRunningStats, dtype
   */
  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    rejectUnknownKeys("BatchNorm1d", opts, OPTIONS);
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`BatchNorm1d: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    if (!(this.eps >= 0)) throw new Error(`BatchNorm1d: eps must be a non-negative number, got ${opts.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`BatchNorm1d: momentum must be in [0, 1] or null, got ${opts.momentum}`);
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? "float32";
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer("num_batches_tracked", track ? zeros([], { dtype: "int32" }) : null);
  }

  forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) throw new Error(`BatchNorm1d: input must be (N, ${C}) or (N, ${C}, L), got shape ${fmt(x.shape)}`);
    const dtype = this.running_mean?.dtype ?? this.weight?.dtype;
    if (dtype && x.dtype !== dtype) throw new Error(`BatchNorm1d: input is ${x.dtype} but the layer is ${dtype}; convert one with .to()`);
    const dims = x.ndim === 2 ? [0] : [0, 2];
    const perChannel = x.ndim === 2 ? [C] : [C, 1];
    const useBatch = this.training || !this.trackRunningStats;
    let mean: Tensor;
    let variance: Tensor;
    if (useBatch) {
      const n = x.numel / C;
      if (this.training && n <= 1) throw new Error(`BatchNorm1d: expected more than 1 value per channel when training, got input of shape ${fmt(x.shape)}`);
      mean = x.mean(dims, true);
      const centered = x.sub(mean);
      variance = centered.mul(centered).mean(dims, true);
      if (this.training && this.trackRunningStats) this.updateRunningStats(mean, variance, n);
    } else {
      mean = this.running_mean!.reshape(perChannel);
      variance = this.running_var!.reshape(perChannel);
    }
    let y = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight.reshape(perChannel));
    if (this.bias) y = y.add(this.bias.reshape(perChannel));
    return y;
  }

  /** PyTorch's update: the unbiased batch variance; momentum null averages all batches so far. */
  private updateRunningStats(mean: Tensor, variance: Tensor, n: number): void {
    noGrad(() => {
      const count = this.num_batches_tracked!.item() + 1;
      this.num_batches_tracked!.fill_(count);
      const f = this.momentum ?? 1 / count;
      const rm = this.running_mean!;
      const rv = this.running_var!;
      rm.copy_(rm.mul(1 - f).add(mean.detach().reshape([this.numFeatures]).mul(f)));
      rv.copy_(rv.mul(1 - f).add(variance.detach().reshape([this.numFeatures]).mul((f * n) / (n - 1))));
    });
  }
}
