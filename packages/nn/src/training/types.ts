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
export type TrainingData =
  | {
      /** Inputs, one sample per row. */
      x: Tensor;
      /** Targets, one sample per row. */
      y: Tensor;
    }
  | Dataset<unknown>
  | AnyDataLoader;

/** Input data for predict: the same as TrainingData, or a tensor of inputs (rows are samples). */
export type PredictData =
  | Tensor
  | {
      /** Inputs, one sample per row. */
      x: Tensor;
      /** Targets (ignored). */
      y?: Tensor;
    }
  | Dataset<unknown>
  | AnyDataLoader;

/** `(output, target) => scalar loss`, e.g. `binaryCrossEntropy` or `(o, t) => crossEntropy(o, t, opts)`. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** Anything accumulating over batches like the metrics of `@tapegrad/nn` (Accuracy, F1Score, Perplexity, ...). */
export interface Metric {
  /** Adds a batch of predictions and targets. */
  update(preds: Tensor, target: Tensor): void;
  /** The value over everything added since the last reset. */
  compute(): number;
  /** Forgets everything added. */
  reset(): void;
}

/** What fit needs of an optimizer: the PyTorch loop's zeroGrad() and step(). */
export interface OptimizerLike {
  /** Clears the parameters' gradients. */
  zeroGrad(): void;
  /** Updates the parameters from their gradients. */
  step(): unknown;
  /** Read for the `lr` entry of the logs (the first group's lr during the epoch). */
  paramGroups?: readonly {
    /** The group's learning rate. */
    lr: number;
  }[];
}

/** An LR scheduler: `step()` once per epoch, or `step(metric)` for ReduceLROnPlateau. */
export interface SchedulerLike {
  /** Called at the end of every epoch: ReduceLROnPlateau with the monitored value, any other scheduler with no argument. */
  step(metric: number): void;
}

/** Values of one epoch by name: `loss`, each metric, `val_loss`, `val_<metric>`, `lr`. */
export type Logs = Record<string, number>;

/** Per-epoch values by name, like Keras's `History`: `history.loss[e]` is epoch e's training loss. */
export interface History {
  /** Each logged value (loss, metrics, val_*, lr) by name, one entry per epoch. */
  history: Record<string, number[]>;
  /** The epochs that ran, 0-based. */
  epoch: number[];
}

/** What callbacks see of the run; set `stopTraining` to end it after the current batch. */
export interface TrainingContext {
  /** The model being trained. */
  readonly model: Module;
  /** The optimizer. */
  readonly optimizer: OptimizerLike;
  /** The scheduler, when one was given. */
  readonly scheduler: SchedulerLike | undefined;
  /** The generator that shuffles the training data, when one was given. */
  readonly generator: Generator | undefined;
  /** The epoch to stop before (initialEpoch + epochs run). */
  readonly epochs: number;
  /** Batches per epoch. */
  readonly steps: number;
  /** The values logged so far. */
  readonly history: History;
  /** Set to true to end training after the current batch. */
  stopTraining: boolean;
}

/**
 * Hooks called by fit, all optional. Epochs and batches are 0-based; onBatchEnd's logs are the
 * running means of the epoch so far, onEpochEnd's the epoch's final values (with validation).
 */
export interface Callback {
  /** Before the first epoch. */
  onTrainBegin?(ctx: TrainingContext): void;
  /** Before each epoch. */
  onEpochBegin?(epoch: number, ctx: TrainingContext): void;
  /** After each training batch, with the epoch's running means. */
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void;
  /** After each epoch (and its validation), with the epoch's values. */
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void;
  /** After the last epoch. */
  onTrainEnd?(history: History, ctx: TrainingContext): void;
}
