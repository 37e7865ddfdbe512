import { isTensor, type Generator, type Tensor } from "@tapegrad/autograd";
import { Dataset, Subset, TensorDataset } from "../data/dataset";
import { DataLoader } from "../data/loader";
import { fmt } from "../format";

export interface LoaderOptions {
  batchSize?: number | undefined;
  shuffle?: boolean | undefined;
  generator?: Generator | undefined;
}

function isDatasetLike(d: unknown): d is Dataset<unknown> {
  return typeof d === "object" && d !== null && typeof (d as Dataset<unknown>).get === "function" && Number.isInteger((d as Dataset<unknown>).length);
}

function describe(d: unknown): string {
  if (d === null || typeof d !== "object") return String(d);
  return isTensor(d) ? `a tensor of shape ${fmt(d.shape)}` : `an object with keys ${Object.keys(d).join(", ") || "(none)"}`;
}

/**
 * The data as a Dataset: `{ x, y }` (or, with inputsOnly, a tensor or `{ x }`) becomes a
 * TensorDataset; a Dataset is used as it is; a DataLoader gives null (it is used as given).
 */
export function datasetOf(fn: string, what: string, data: unknown, inputsOnly = false): Dataset<unknown> | null {
  if (data instanceof DataLoader) return null;
  if (inputsOnly && isTensor(data)) return new TensorDataset(data);
  if (typeof data === "object" && data !== null && "x" in data) {
    const { x, y } = data as { x: unknown; y?: unknown };
    if (!isTensor(x) || !(isTensor(y) || (inputsOnly && y === undefined))) {
      throw new Error(`${fn}: ${what} { x, y } must hold tensors, got x: ${describe(x)}, y: ${describe(y)}`);
    }
    if (isTensor(y) && (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0])) {
      throw new Error(`${fn}: ${what} x and y need the same number of rows (dim 0), got shapes ${fmt(x.shape)} and ${fmt(y.shape)}`);
    }
    return isTensor(y) ? new TensorDataset(x, y) : new TensorDataset(x);
  }
  if (isDatasetLike(data)) return data;
  const forms = inputsOnly ? "a tensor, { x }, a Dataset or a DataLoader" : "{ x, y } tensors, a Dataset or a DataLoader";
  throw new Error(`${fn}: ${what} must be ${forms}, got ${describe(data)}`);
}

/** Batches of data: a DataLoader as given (then batchSize, shuffle and generator must be left out), else a new one. */
export function loaderOf(fn: string, what: string, data: unknown, opts: LoaderOptions, inputsOnly = false): DataLoader<unknown, unknown> {
  const dataset = datasetOf(fn, what, data, inputsOnly);
  if (dataset === null) {
    const given = (["batchSize", "shuffle", "generator"] as const).filter((k) => opts[k] !== undefined);
    if (given.length > 0) throw new Error(`${fn}: ${given.join(", ")} cannot be used with a DataLoader as ${what}; set them on the DataLoader`);
    return data as DataLoader<unknown, unknown>;
  }
  return new DataLoader(dataset, { batchSize: opts.batchSize ?? 32, shuffle: opts.shuffle ?? false, ...(opts.generator ? { generator: opts.generator } : {}) });
}

/**
 * Keras's validation_split: the last `fraction` of the samples, taken before any shuffling, is
 * held out: the first floor(n · (1 - fraction)) train.
 */
export function splitLast(fn: string, data: unknown, fraction: number): [Dataset<unknown>, Dataset<unknown>] {
  const dataset = datasetOf(fn, "data", data);
  if (dataset === null) throw new Error(`${fn}: validationSplit cannot split a DataLoader; pass { x, y } or a Dataset, or give validationData`);
  const n = dataset.length;
  const splitAt = Math.floor(n * (1 - fraction));
  if (splitAt === 0 || splitAt === n) {
    throw new Error(`${fn}: validationSplit ${fraction} of ${n} samples leaves ${splitAt === 0 ? "no training" : "no validation"} samples`);
  }
  if (dataset instanceof TensorDataset && dataset.get === TensorDataset.prototype.get) {
    const part = (start: number, length: number) => new TensorDataset(...dataset.tensors.map((t) => t.narrow(0, start, length)));
    return [part(0, splitAt), part(splitAt, n - splitAt)];
  }
  const range = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);
  return [new Subset(dataset, range(0, splitAt)), new Subset(dataset, range(splitAt, n))];
}

/** The number of samples in each batch of a pass over the loader. */
export function batchSizes(loader: DataLoader<unknown, unknown>): number[] {
  const n = loader.dataset.length;
  return Array.from({ length: loader.length }, (_, b) => Math.min(loader.batchSize, n - b * loader.batchSize));
}

/** A batch's `[input, target]`. */
export function inputAndTarget(fn: string, batch: unknown): [unknown, Tensor] {
  if (!Array.isArray(batch) || batch.length !== 2) {
    const got = Array.isArray(batch) ? `an array of ${batch.length}` : describe(batch);
    throw new Error(`${fn}: each batch must be [input, target] (a TensorDataset of two tensors, or a collate that returns a pair), got ${got}`);
  }
  if (!isTensor(batch[1])) throw new Error(`${fn}: the target of a batch must be a tensor, got ${describe(batch[1])}`);
  return [batch[0], batch[1]];
}

/** What predict feeds the model: a tensor batch itself, else the first element of an array batch. */
export function inputOf(batch: unknown): unknown {
  return Array.isArray(batch) ? batch[0] : batch;
}
