/// <reference types="node" />
import cliProgress from "cli-progress";
import { writeAtomically } from "../files";
import type { Module } from "../module";
import { modelCheckpoint as checkpointBytes, type ModelCheckpointOptions } from "./callbacks";
import { fitWith, type FitOptions } from "./fit";
import { formatProgress, formatValue, printProgress, progressCallback } from "./progress";
import type { Callback, History, TrainingData } from "./types";

/** A cli-progress bar per epoch with the running loss, metrics and steps/s; then the epoch's line. */
export function progressBar(): Callback {
  let bar: cliProgress.SingleBar | null = null;
  return progressCallback((r) => {
    if (r.done) {
      bar?.stop();
      bar = null;
      console.log(formatProgress(r));
      return;
    }
    const values = Object.entries(r.logs).map(([k, v]) => `${k} ${formatValue(v)}`).join(" · ");
    if (!bar) {
      const label = `epoch ${r.epoch + 1}/${r.epochs}`;
      bar = new cliProgress.SingleBar({ format: `${label} {bar} {value}/{total} · {speed} steps/s · {values}`, hideCursor: true, clearOnComplete: true, stream: process.stdout }, cliProgress.Presets.shades_classic);
      bar.start(r.steps, 0, { speed: "-", values: "" });
    }
    bar.update(r.step, { speed: r.stepsPerSecond.toFixed(1), values });
  });
}

/** fit of `@tapegrad/nn`; with verbose, a progress bar when stdout is a terminal, else a line per epoch. */
export function fit(model: Module, data: TrainingData, opts: FitOptions): History {
  return fitWith(() => (process.stdout.isTTY ? progressBar() : printProgress()), model, data, opts);
}

/**
 * modelCheckpoint of `@tapegrad/nn` that can also write each checkpoint to `path` (atomically),
 * where `{epoch}` is replaced by the number of epochs done: "run-{epoch}.ckpt".
 */
export function modelCheckpoint(opts: (Omit<ModelCheckpointOptions, "onSave"> & { path: string }) | ModelCheckpointOptions): Callback {
  if (typeof opts !== "object" || opts === null || ("path" in opts) === ("onSave" in opts)) throw new Error("modelCheckpoint: give exactly one of path and onSave");
  if (!("path" in opts)) return checkpointBytes(opts);
  const { path, ...rest } = opts;
  if (typeof path !== "string" || path === "") throw new Error(`modelCheckpoint: path must be a file path, got ${JSON.stringify(path)}`);
  return checkpointBytes({ ...rest, onSave: (bytes, { epoch }) => writeAtomically("modelCheckpoint", path.replaceAll("{epoch}", String(epoch)), bytes) });
}
