import { describeValue, isTensor, type Tensor } from "@tapegrad/autograd";
import { booleanOption, tensorArgument } from "../arguments";
import { fmt } from "../format";
import { Module } from "../module";
import { Dropout } from "./dropout";
import { gelu } from "./gelu";
import { LayerNorm } from "./layernorm";
import { Linear, type LayerOptions } from "./linear";
import { MultiheadAttention, type AttentionMaskOptions } from "./multihead-attention";
import { rejectUnknownKeys } from "../unknown-keys";

/** Options of {@link TransformerEncoderLayer} (PyTorch's, camelCased). */
export interface TransformerEncoderLayerOptions extends LayerOptions {
  /** Hidden size of the feed-forward block (2048). */
  dimFeedforward?: number;
  /** Dropout on attention weights, after attention, inside and after the feed-forward block (0.1). */
  dropout?: number;
  /** "relu" (default), "gelu" (exact, erf-based) or a function of a tensor. */
  activation?: "relu" | "gelu" | ((x: Tensor) => Tensor);
  /** eps of both layer norms (1e-5 by default). */
  layerNormEps?: number;
  /** Inputs and outputs are (batch, seq, feature) instead of (seq, batch, feature). */
  batchFirst?: boolean;
  /** LayerNorm before each block (pre-norm) instead of after the residual sum (false). */
  normFirst?: boolean;
}

const OPTIONS = ["dtype", "generator", "dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst"];

/**
 * PyTorch's TransformerEncoderLayer: self-attention and a feed-forward block (linear1,
 * activation, dropout, linear2), each with a residual connection and LayerNorm; with normFirst,
 * x + block(norm(x)), otherwise norm(x + block(x)). Parameter names are PyTorch's
 * (self_attn.*, linear1.*, linear2.*, norm1.*, norm2.*).
 */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block. */
  self_attn: MultiheadAttention;
  /** Feed-forward layer dModel → dimFeedforward. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Feed-forward layer dimFeedforward → dModel. */
  linear2: Linear;
  /** The norm around the attention block. */
  norm1: LayerNorm;
  /** The norm around the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout on the attention block's output. */
  dropout1: Dropout;
  /** Dropout on the feed-forward block's output. */
  dropout2: Dropout;
  /** Whether the norms come before each block (pre-norm) instead of after. */
  readonly normFirst: boolean;
  private readonly activation: (x: Tensor) => Tensor;

  /**
   * @param dModel - features of each position
   * @param nhead - attention heads
   * @param opts - dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, dtype, generator
   */
  constructor(readonly dModel: number, readonly nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    rejectUnknownKeys("TransformerEncoderLayer", opts, OPTIONS);
    const { dtype, generator } = opts;
    const p = opts.dropout ?? 0.1;
    const dimFeedforward = opts.dimFeedforward ?? 2048;
    const activation = opts.activation ?? "relu";
    if (activation !== "relu" && activation !== "gelu" && typeof activation !== "function") {
      throw new Error(`TransformerEncoderLayer: activation must be "relu", "gelu" or a function, got ${JSON.stringify(activation)}`);
    }
    this.self_attn = new MultiheadAttention(dModel, nhead, { dtype, generator, dropout: p, batchFirst: opts.batchFirst ?? false });
    this.linear1 = new Linear(dModel, dimFeedforward, { dtype, generator });
    this.dropout = new Dropout(p, { generator });
    this.linear2 = new Linear(dimFeedforward, dModel, { dtype, generator });
    this.norm1 = new LayerNorm(dModel, { dtype, eps: opts.layerNormEps ?? 1e-5 });
    this.norm2 = new LayerNorm(dModel, { dtype, eps: opts.layerNormEps ?? 1e-5 });
    this.dropout1 = new Dropout(p, { generator });
    this.dropout2 = new Dropout(p, { generator });
    this.normFirst = booleanOption("TransformerEncoderLayer", "normFirst", opts.normFirst, false);
    this.activation = activation === "relu" ? (x) => x.relu() : activation === "gelu" ? gelu : checkedActivation(activation);
  }

  /** src (S, N, E), (N, S, E) with batchFirst, or (S, E); srcMask and srcKeyPaddingMask as MultiheadAttention's attnMask and keyPaddingMask. */
  forward(src: Tensor, opts: { srcMask?: Tensor; srcKeyPaddingMask?: Tensor; isCausal?: boolean } = {}): Tensor {
    rejectUnknownKeys("TransformerEncoderLayer.forward", opts, ["srcMask", "srcKeyPaddingMask", "isCausal"]);
    tensorArgument("TransformerEncoderLayer", "src", src);
    const masks: AttentionMaskOptions = { attnMask: opts.srcMask, keyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.isCausal };
    const attend = (x: Tensor) => this.dropout1.forward(this.self_attn.forward(x, x, x, { ...masks, needWeights: false })[0]);
    const feedForward = (x: Tensor) => this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
    if (this.normFirst) {
      const x = src.add(attend(this.norm1.forward(src)));
      return x.add(feedForward(this.norm2.forward(x)));
    }
    const x = this.norm1.forward(src.add(attend(src)));
    return this.norm2.forward(x.add(feedForward(x)));
  }
}

/** A user's activation, checked to return a tensor of its input's shape and dtype. */
function checkedActivation(fn: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x) => {
    const y = fn(x);
    if (!isTensor(y) || y.shape.join() !== x.shape.join() || y.dtype !== x.dtype) {
      const got = isTensor(y) ? `a ${y.dtype} tensor of shape ${fmt(y.shape)}` : describeValue(y);
      throw new Error(`TransformerEncoderLayer: activation returned ${got}; expected a ${x.dtype} tensor of its input's shape ${fmt(x.shape)}`);
    }
    return y;
  };
}
