import type { Callback, Logs } from "./types";

// The console of browsers and Node alike (the core is built without DOM or Node types).
declare const console: { log(line: string): void };

/** What a progress display gets after every batch and once more at the end of each epoch. */
export interface ProgressReport {
  /** 0-based epoch, of `epochs`. */
  epoch: number;
  /** The epoch to stop before. */
  epochs: number;
  /** Batches done in this epoch, of `steps`. */
  step: number;
  /** Batches per epoch. */
  steps: number;
  /** Running means after a batch; the epoch's final values (validation included) when `done`. */
  logs: Logs;
  /** Since the epoch began. */
  seconds: number;
  /** Batches per second in this epoch. */
  stepsPerSecond: number;
  /** Whether the epoch is over (logs then include validation). */
  done: boolean;
}

/** Calls report with the numbers of the run (loss, metrics, steps/s) after each batch and epoch. */
export function progressCallback(report: (r: ProgressReport) => void): Callback {
  if (typeof report !== "function") throw new Error(`progressCallback: report must be a function (report) => void, got ${typeof report}`);
  let [start, step, current] = [0, 0, 0];
  const make = (epoch: number, epochs: number, steps: number, logs: Logs, done: boolean): ProgressReport => {
    const seconds = (Date.now() - start) / 1000;
    return { epoch, epochs, step, steps, logs, seconds, stepsPerSecond: step / Math.max(seconds, 1e-3), done };
  };
  return {
    onEpochBegin(epoch) {
      [start, step, current] = [Date.now(), 0, epoch];
    },
    onBatchEnd(batch, logs, ctx) {
      step = batch + 1;
      report(make(current, ctx.epochs, ctx.steps, logs, false));
    },
    onEpochEnd(epoch, logs, ctx) {
      report(make(epoch, ctx.epochs, ctx.steps, logs, true));
    },
  };
}

export function formatValue(v: number): string {
  return Math.abs(v) >= 0.01 || v === 0 || !Number.isFinite(v) ? v.toFixed(4) : v.toExponential(2);
}

/** "epoch 3/10 · 25/25 steps · 2.1 s · 11.9 steps/s · loss 0.4123 · accuracy 0.8125 · val_loss ..." */
export function formatProgress(r: ProgressReport): string {
  const values = Object.entries(r.logs).map(([k, v]) => `${k} ${formatValue(v)}`);
  return [`epoch ${r.epoch + 1}/${r.epochs}`, `${r.step}/${r.steps} steps`, `${r.seconds.toFixed(1)} s`, `${r.stepsPerSecond.toFixed(1)} steps/s`, ...values].join(" · ");
}

/** One line per epoch through `log` (console.log by default): fit's display with `verbose`. */
export function printProgress(log: (line: string) => void = console.log): Callback {
  return progressCallback((r) => r.done && log(formatProgress(r)));
}
