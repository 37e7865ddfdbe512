import { Generator } from "@tapegrad/autograd";
import type { Callback, LossFn, Metric, OptimizerLike, SchedulerLike } from "./types";

function kind(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? (v.constructor?.name ?? "an object") : `${typeof v} ${String(v)}`;
}

/** A whole number >= min, or the default when undefined. */
export function count(fn: string, name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) throw new Error(`${fn}: ${name} must be an integer >= ${min}, got ${kind(value)}`);
  return value;
}

export function flag(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new Error(`${fn}: ${name} must be true or false, got ${kind(value)}`);
  return value;
}

export function lossOption(fn: string, loss: unknown): LossFn {
  if (typeof loss !== "function") throw new Error(`${fn}: loss must be a function (output, target) => Tensor, such as binaryCrossEntropy, got ${kind(loss)}`);
  return loss as LossFn;
}


export function metricsOption(fn: string, metrics: unknown): Record<string, Metric> {
  if (metrics === undefined) return {};
  if (typeof metrics !== "object" || metrics === null || Array.isArray(metrics)) {
    throw new Error(`${fn}: metrics must be an object of named metrics, such as { accuracy: new Accuracy({ task: "binary" }) }, got ${kind(metrics)}`);
  }
  for (const [name, m] of Object.entries(metrics)) {
    const missing = ["update", "compute", "reset"].filter((k) => typeof (m as Record<string, unknown>)?.[k] !== "function");
    if (missing.length > 0) throw new Error(`${fn}: metrics.${name} must have update, compute and reset; it has no ${missing.join(", ")}`);
    if (name === "loss" || name.startsWith("val_") || name === "lr") throw new Error(`${fn}: metrics.${name}: the name is taken by the logs (loss, val_*, lr); choose another`);
  }
  return metrics as Record<string, Metric>;
}

export function optimizerOption(fn: string, optimizer: unknown): OptimizerLike {
  if (typeof (optimizer as OptimizerLike)?.zeroGrad !== "function" || typeof (optimizer as OptimizerLike)?.step !== "function") {
    throw new Error(`${fn}: optimizer must have zeroGrad() and step() (SGD, Adam, ... of @tapegrad/optim), got ${kind(optimizer)}`);
  }
  return optimizer as OptimizerLike;
}

export function schedulerOption(fn: string, scheduler: unknown): SchedulerLike | undefined {
  if (scheduler !== undefined && typeof (scheduler as SchedulerLike)?.step !== "function") throw new Error(`${fn}: scheduler must have step() (StepLR, ReduceLROnPlateau, ...), got ${kind(scheduler)}`);
  return scheduler as SchedulerLike | undefined;
}

export function callbacksOption(fn: string, callbacks: unknown): Callback[] {
  if (callbacks === undefined) return [];
  if (!Array.isArray(callbacks)) throw new Error(`${fn}: callbacks must be an array of callback objects, got ${kind(callbacks)}`);
  callbacks.forEach((c, i) => {
    if (typeof c !== "object" || c === null) throw new Error(`${fn}: callbacks[${i}] must be an object with hooks (onEpochEnd, ...), got ${kind(c)}`);
  });
  return callbacks as Callback[];
}

export function generatorOption(fn: string, generator: unknown): Generator | undefined {
  if (generator !== undefined && !(generator instanceof Generator)) throw new Error(`${fn}: generator must be a Generator, got ${kind(generator)}`);
  return generator;
}

export function fractionOption(fn: string, name: string, value: unknown): number | undefined {
  if (value === undefined || value === 0) return undefined;
  if (typeof value !== "number" || !(value > 0 && value < 1)) throw new Error(`${fn}: ${name} must be a fraction between 0 and 1, got ${kind(value)}`);
  return value;
}

export function functionOption<F>(fn: string, name: string, value: unknown, expected: string): F | undefined {
  if (value !== undefined && typeof value !== "function") throw new Error(`${fn}: ${name} must be a function ${expected}, got ${kind(value)}`);
  return value as F | undefined;
}
