import { checkInt, checkProbability, describeValue, defaultGenerator, noGrad, tensor, zeros, type Generator, type Tensor } from "@tapegrad/autograd";
import { booleanOption, tensorArgument } from "../arguments";
import { xavierUniform_ } from "../init";
import { Module, Parameter } from "../module";
import { dropout } from "./dropout";
import { Linear, linear, type LayerOptions } from "./linear";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";

/** Options of {@link MultiheadAttention} (PyTorch's, camelCased). */
export interface MultiheadAttentionOptions extends LayerOptions {
  /** Dropout on the attention weights while training (0). */
  dropout?: number;
  /** Biases of the input and output projections (true). */
  bias?: boolean;
  /** Features of key and value (embedDim); when either differs, q/k/v get separate weights. */
  kdim?: number;
  /** Features of the values (embedDim by default). */
  vdim?: number;
  /** Inputs and output are (batch, seq, feature) instead of (seq, batch, feature). */
  batchFirst?: boolean;
}

/** Masks of {@link MultiheadAttention} and {@link TransformerEncoderLayer}. */
export interface AttentionMaskOptions {
  /**
   * (batch, S), or (S) for unbatched input: int32 with non-zero = ignore that key (PyTorch's
   * True), or float added to the scores.
   */
  keyPaddingMask?: Tensor;
  /** (L, S) or (batch · numHeads, L, S): int32 with non-zero = may not attend, or float added to the scores. */
  attnMask?: Tensor;
  /** Each query attends to keys at its own position and before (instead of an attnMask). */
  isCausal?: boolean;
}

/** Options of `MultiheadAttention.forward`: masks, and whether to return the weights. */
export interface MultiheadAttentionForwardOptions extends AttentionMaskOptions {
  /** Return the attention weights (true); null otherwise. */
  needWeights?: boolean;
  /** Weights averaged over heads, (batch, L, S) (true), or per head, (batch, numHeads, L, S). */
  averageAttnWeights?: boolean;
}

const OPTIONS = ["dtype", "generator", "dropout", "bias", "kdim", "vdim", "batchFirst"];
const FORWARD_OPTIONS = ["keyPaddingMask", "attnMask", "isCausal", "needWeights", "averageAttnWeights"];

/** An int32 mask (non-zero = masked) as 0 / -∞, a float one as is. */
function additive(mask: Tensor, dtype: Tensor["dtype"]): Tensor {
  return mask.dtype === "int32" || mask.dtype === "bool" ? zeros(mask.shape, { dtype }).where(mask.eq(0), -Infinity) : mask.to(dtype);
}

/**
 * PyTorch's MultiheadAttention: softmax((x Wq)(x Wk)ᵀ / √headDim + masks)(x Wv) per head, heads
 * concatenated and projected by out_proj. Parameters as PyTorch's: in_proj_weight (3E, E) (or
 * q_proj_weight, k_proj_weight, v_proj_weight when kdim or vdim differ from E), in_proj_bias
 * (3E), out_proj.weight, out_proj.bias, so its state dict loads unchanged.
 */
export class MultiheadAttention extends Module {
  /** The packed query, key and value projections (3·embedDim, embedDim) when kdim and vdim equal embedDim, else null. */
  in_proj_weight: Parameter | null = null;
  /** The query projection (embedDim, embedDim) when kdim or vdim differ from embedDim, else null. */
  q_proj_weight: Parameter | null = null;
  /** The key projection (embedDim, kdim) when kdim or vdim differ from embedDim, else null. */
  k_proj_weight: Parameter | null = null;
  /** The value projection (embedDim, vdim) when kdim or vdim differ from embedDim, else null. */
  v_proj_weight: Parameter | null = null;
  /** The packed projection biases (3·embedDim), or null without bias. */
  in_proj_bias: Parameter | null = null;
  /** The output projection (embedDim, embedDim). */
  out_proj: Linear;
  /** Features per head: embedDim / numHeads. */
  readonly headDim: number;
  /** Features of the keys. */
  readonly kdim: number;
  /** Features of the values. */
  readonly vdim: number;
  /** Dropout on the attention weights while training. */
  readonly dropout: number;
  /** Whether inputs and outputs are (batch, seq, feature). */
  readonly batchFirst: boolean;
  private readonly generator: Generator;

  /**
   * @param embedDim - features of the queries and of the output
   * @param numHeads - heads, which split embedDim evenly
   * @param opts - dropout, bias, kdim, vdim, batchFirst, dtype, generator
   */
  constructor(readonly embedDim: number, readonly numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const fn = "MultiheadAttention";
    rejectUnknownKeys(fn, opts, OPTIONS);
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    for (const [k, v] of Object.entries({ embedDim, numHeads, kdim: this.kdim, vdim: this.vdim })) checkInt(fn, k, v, 1);
    if (embedDim % numHeads !== 0) throw new Error(`${fn}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.dropout = checkProbability(fn, "dropout", opts.dropout ?? 0);
    this.batchFirst = booleanOption(fn, "batchFirst", opts.batchFirst, false);
    this.generator = opts.generator ?? defaultGenerator;
    const dtype = opts.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new Error(`${fn}: dtype must be "float32" or "float64", got ${describeValue(dtype)}`);
    const weight = (rows: number, cols: number) => new Parameter(xavierUniform_(zeros([rows, cols], { dtype }), 1, opts));
    if (this.kdim === embedDim && this.vdim === embedDim) this.in_proj_weight = weight(3 * embedDim, embedDim);
    else [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight] = [weight(embedDim, embedDim), weight(embedDim, this.kdim), weight(embedDim, this.vdim)];
    const bias = booleanOption(fn, "bias", opts.bias, true);
    if (bias) this.in_proj_bias = new Parameter(zeros([3 * embedDim], { dtype }));
    this.out_proj = new Linear(embedDim, embedDim, { dtype, generator: opts.generator, bias });
    if (this.out_proj.bias) noGrad(() => this.out_proj.bias!.zero_());
  }

  /**
   * query (L, N, E), key (S, N, kdim), value (S, N, vdim), (N, ·, ·) with batchFirst, or
   * unbatched (L, E), (S, kdim), (S, vdim). Returns [output like query, weights or null].
   * A query whose every key is masked is an error (PyTorch gives NaN there).
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const fn = "MultiheadAttention";
    rejectUnknownKeys(`${fn}.forward`, opts, FORWARD_OPTIONS);
    for (const [name, t] of Object.entries({ query, key, value })) tensorArgument(fn, name, t);
    const needWeights = booleanOption(fn, "needWeights", opts.needWeights, true);
    const averageAttnWeights = booleanOption(fn, "averageAttnWeights", opts.averageAttnWeights, true);
    const unbatched = query.ndim === 2;
    const expectedDims = unbatched ? 2 : 3;
    if ((query.ndim !== 2 && query.ndim !== 3) || key.ndim !== expectedDims || value.ndim !== expectedDims) {
      throw new Error(`${fn}: query, key and value must all be 3-D (batched) or all 2-D (unbatched), got ${fmt(query.shape)}, ${fmt(key.shape)}, ${fmt(value.shape)}`);
    }
    const timeMajor = (t: Tensor) => (unbatched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
    const [q, k, v] = [timeMajor(query), timeMajor(key), timeMajor(value)];
    const [L, N] = q.shape as [number, number];
    const S = k.shape[0]!;
    const E = this.embedDim;
    if (q.shape[2] !== E || k.shape[2] !== this.kdim || v.shape[2] !== this.vdim || k.shape[1] !== N || v.shape[1] !== N || v.shape[0] !== S) {
      const layout = unbatched ? "(L, E), (S, kdim), (S, vdim)" : this.batchFirst ? "(N, L, E), (N, S, kdim), (N, S, vdim)" : "(L, N, E), (S, N, kdim), (S, N, vdim)";
      throw new Error(`${fn}: query, key, value must be ${layout} with E=${E}, kdim=${this.kdim}, vdim=${this.vdim}; got ${fmt(query.shape)}, ${fmt(key.shape)}, ${fmt(value.shape)}`);
    }
    if (S === 0) throw new Error(`${fn}: key and value have no positions (S = 0, shapes ${fmt(key.shape)} and ${fmt(value.shape)}); each query needs at least one key`);
    const dtype = (this.in_proj_weight ?? this.q_proj_weight)!.dtype;
    if (q.dtype !== dtype || k.dtype !== dtype || v.dtype !== dtype) throw new Error(`${fn}: inputs must be ${dtype} like the parameters, got ${q.dtype}, ${k.dtype}, ${v.dtype}`);

    const [wq, wk, wv] = this.in_proj_weight ? this.in_proj_weight.chunk(3, 0) : [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!];
    const [bq, bk, bv] = this.in_proj_bias ? this.in_proj_bias.chunk(3, 0) : [null, null, null];
    const H = this.numHeads;
    const heads = (t: Tensor, len: number) => t.reshape([len, N * H, this.headDim]).transpose(0, 1);
    const qh = heads(linear(q, wq!, bq), L);
    const kh = heads(linear(k, wk!, bk), S);
    const vh = heads(linear(v, wv!, bv), S);

    let scores = qh.matmul(kh.transpose(1, 2)).div(Math.sqrt(this.headDim));
    const mask = this.combinedMask(opts, L, S, N, unbatched, dtype);
    if (mask) {
      scores = scores.add(mask);
      checkRows(fn, scores);
    }
    let weights = scores.softmax(-1);
    weights = dropout(weights, this.dropout, this.training, this.generator);
    const attended = weights.matmul(vh).transpose(0, 1).reshape([L, N, E]);
    let output = this.out_proj.forward(attended);
    output = unbatched ? output.squeeze(1) : this.batchFirst ? output.transpose(0, 1) : output;
    if (!needWeights) return [output, null];
    let w = weights.reshape([N, H, L, S]);
    if (averageAttnWeights) w = w.mean(1);
    return [output, unbatched ? w.squeeze(0) : w];
  }

  /** keyPaddingMask, attnMask and isCausal as one additive mask broadcastable to (N·H, L, S), or null. */
  private combinedMask(opts: AttentionMaskOptions, L: number, S: number, N: number, unbatched: boolean, dtype: Tensor["dtype"]): Tensor | null {
    const fn = "MultiheadAttention";
    const H = this.numHeads;
    let mask: Tensor | null = null;
    const isCausal = booleanOption(fn, "isCausal", opts.isCausal, false);
    if (opts.attnMask !== undefined) checkMask(fn, "attnMask", opts.attnMask);
    if (opts.keyPaddingMask !== undefined) checkMask(fn, "keyPaddingMask", opts.keyPaddingMask);
    if (isCausal && opts.attnMask) throw new Error(`${fn}: pass attnMask or isCausal, not both`);
    if (opts.attnMask) {
      const m = opts.attnMask;
      const ok = (m.ndim === 2 && m.shape[0] === L && m.shape[1] === S) || (m.ndim === 3 && m.shape[0] === N * H && m.shape[1] === L && m.shape[2] === S);
      if (!ok) throw new Error(`${fn}: attnMask must be (${L}, ${S}) or (${N * H}, ${L}, ${S}) (batch · numHeads, L, S), got ${fmt(m.shape)}`);
      mask = additive(m, dtype);
    } else if (isCausal) {
      const data = Array.from({ length: L * S }, (_, i) => (i % S > Math.floor(i / S) ? 1 : 0));
      mask = additive(tensor(data, { shape: [L, S], dtype: "int32" }), dtype);
    }
    if (opts.keyPaddingMask) {
      const m = opts.keyPaddingMask;
      const shape = unbatched ? [S] : [N, S];
      if (m.shape.join() !== shape.join()) throw new Error(`${fn}: keyPaddingMask must be ${fmt(shape)} (${unbatched ? "keys" : "batch, keys"}), got ${fmt(m.shape)}`);
      const perHead = additive(m, dtype).reshape([N, 1, 1, S]).expand([N, H, 1, S]).reshape([N * H, 1, S]);
      mask = mask ? mask.add(perHead) : perHead;
    }
    return mask;
  }
}

/** A mask: int32 or bool (non-zero = masked), or float values added to the scores, which must not be NaN or +∞. */
function checkMask(fn: string, name: string, mask: unknown): void {
  const m = tensorArgument(fn, name, mask);
  if (m.dtype === "int32" || m.dtype === "bool") return;
  const data = m.data();
  const i = data.findIndex((v) => Number.isNaN(v) || v === Infinity);
  if (i >= 0) throw new Error(`${fn}: a float ${name} is added to the scores and must hold finite numbers or -Infinity, got ${data[i]} at flat index ${i} (shape ${fmt(m.shape)})`);
}

/** Throws naming the first query row whose every score is -∞ (every key masked). */
function checkRows(fn: string, scores: Tensor): void {
  const s = scores.data();
  const S = scores.shape[scores.ndim - 1]!;
  for (let row = 0; row < s.length; row += S) {
    if (s.subarray(row, row + S).every((x) => x === -Infinity)) throw new Error(`${fn}: every key is masked for query ${(row / S) % scores.shape[1]!} of batch·head ${Math.floor(row / S / scores.shape[1]!)}; each query needs at least one key`);
  }
}
