import { describeValue, isTensor, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";

/**
 * A map-style dataset, as torch.utils.data.Dataset: `length` items, item i from `get(i)`. Any
 * object with these two members is one, so a plain `{ length, get }` works where a Dataset is
 * expected.
 */
export abstract class Dataset<T> {
  /** Number of samples. */
  abstract readonly length: number;
  /** The sample at index (0 ≤ index < length). */
  abstract get(index: number): T;
}

function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${op}: index ${describeValue(index)} is out of range for a dataset of length ${length}`);
  }
}

/** A dataset: an object with a non-negative integer `length` and a `get` function; returns the length. */
export function checkDataset(op: string, dataset: unknown): number {
  const d = dataset as { length?: unknown; get?: unknown } | null;
  if (d === null || typeof d !== "object" || typeof d.get !== "function") {
    throw new Error(`${op}: dataset must be a Dataset (an object with length and get(i)), got ${describeValue(dataset)}`);
  }
  if (!Number.isInteger(d.length) || (d.length as number) < 0) throw new Error(`${op}: dataset length must be a non-negative integer, got ${describeValue(d.length)}`);
  return d.length as number;
}

/** Item i is the i-th row (index along dim 0) of each tensor; all must have the same first dim. */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, all with the same first dim. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: expected at least one tensor");
    tensors.forEach((t, i) => {
      if (!isTensor(t)) throw new Error(`TensorDataset: argument ${i} must be a Tensor, got ${describeValue(t)}`);
    });
    const rows = tensors.map((t) => (t.ndim === 0 ? -1 : t.shape[0]!));
    if (rows.some((n) => n !== rows[0]) || rows[0] === -1) {
      throw new Error(`TensorDataset: every tensor must have the same size in dim 0, got shapes ${tensors.map((t) => fmt(t.shape)).join(", ")}`);
    }
    this.tensors = tensors;
  }

  /** The size of the tensors' first dim. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row index of each tensor. */
  get(index: number): Tensor[] {
    checkIndex("TensorDataset", index, this.length);
    return this.tensors.map((t) => t.select(0, index));
  }
}

/** The items of `dataset` at `indices`, in that order. */
export class Subset<T> extends Dataset<T> {
  /** The positions in the underlying dataset, in order. */
  readonly indices: readonly number[];

  /**
   * @param dataset - the underlying dataset
   * @param indices - the positions of the samples to keep
   */
  constructor(readonly dataset: Dataset<T>, indices: readonly number[]) {
    super();
    const n = checkDataset("Subset", dataset);
    if (!Array.isArray(indices)) throw new Error(`Subset: indices must be an array of integers, got ${describeValue(indices)}`);
    for (const i of indices) checkIndex("Subset", i, n);
    this.indices = [...indices];
  }

  /** Number of indices. */
  get length(): number {
    return this.indices.length;
  }

  /** Sample indices[index] of the underlying dataset. */
  get(index: number): T {
    checkIndex("Subset", index, this.length);
    return this.dataset.get(this.indices[index]!);
  }
}
