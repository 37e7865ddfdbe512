import { cat, describeValue, full, isTensor, tensor, type Tensor } from "@tapegrad/autograd";
import { booleanOption } from "../arguments";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";
import { defaultCollate } from "./collate";

/** Options of {@link padSequence}. */
export interface PadSequenceOptions {
  /** (B, T, *) instead of (T, B, *) (default false). */
  batchFirst?: boolean;
  /** The value of padded positions (default 0). */
  paddingValue?: number;
  /** Where the padding goes (default "right": sequences start at step 0). */
  paddingSide?: "right" | "left";
}

/**
 * torch.nn.utils.rnn.pad_sequence: sequences of shape (L_i, *) padded to the longest length T
 * and stacked into (T, B, *), or (B, T, *) with batchFirst. The result is one indexSelect over the
 * concatenated sequences, so gradients flow back to each sequence.
 */
export function padSequence(sequences: readonly Tensor[], opts: PadSequenceOptions = {}): Tensor {
  rejectUnknownKeys("padSequence", opts, ["batchFirst", "paddingValue", "paddingSide"]);
  const side = opts.paddingSide ?? "right";
  if (side !== "right" && side !== "left") throw new Error(`padSequence: paddingSide must be "right" or "left", got ${JSON.stringify(side)}`);
  if (!Array.isArray(sequences) || sequences.length === 0) throw new Error(`padSequence: sequences must be a non-empty list of tensors, got ${describeValue(sequences)}`);
  const batchFirst = booleanOption("padSequence", "batchFirst", opts.batchFirst, false);
  const first = sequences[0]!;
  sequences.forEach((s, i) => {
    if (!isTensor(s)) throw new Error(`padSequence: sequence ${i} is not a tensor`);
    if (s.ndim === 0 || s.dtype !== first.dtype || s.shape.slice(1).join() !== first.shape.slice(1).join()) {
      throw new Error(`padSequence: sequence ${i} is a ${s.dtype} tensor of shape ${fmt(s.shape)}; expected ${first.dtype} (L, ${first.shape.slice(1).join(", ") || "*"}) like sequence 0 ${fmt(first.shape)}`);
    }
  });
  const value = opts.paddingValue ?? 0;
  if (typeof value !== "number") throw new Error(`padSequence: paddingValue must be a number, got ${describeValue(value)}`);
  if (first.dtype === "int32" && !(Number.isInteger(value) && Math.abs(value) < 2 ** 31)) throw new Error(`padSequence: paddingValue ${value} must be an integer for int32 sequences, within int32's range`);
  if (first.dtype === "bool" && value !== 0 && value !== 1) throw new Error(`padSequence: paddingValue ${value} must be 0 or 1 for bool sequences`);
  const trailing = first.shape.slice(1);
  const B = sequences.length;
  const lengths = sequences.map((s) => s.shape[0]!);
  const T = Math.max(...lengths);
  const outShape = batchFirst ? [B, T, ...trailing] : [T, B, ...trailing];
  if (T === 0) return full(outShape, value, { dtype: first.dtype });

  const padRow = lengths.reduce((a, b) => a + b, 0);
  const rows = new Int32Array(T * B).fill(padRow);
  let offset = 0;
  lengths.forEach((L, b) => {
    const shift = side === "left" ? T - L : 0;
    for (let j = 0; j < L; j++) rows[batchFirst ? b * T + shift + j : (shift + j) * B + b] = offset + j;
    offset += L;
  });
  const flat = cat([...sequences, full([1, ...trailing], value, { dtype: first.dtype })], 0);
  return flat.indexSelect(0, tensor(rows)).reshape(outShape);
}

/** Options of {@link padCollate}. */
export interface PadCollateOptions {
  /** (B, T) inputs instead of (T, B) (default false, as padSequence and the recurrent layers). */
  batchFirst?: boolean;
  /** The value of padded input positions (default 0). */
  paddingValue?: number;
  /** The value of padded positions of sequence targets (default -100, crossEntropy's ignoreIndex). */
  targetPaddingValue?: number;
}

/** What {@link padCollate} returns. */
export interface PaddedBatch {
  /** The padded inputs: (T, B, ...), or (B, T, ...) with batchFirst. */
  inputs: Tensor;
  /** The length of each input sequence. */
  lengths: number[];
  /** The targets stacked, or padded when they are sequences. */
  targets: Tensor;
}

function sequenceTensor(s: Tensor | readonly number[], what: string): Tensor {
  if (isTensor(s)) return s;
  if (!Array.isArray(s) || s.some((v) => !Number.isInteger(v) || Math.abs(v) >= 2 ** 31)) {
    throw new Error(`padCollate: ${what} must be a tensor or an array of integer token ids, got ${JSON.stringify(s)}`);
  }
  return tensor(s as number[], { dtype: "int32", shape: [s.length] });
}

/**
 * A DataLoader collate for [sequence, target] items with sequences of different lengths (int32
 * tensors or arrays of token ids, or (L_i, *) feature tensors). Inputs are padded right, so
 * `lengths` fits Recurrent's `{ lengths }` and packPaddedSequence (with enforceSorted: false).
 * Number targets become a (B) tensor; sequence targets (arrays or tensors) are padded like the
 * inputs, with targetPaddingValue.
 */
export function padCollate(batch: readonly (readonly [Tensor | readonly number[], number | Tensor | readonly number[]])[], opts: PadCollateOptions = {}): PaddedBatch {
  rejectUnknownKeys("padCollate", opts, ["batchFirst", "paddingValue", "targetPaddingValue"]);
  if (!Array.isArray(batch) || batch.length === 0) throw new Error(`padCollate: batch must be a non-empty array of [sequence, target] pairs, got ${describeValue(batch)}`);
  batch.forEach((item, i) => {
    if (!Array.isArray(item) || item.length !== 2) throw new Error(`padCollate: item ${i} must be a [sequence, target] pair`);
  });
  const inputs = batch.map(([s], i) => sequenceTensor(s, `the sequence of item ${i}`));
  const lengths = inputs.map((s, i) => {
    if (s.ndim === 0 || s.shape[0] === 0) throw new Error(`padCollate: the sequence of item ${i} has shape ${fmt(s.shape)}; sequences need length >= 1`);
    return s.shape[0]!;
  });
  const targetList = batch.map(([, t]) => t);
  const sequential = targetList.every((t) => Array.isArray(t) || (isTensor(t) && t.ndim > 0));
  const targets = sequential
    ? padSequence(targetList.map((t, i) => sequenceTensor(t as Tensor | number[], `the target of item ${i}`)), {
        batchFirst: opts.batchFirst, paddingValue: opts.targetPaddingValue ?? -100,
      })
    : (defaultCollate(targetList as (number | Tensor)[]) as Tensor);
  return { inputs: padSequence(inputs, { batchFirst: opts.batchFirst, paddingValue: opts.paddingValue }), lengths, targets };
}
