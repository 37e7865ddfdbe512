import { describeValue, randperm, tensor, type Generator, type Tensor } from "@tapegrad/autograd";
import { booleanOption, checkGenerator } from "../arguments";
import { rejectUnknownKeys } from "../unknown-keys";
import { defaultCollate, type Collated } from "./collate";
import { checkDataset, Subset, TensorDataset, type Dataset } from "./dataset";

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Draw a new permutation of the dataset for every pass (default false). */
  shuffle?: boolean;
  /** The generator shuffling draws from (default: the global one). */
  generator?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of items into a batch (default: defaultCollate). */
  collate?: (items: T[]) => B;
}

/**
 * The tensors and row map behind a TensorDataset, possibly wrapped in Subsets (as randomSplit
 * makes), so a batch is one indexSelect per tensor. Null when a class overrides `get`.
 */
function tensorRows(dataset: Dataset<unknown>): { tensors: readonly Tensor[]; rows: readonly number[] | null } | null {
  let rows: readonly number[] | null = null;
  let d = dataset;
  while (d instanceof Subset && d.get === Subset.prototype.get) {
    const indices = d.indices;
    rows = rows ? rows.map((i) => indices[i]!) : indices;
    d = d.dataset;
  }
  return d instanceof TensorDataset && d.get === TensorDataset.prototype.get ? { tensors: d.tensors, rows } : null;
}

/**
 * Iterates a map-style dataset in batches, as torch.utils.data.DataLoader (synchronously, in
 * this thread): `for (const batch of loader)`; `length` is the number of batches per pass.
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each iteration visits the samples in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is left out. */
  readonly dropLast: boolean;
  /** Draws the shuffling order (the default generator when undefined). */
  readonly generator: Generator | undefined;
  private readonly collate: ((items: T[]) => B) | undefined;

  /**
   * @param dataset - the samples
   * @param opts - batchSize, shuffle, generator, dropLast, collate
   */
  constructor(readonly dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    rejectUnknownKeys("DataLoader", opts, ["batchSize", "shuffle", "generator", "dropLast", "collate"]);
    checkDataset("DataLoader", dataset);
    const batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`DataLoader: batchSize must be a positive integer, got ${describeValue(batchSize)}`);
    if (opts.collate !== undefined && typeof opts.collate !== "function") throw new Error(`DataLoader: collate must be a function, got ${describeValue(opts.collate)}`);
    this.batchSize = batchSize;
    this.shuffle = booleanOption("DataLoader", "shuffle", opts.shuffle, false);
    this.dropLast = booleanOption("DataLoader", "dropLast", opts.dropLast, false);
    this.generator = checkGenerator("DataLoader", opts.generator);
    this.collate = (opts.collate as unknown) === defaultCollate ? undefined : opts.collate;
  }

  /** Number of batches per iteration. */
  get length(): number {
    return this.batchCount(checkDataset("DataLoader", this.dataset));
  }

  /** Number of batches for n samples. */
  private batchCount(n: number): number {
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The batches of one pass over the dataset, each collated. */
  *[Symbol.iterator](): Iterator<B> {
    const n = checkDataset("DataLoader", this.dataset);
    const order = this.shuffle ? (randperm(n, { generator: this.generator }).data() as Int32Array) : null;
    const direct = this.collate ? null : tensorRows(this.dataset);
    const batches = this.batchCount(n);
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const size = Math.min(this.batchSize, n - start);
      const indices = Array.from({ length: size }, (_, j) => (order ? order[start + j]! : start + j));
      if (direct) {
        const rows = tensor(direct.rows ? indices.map((i) => direct.rows![i]!) : indices, { dtype: "int32" });
        yield direct.tensors.map((t) => t.indexSelect(0, rows)) as B;
      } else {
        const items = indices.map((i) => this.dataset.get(i));
        yield this.collate ? this.collate(items) : (defaultCollate(items) as B);
      }
    }
  }
}
