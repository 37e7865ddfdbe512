import { checkInt, describeValue, tensor, type DType, type Tensor } from "@tapegrad/autograd";
import { tensorArgument } from "./arguments";
import { Linear, type LayerOptions } from "./layers/linear";
import { Module } from "./module";

/**
 * A (batch, maxLength) mask with 1 at the valid positions t < lengths[b] and 0 at padding,
 * the form `mask` takes below (add a query dim with `.unsqueeze(1)` for (batch, Lq, Lk) scores).
 */
export function paddingMask(lengths: readonly number[], maxLength?: number, opts: { dtype?: DType } = {}): Tensor {
  if (!Array.isArray(lengths) || lengths.length === 0) throw new Error(`paddingMask: lengths must be a non-empty array of integers, got ${describeValue(lengths)}`);
  const T = maxLength === undefined ? Math.max(...lengths) : checkInt("paddingMask", "maxLength", maxLength, 1);
  for (const n of lengths) {
    if (!Number.isInteger(n) || n < 1 || n > T) throw new Error(`paddingMask: every length must be an integer in [1, ${T}], got ${describeValue(n)}`);
  }
  const data = lengths.flatMap((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)));
  return tensor(data, { shape: [lengths.length, T], dtype: opts.dtype ?? "float32" });
}

/**
 * softmax over the last dim of scores (..., Lq, Lk) where mask (broadcastable to it) is
 * non-zero; masked keys get weight exactly 0. A query with every key masked is an error
 * (PyTorch would return NaN there).
 */
export function maskedSoftmax(op: string, scores: Tensor, mask?: Tensor): Tensor {
  if (mask === undefined) return scores.softmax(-1);
  tensorArgument(op, "mask", mask);
  let full: Tensor;
  try {
    full = mask.expand(scores.shape);
  } catch {
    throw new Error(`${op}: mask of shape [${mask.shape}] cannot be broadcast to the attention scores' shape [${scores.shape}] (..., queries, keys)`);
  }
  const m = full.data();
  const Lk = scores.shape[scores.ndim - 1]!;
  for (let row = 0; row < m.length; row += Lk) {
    if (!m.subarray(row, row + Lk).some((v) => v !== 0)) {
      throw new Error(`${op}: every key is masked for query row ${row / Lk} (mask shape [${mask.shape}]); each query needs at least one key`);
    }
  }
  return scores.where(full, -Infinity).softmax(-1);
}

function checkKeysValues(op: string, keys: Tensor, values: Tensor): void {
  tensorArgument(op, "keys", keys);
  tensorArgument(op, "values", values);
  if (keys.ndim < 2 || values.ndim !== keys.ndim || values.shape[values.ndim - 2] !== keys.shape[keys.ndim - 2]) {
    throw new Error(`${op}: keys (..., Lk, dk) and values (..., Lk, dv) need the same number of dims and of positions Lk, got keys [${keys.shape}] and values [${values.shape}]`);
  }
  if (keys.shape[keys.ndim - 2] === 0) throw new Error(`${op}: keys [${keys.shape}] have no positions (Lk = 0); each query needs at least one key`);
}

/**
 * softmax(Q Kᵀ / √d + masking) V, as PyTorch's scaled_dot_product_attention (with a boolean
 * attn_mask: non-zero = may attend). query (..., Lq, d), key (..., Lk, d), value (..., Lk, dv);
 * leading dims broadcast. Returns [output (..., Lq, dv), weights (..., Lq, Lk)].
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: { mask?: Tensor } = {}): [Tensor, Tensor] {
  const op = "scaledDotProductAttention";
  tensorArgument(op, "query", query);
  checkKeysValues(op, key, value);
  const d = query.shape[query.ndim - 1];
  if (query.ndim < 2 || d !== key.shape[key.ndim - 1]) {
    throw new Error(`${op}: query (..., Lq, d) and key (..., Lk, d) must share the feature size d, got query [${query.shape}] and key [${key.shape}]`);
  }
  if (d === 0) throw new Error(`${op}: the feature size d of query [${query.shape}] and key [${key.shape}] must be at least 1`);
  const scores = query.matmul(key.transpose(-2, -1)).div(Math.sqrt(d!));
  const weights = maskedSoftmax(op, scores, opts.mask);
  return [weights.matmul(value), weights];
}

/**
 * Additive (Bahdanau) attention: score(q, k) = vᵀ tanh(W_q q + W_k k + b), weights =
 * softmax over the keys, context = Σ weights · values. Parameters: `query.weight`
 * (attnSize, querySize), `key.weight`, `key.bias` (attnSize, keySize), `score.weight` (1, attnSize).
 */
export class AdditiveAttention extends Module {
  /** W_q: (attnSize, querySize), no bias. */
  query: Linear;
  /** W_k and b: (attnSize, keySize). */
  key: Linear;
  /** v: (1, attnSize), no bias. */
  score: Linear;

  /**
   * @param querySize - features of a query
   * @param keySize - features of a key
   * @param attnSize - features of the hidden scoring layer
   * @param opts - dtype, generator
   */
  constructor(readonly querySize: number, readonly keySize: number, readonly attnSize: number, opts: LayerOptions = {}) {
    super();
    this.query = new Linear(querySize, attnSize, { ...opts, bias: false });
    this.key = new Linear(keySize, attnSize, opts);
    this.score = new Linear(attnSize, 1, { ...opts, bias: false });
  }

  /** W_k k + b for keys (batch, Lk, keySize): compute once and pass as `projectedKeys` when the keys are reused. */
  projectKeys(keys: Tensor): Tensor {
    return this.key.forward(keys);
  }

  /**
   * query (batch, querySize) or (batch, Lq, querySize); keys (batch, Lk, keySize); values
   * (batch, Lk, dv); mask (batch, Lk) (for example `paddingMask(lengths)`) or broadcastable to
   * (batch, Lq, Lk). Returns [context, weights]: (batch, dv) and (batch, Lk) for a 2-D query,
   * (batch, Lq, dv) and (batch, Lq, Lk) for a 3-D one.
   */
  forward(query: Tensor, keys: Tensor, values: Tensor, opts: { mask?: Tensor; projectedKeys?: Tensor } = {}): [Tensor, Tensor] {
    const op = "AdditiveAttention";
    tensorArgument(op, "query", query);
    checkKeysValues(op, keys, values);
    if (keys.ndim !== 3 || keys.shape[2] !== this.keySize) throw new Error(`${op}: keys must be (batch, Lk, ${this.keySize}), got [${keys.shape}]`);
    const single = query.ndim === 2;
    const q = single ? query.unsqueeze(1) : query;
    if (q.ndim !== 3 || q.shape[0] !== keys.shape[0] || q.shape[2] !== this.querySize) {
      throw new Error(`${op}: query must be (batch, ${this.querySize}) or (batch, Lq, ${this.querySize}) with the keys' batch ${keys.shape[0]}, got [${query.shape}]`);
    }
    const k = opts.projectedKeys ?? this.projectKeys(keys);
    if (k.shape.join() !== [keys.shape[0], keys.shape[1], this.attnSize].join()) {
      throw new Error(`${op}: projectedKeys must be (batch, Lk, ${this.attnSize}) = projectKeys(keys), got [${k.shape}]`);
    }
    // (batch, Lq, 1, A) + (batch, 1, Lk, A) -> scores (batch, Lq, Lk)
    const energy = this.query.forward(q).unsqueeze(2).add(k.unsqueeze(1)).tanh();
    const scores = this.score.forward(energy).squeeze(-1);
    const mask = opts.mask?.ndim === 2 ? opts.mask.unsqueeze(1) : opts.mask;
    const weights = maskedSoftmax(op, scores, mask);
    const context = weights.matmul(values);
    return single ? [context.squeeze(1), weights.squeeze(1)] : [context, weights];
  }
}
