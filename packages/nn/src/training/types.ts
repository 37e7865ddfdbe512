import type { Generator, Tensor } from "@tapegrad/autograd";
import type { DataLoader } from "../data/loader";
import type { Dataset } from "../data/dataset";
import type { Module } from "../module";

// Any loader: its item type only matters to its own collate.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDataLoader = DataLoader<any, unknown>;

/**
 * What fit, evaluate and predict take: `{ x, y }` tensors (row i of each is one sample), a
 * Dataset whose items collate to `[input, target]` batches, or a DataLoader yielding such batches.
 */
export type TrainingData = { x: Tensor; y: Tensor } | Dataset<unknown> | AnyDataLoader;

/** Input data for predict: the same as TrainingData, or a tensor of inputs (rows are samples). */
export type PredictData = Tensor | { x: Tensor; y?: Tensor } | Dataset<unknown> | AnyDataLoader;

/** `(output, target) => scalar loss`, e.g. `binaryCrossEntropy` or `(o, t) => crossEntropy(o, t, opts)`. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** Anything accumulating over batches like the metrics of `@tapegrad/nn` (Accuracy, F1Score, Perplexity, ...). */
export interface Metric {
  update(preds: Tensor, target: Tensor): void;
  compute(): number;
  reset(): void;
}

/** What fit needs of an optimizer: the PyTorch loop's zeroGrad() and step(). */
export interface OptimizerLike {
  zeroGrad(): void;
  step(): unknown;
  /** Read for the `lr` entry of the logs (the first group's lr during the epoch). */
  paramGroups?: readonly { lr: number }[];
}

/** An LR scheduler: `step()` once per epoch, or `step(metric)` for ReduceLROnPlateau. */
export interface SchedulerLike {
  step(metric: number): void;
}

/** Values of one epoch by name: `loss`, each metric, `val_loss`, `val_<metric>`, `lr`. */
export type Logs = Record<string, number>;

/** Per-epoch values by name, like Keras's `History`: `history.loss[e]` is epoch e's training loss. */
export interface History {
  history: Record<string, number[]>;
  /** The epochs that ran, 0-based. */
  epoch: number[];
}

/** What callbacks see of the run; set `stopTraining` to end it after the current batch. */
export interface TrainingContext {
  readonly model: Module;
  readonly optimizer: OptimizerLike;
  readonly scheduler: SchedulerLike | undefined;
  /** The generator that shuffles the training data, when one was given. */
  readonly generator: Generator | undefined;
  readonly epochs: number;
  /** Batches per epoch. */
  readonly steps: number;
  readonly history: History;
  stopTraining: boolean;
}

/**
 * Hooks called by fit, all optional. Epochs and batches are 0-based; onBatchEnd's logs are the
 * running means of the epoch so far, onEpochEnd's the epoch's final values (with validation).
 */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void;
  onTrainEnd?(history: History, ctx: TrainingContext): void;
}
