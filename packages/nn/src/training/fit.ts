import type { Generator } from "@tapegrad/autograd";
import { DataLoader } from "../data/loader";
import type { Module, Parameter } from "../module";
import { rejectUnknownKeys } from "../unknown-keys";
import { lrScheduler } from "./callbacks";
import { batchSizes, inputAndTarget, loaderOf, splitLast } from "./data";
import { callbacksOption, count, flag, fractionOption, functionOption, generatorOption, lossOption, metricsOption, optimizerOption, schedulerOption } from "./options";
import { printProgress } from "./progress";
import { batchLoss, evaluatePass, forwardBatch, Running, withMode, type OutputSelector } from "./run";
import type { Callback, History, LossFn, Metric, OptimizerLike, SchedulerLike, TrainingContext, TrainingData } from "./types";

/** Options of {@link fit}. */
export interface FitOptions {
  /** `(output, target) => scalar`, e.g. binaryCrossEntropy. */
  loss: LossFn;
  /** Steps the parameters: an optimizer of `@tapegrad/optim`. */
  optimizer: OptimizerLike;
  /** Default 1. */
  epochs?: number;
  /** Samples per batch for `{ x, y }` or a Dataset (default 32); a DataLoader brings its own. */
  batchSize?: number;
  /** Hold out the last fraction of the samples (before shuffling), as Keras does. */
  validationSplit?: number;
  /** Data evaluated after every epoch, in the same forms as the training data. */
  validationData?: TrainingData;
  /** Named metrics; their values are logged as `name` and `val_name`. */
  metrics?: Record<string, Metric>;
  /** Stepped at the end of every epoch (see lrScheduler), before the callbacks. */
  scheduler?: SchedulerLike;
  /** Called between backward and step with the model's parameters: `(ps) => clipGradNorm(ps, 1)`. */
  clipGradNorm?: (parameters: Parameter[]) => unknown;
  /** Called at the points of the run (see Callback). */
  callbacks?: Callback[];
  /** Reshuffle the training samples every epoch (default true; a DataLoader brings its own). */
  shuffle?: boolean;
  /** The generator that shuffles (default: the global one). */
  generator?: Generator;
  /** Show progress (default false): a line per epoch; a progress bar with fit of @tapegrad/nn/node in a terminal. */
  verbose?: boolean;
  /** Picks the prediction from what forward returns (default: a tensor itself, or the first element of a tuple). */
  output?: OutputSelector;
  /** The first epoch to run (to continue from a checkpoint); default 0. */
  initialEpoch?: number;
}

const KEYS = ["loss", "optimizer", "epochs", "batchSize", "validationSplit", "validationData", "metrics", "scheduler", "clipGradNorm", "callbacks", "shuffle", "generator", "verbose", "output", "initialEpoch"];

/** fit, with `display()` as the progress shown when verbose. */
export function fitWith(display: () => Callback, model: Module, data: TrainingData, opts: FitOptions): History {
  const fn = "fit";
  if (typeof model?.forward !== "function" || typeof model?.modules !== "function") throw new Error(`fit: model must be a Module, got ${String(model)}`);
  if (typeof opts !== "object" || opts === null) throw new Error("fit: expected options { loss, optimizer, epochs, ... }");
  rejectUnknownKeys(fn, opts, KEYS);
  const loss = lossOption(fn, opts.loss);
  const optimizer = optimizerOption(fn, opts.optimizer);
  const epochs = count(fn, "epochs", opts.epochs, 1);
  const initialEpoch = count(fn, "initialEpoch", opts.initialEpoch, 0, 0);
  const batchSize = opts.batchSize === undefined ? undefined : count(fn, "batchSize", opts.batchSize, 32);
  const metrics = metricsOption(fn, opts.metrics);
  const scheduler = schedulerOption(fn, opts.scheduler);
  const clip = functionOption<(ps: Parameter[]) => unknown>(fn, "clipGradNorm", opts.clipGradNorm, "(parameters) => ..., such as (ps) => clipGradNorm(ps, 1)");
  const select = functionOption<OutputSelector>(fn, "output", opts.output, "(modelOutput) => Tensor");
  const callbacks = callbacksOption(fn, opts.callbacks);
  const generator = generatorOption(fn, opts.generator);
  const shuffle = opts.shuffle === undefined ? undefined : flag(fn, "shuffle", opts.shuffle, true);
  const verbose = flag(fn, "verbose", opts.verbose, false);
  const split = fractionOption(fn, "validationSplit", opts.validationSplit);
  if (split !== undefined && opts.validationData !== undefined) throw new Error("fit: validationSplit and validationData exclude each other; give one");

  const [trainData, valData] = split === undefined ? [data, opts.validationData] : splitLast(fn, data, split);
  const loader = loaderOf(fn, "data", trainData, { batchSize, shuffle: trainData instanceof DataLoader ? shuffle : (shuffle ?? true), generator });
  const valLoader = valData === undefined ? undefined : loaderOf(fn, "validationData", valData, valData instanceof DataLoader ? {} : { batchSize });
  const sizes = batchSizes(loader);
  if (sizes.length === 0) throw new Error("fit: the training data has no batches");

  const history: History = { history: {}, epoch: [] };
  const ctx: TrainingContext = { model, optimizer, scheduler, generator, epochs, steps: sizes.length, history, stopTraining: false };
  const hooks = [...(scheduler ? [lrScheduler(scheduler)] : []), ...callbacks, ...(verbose ? [display()] : [])];
  const params = model.parameters();
  withMode(model, true, () => {
    for (const c of hooks) c.onTrainBegin?.(ctx);
    for (let epoch = initialEpoch; epoch < epochs && !ctx.stopTraining; epoch++) {
      for (const c of hooks) c.onEpochBegin?.(epoch, ctx);
      const lr = optimizer.paramGroups?.[0]?.lr;
      const running = new Running(metrics);
      let b = 0;
      for (const batch of loader) {
        const [input, target] = inputAndTarget(fn, batch);
        optimizer.zeroGrad();
        const output = forwardBatch(fn, model, input, select);
        const value = batchLoss(fn, loss, output, target);
        value.backward();
        clip?.(params);
        optimizer.step();
        running.add(value.item(), sizes[b]!, output, target);
        const logs = running.logs();
        for (const c of hooks) c.onBatchEnd?.(b, logs, ctx);
        b++;
        if (ctx.stopTraining) break;
      }
      const logs = running.logs();
      if (valLoader) Object.assign(logs, evaluatePass(fn, model, valLoader, loss, metrics, select, "val_"));
      if (lr !== undefined) logs.lr = lr;
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      history.epoch.push(epoch);
      for (const c of hooks) c.onEpochEnd?.(epoch, logs, ctx);
    }
    for (const c of hooks) c.onTrainEnd?.(history, ctx);
  });
  return history;
}

/**
 * Keras's model.fit as the loop a PyTorch user writes: for each epoch, in training mode, for
 * each batch `[input, target]`: optimizer.zeroGrad(), output = model.forward(input),
 * loss(output, target).backward(), clipGradNorm, optimizer.step(); then the validation data in
 * eval mode under noGrad, the scheduler and the callbacks. Returns the per-epoch history.
 */
export function fit(model: Module, data: TrainingData, opts: FitOptions): History {
  return fitWith(printProgress, model, data, opts);
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** `(output, target) => scalar`. */
  loss: LossFn;
  /** Named metrics, computed over all batches. */
  metrics?: Record<string, Metric>;
  /** Default 32; a DataLoader brings its own. */
  batchSize?: number;
  /** Picks the prediction from what forward returns (default: a tensor itself, or the first element of a tuple). */
  output?: OutputSelector;
}

/** The loss (sample-weighted mean over batches) and metrics of the model on data, in eval mode under noGrad. */
export function evaluate(model: Module, data: TrainingData, opts: EvaluateOptions): Record<string, number> {
  const fn = "evaluate";
  if (typeof opts !== "object" || opts === null) throw new Error("evaluate: expected options { loss, metrics?, batchSize? }");
  rejectUnknownKeys(fn, opts, ["loss", "metrics", "batchSize", "output"]);
  const loss = lossOption(fn, opts.loss);
  const metrics = metricsOption(fn, opts.metrics);
  const batchSize = opts.batchSize === undefined ? undefined : count(fn, "batchSize", opts.batchSize, 32);
  const select = functionOption<OutputSelector>(fn, "output", opts.output, "(modelOutput) => Tensor");
  return evaluatePass(fn, model, loaderOf(fn, "data", data, { batchSize }), loss, metrics, select);
}
