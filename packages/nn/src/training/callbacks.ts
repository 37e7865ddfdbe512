import { noGrad, type Tensor } from "@tapegrad/autograd";
import { encodeCheckpoint } from "../checkpoint";
import { rejectUnknownKeys } from "../unknown-keys";
import { improves, monitored, monitorOption, resolveMode, type MonitorMode } from "./monitor";
import type { Callback, Logs, SchedulerLike, TrainingContext } from "./types";

function nonNegative(fn: string, name: string, value: unknown, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`${fn}: ${name} must be ${integer ? "an integer" : "a number"} >= 0, got ${String(value)}`);
  }
  return value;
}

/** ReduceLROnPlateau (and any scheduler like it) needs a metric: it is recognised by its `numBadEpochs`. */
function wantsMetric(scheduler: SchedulerLike): boolean {
  return "numBadEpochs" in scheduler;
}

/**
 * Steps an LR scheduler at the end of every epoch. ReduceLROnPlateau is stepped with `monitor`
 * (default `val_loss`, or `loss` without validation data), every other scheduler with step().
 */
export function lrScheduler(scheduler: SchedulerLike, opts: { monitor?: string } = {}): Callback {
  const fn = "lrScheduler";
  if (typeof scheduler?.step !== "function") throw new Error(`${fn}: expected a scheduler with step() (StepLR, ReduceLROnPlateau, ...), got ${String(scheduler)}`);
  rejectUnknownKeys(fn, opts, ["monitor"]);
  const monitor = opts.monitor === undefined ? undefined : monitorOption(fn, opts.monitor, "");
  return {
    onEpochEnd(_epoch, logs) {
      if (!wantsMetric(scheduler)) return (scheduler as { step(): void }).step();
      scheduler.step(monitored(fn, monitor ?? ("val_loss" in logs ? "val_loss" : "loss"), logs));
    },
  };
}

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** The logged value to watch. Default "val_loss". */
  monitor?: string;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** "min", "max", or "auto" (default: "max" when the monitor's name contains "acc"). */
  mode?: MonitorMode;
  /** On stopping, put back the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
}

/**
 * Keras's EarlyStopping: stops once `monitor` has not improved by more than minDelta for
 * `patience` epochs in a row (never after the first epoch); with restoreBestWeights, the model
 * then gets the weights of its best epoch back. `stoppedEpoch` and `bestEpoch` tell what happened.
 */
export function earlyStopping(opts: EarlyStoppingOptions = {}): Callback & {
  /** The epoch after which training stopped, or null. */
  readonly stoppedEpoch: number | null;
  /** The epoch with the best monitored value, or null. */
  readonly bestEpoch: number | null;
} {
  const fn = "earlyStopping";
  rejectUnknownKeys(fn, opts, ["monitor", "patience", "minDelta", "mode", "restoreBestWeights"]);
  const monitor = monitorOption(fn, opts.monitor, "val_loss");
  const mode = resolveMode(fn, monitor, opts.mode);
  const patience = nonNegative(fn, "patience", opts.patience, 0, true);
  const minDelta = Math.abs(nonNegative(fn, "minDelta", opts.minDelta, 0));
  const restore = opts.restoreBestWeights ?? false;
  let best = Infinity;
  let wait = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  const state = { stoppedEpoch: null as number | null, bestEpoch: null as number | null };
  const snapshot = (ctx: TrainingContext) => noGrad(() => Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, t.clone()])));
  return Object.assign(state, {
    onTrainBegin() {
      [best, wait, bestWeights, state.stoppedEpoch, state.bestEpoch] = [mode === "min" ? Infinity : -Infinity, 0, null, null, null];
    },
    onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext) {
      const current = monitored(fn, monitor, logs);
      if (restore && bestWeights === null) bestWeights = snapshot(ctx);
      wait += 1;
      if (improves(mode, current, best, minDelta)) {
        [best, wait, state.bestEpoch] = [current, 0, epoch];
        if (restore) bestWeights = snapshot(ctx);
        return;
      }
      if (wait >= patience && epoch > 0) {
        state.stoppedEpoch = epoch;
        ctx.stopTraining = true;
        if (restore && bestWeights) ctx.model.loadStateDict(bestWeights);
      }
    },
  });
}

/** Options of {@link modelCheckpoint}. */
export interface ModelCheckpointOptions {
  /** Receives the checkpoint's bytes (encodeCheckpoint) and the epoch (1-based: epochs done) with its logs. */
  onSave: (bytes: Uint8Array, info: { epoch: number; logs: Logs }) => void;
  /** The logged value that decides "best". Default "val_loss". */
  monitor?: string;
  /** Save only when `monitor` improves on the best so far. Default false: every epoch. */
  saveBestOnly?: boolean;
  /** "min", "max", or "auto" (default: "max" when the monitor's name contains "acc"). */
  mode?: MonitorMode;
}

/**
 * Keras's ModelCheckpoint, in bytes: at the end of an epoch (every one, or with saveBestOnly
 * only when `monitor` improves) encodes a checkpoint of the model, optimizer, fit's scheduler
 * and shuffling generator (those that have state), `epoch` (epochs done) and the epoch's `logs`,
 * and hands it to onSave. `loadCheckpoint` / `decodeCheckpoint` restore it; continue with fit's
 * `initialEpoch: epoch`. `@tapegrad/nn/node` has the same with a file path.
 */
export function modelCheckpoint(opts: ModelCheckpointOptions): Callback {
  const fn = "modelCheckpoint";
  rejectUnknownKeys(fn, opts ?? {}, ["onSave", "monitor", "saveBestOnly", "mode"]);
  if (typeof opts?.onSave !== "function") throw new Error(`${fn}: onSave must be a function (bytes, { epoch, logs }) => void, got ${typeof opts?.onSave}`);
  const monitor = monitorOption(fn, opts.monitor, "val_loss");
  const mode = resolveMode(fn, monitor, opts.mode);
  const bestOnly = opts.saveBestOnly ?? false;
  let best = Infinity;
  return {
    onTrainBegin() {
      best = mode === "min" ? Infinity : -Infinity;
    },
    onEpochEnd(epoch, logs, ctx) {
      if (bestOnly) {
        const current = monitored(fn, monitor, logs);
        if (!improves(mode, current, best)) return;
        best = current;
      }
      const stateful = (o: unknown) => typeof (o as { stateDict?: unknown })?.stateDict === "function" && typeof (o as { loadStateDict?: unknown })?.loadStateDict === "function";
      const bytes = encodeCheckpoint({
        model: ctx.model,
        ...(stateful(ctx.optimizer) ? { optimizer: ctx.optimizer as never } : {}),
        ...(ctx.scheduler && stateful(ctx.scheduler) ? { scheduler: ctx.scheduler as never } : {}),
        ...(ctx.generator ? { generator: ctx.generator } : {}),
        epoch: epoch + 1,
        logs,
      });
      opts.onSave(bytes, { epoch: epoch + 1, logs });
    },
  };
}
