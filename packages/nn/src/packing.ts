import { cat, describeValue, full, tensor, Tensor } from "@tapegrad/autograd";
import { fmt } from "./format";

/**
 * A batch of variable-length sequences stored without padding, as PyTorch's PackedSequence:
 * `data` holds the valid steps time-major ((Σ lengths, *features)), step t of the sequences
 * sorted by decreasing length, `batchSizes[t]` of them; sortedIndices[j] is the batch position
 * of the j-th longest sequence and unsortedIndices its inverse.
 */
export class PackedSequence {
  constructor(
    /** The steps of all sequences, time-major: (total steps, *features). */
    readonly data: Tensor,
    /** How many sequences are still running at each time step. */
    readonly batchSizes: readonly number[],
    /** sortedIndices[j]: the batch position of the j-th longest sequence. */
    readonly sortedIndices: readonly number[],
    /** The inverse of sortedIndices. */
    readonly unsortedIndices: readonly number[],
  ) {
    checkPacked(data, batchSizes, sortedIndices, unsortedIndices);
  }

  /** Each sequence's length, in the original batch order. */
  get lengths(): number[] {
    return this.unsortedIndices.map((j) => this.batchSizes.filter((bs) => bs > j).length);
  }
}

/** PyTorch's invariants of a PackedSequence, checked when one is built by hand. */
function checkPacked(data: unknown, batchSizes: readonly number[], sorted: readonly number[], unsorted: readonly number[]): void {
  const op = "PackedSequence";
  if (!(data instanceof Tensor) || data.ndim < 1) throw new Error(`${op}: data must be a Tensor of shape (total steps, *features), got ${describeValue(data)}`);
  for (const [what, list] of [["batchSizes", batchSizes], ["sortedIndices", sorted], ["unsortedIndices", unsorted]] as const) {
    if (!Array.isArray(list)) throw new Error(`${op}: ${what} must be an array of integers, got ${describeValue(list)}`);
  }
  const B = batchSizes[0] ?? 0;
  batchSizes.forEach((bs, t) => {
    if (!Number.isInteger(bs) || bs < 1 || bs > B) {
      throw new Error(`${op}: batchSizes must be positive integers that never increase, got ${describeValue(bs)} at step ${t} of [${batchSizes.join(", ")}]`);
    }
    if (t > 0 && bs > batchSizes[t - 1]!) throw new Error(`${op}: batchSizes must never increase (sequences sorted by decreasing length), got [${batchSizes.join(", ")}]`);
  });
  const total = batchSizes.reduce((a, b) => a + b, 0);
  if (data.shape[0] !== total) throw new Error(`${op}: data has ${data.shape[0]} steps (shape ${fmt(data.shape)}), batchSizes [${batchSizes.join(", ")}] add up to ${total}`);
  for (const [what, list] of [["sortedIndices", sorted], ["unsortedIndices", unsorted]] as const) {
    const seen = new Set<number>();
    for (const i of list) {
      if (!Number.isInteger(i) || i < 0 || i >= B || seen.has(i)) throw new Error(`${op}: ${what} [${list.join(", ")}] must be a permutation of 0..${B - 1} (the batch), got ${describeValue(i)} ${seen.has(i) ? "twice" : "out of range"}`);
      seen.add(i);
    }
    if (seen.size !== B) throw new Error(`${op}: ${what} [${list.join(", ")}] must be a permutation of 0..${B - 1} (the batch)`);
  }
  if (sorted.some((s, j) => unsorted[s] !== j)) throw new Error(`${op}: unsortedIndices [${unsorted.join(", ")}] is not the inverse of sortedIndices [${sorted.join(", ")}]`);
}

function checkLengths(op: string, lengths: readonly number[] | Tensor, B: number, T: number): number[] {
  const values = Array.isArray(lengths) ? [...(lengths as number[])] : Array.from((lengths as Tensor).data());
  if (values.length !== B) throw new Error(`${op}: lengths has ${values.length} entries, expected one per sequence (batch ${B})`);
  for (const n of values) {
    if (!Number.isInteger(n) || n < 1 || n > T) throw new Error(`${op}: every length must be an integer in [1, ${T}] (the padded length), got ${n}`);
  }
  return values;
}

/**
 * Packs a padded batch ((T, B, *) or (B, T, *) with batchFirst). With enforceSorted (the
 * default, as in PyTorch) lengths must already be in decreasing order. The packing is one
 * indexSelect, so gradients flow back to the padded input.
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: readonly number[] | Tensor,
  opts: { batchFirst?: boolean; enforceSorted?: boolean } = {},
): PackedSequence {
  if (input.ndim < 2) throw new Error(`packPaddedSequence: input must have a time and a batch dim, got shape ${fmt(input.shape)}`);
  const x = opts.batchFirst ? input.transpose(0, 1) : input;
  const [T, B] = x.shape as [number, number];
  const lens = checkLengths("packPaddedSequence", lengths, B, T);
  const order = lens.map((_, b) => b).sort((a, b) => lens[b]! - lens[a]! || a - b);
  if ((opts.enforceSorted ?? true) && lens.some((n, b) => b > 0 && n > lens[b - 1]!)) {
    throw new Error(`packPaddedSequence: lengths [${lens.join(", ")}] are not in decreasing order; sort the batch or pass enforceSorted: false`);
  }
  return packSorted(x, lens, order);
}

/** Packs time-major x given the batch order by decreasing length. */
export function packSorted(x: Tensor, lengths: readonly number[], order: readonly number[]): PackedSequence {
  const [T, B] = x.shape as [number, number];
  const maxLength = Math.max(...lengths);
  const batchSizes: number[] = [];
  const rows: number[] = [];
  for (let t = 0; t < maxLength; t++) {
    const running = order.filter((b) => lengths[b]! > t);
    batchSizes.push(running.length);
    for (const b of running) rows.push(t * B + b);
  }
  const data = x.reshape([T * B, ...x.shape.slice(2)]).indexSelect(0, tensor(rows, { dtype: "int32" }));
  const unsorted = new Array<number>(order.length);
  order.forEach((b, j) => (unsorted[b] = j));
  return new PackedSequence(data, batchSizes, [...order], unsorted);
}

/**
 * The inverse of packPaddedSequence: [padded, lengths] in the original batch order, padded
 * with paddingValue up to totalLength (default: the longest sequence).
 */
export function padPackedSequence(
  sequence: PackedSequence,
  opts: { batchFirst?: boolean; paddingValue?: number; totalLength?: number } = {},
): [Tensor, number[]] {
  const { data, batchSizes, sortedIndices } = sequence;
  const T = opts.totalLength ?? batchSizes.length;
  if (!Number.isInteger(T) || T < batchSizes.length) {
    throw new Error(`padPackedSequence: totalLength ${opts.totalLength} is shorter than the longest sequence (${batchSizes.length})`);
  }
  const B = sortedIndices.length;
  const filler = data.shape[0]!; // index of the extra padding row
  const rows = new Array<number>(T * B).fill(filler);
  let at = 0;
  batchSizes.forEach((bs, t) => {
    for (let j = 0; j < bs; j++) rows[t * B + sortedIndices[j]!] = at++;
  });
  const pad = full([1, ...data.shape.slice(1)], opts.paddingValue ?? 0, { dtype: data.dtype });
  const flat = cat([data, pad], 0).indexSelect(0, tensor(rows, { dtype: "int32" }));
  const padded = flat.reshape([T, B, ...data.shape.slice(1)]);
  return [opts.batchFirst ? padded.transpose(0, 1) : padded, sequence.lengths];
}
