import { isTensor, noGrad, type Tensor } from "@tapegrad/autograd";
import type { DataLoader } from "../data/loader";
import { fmt } from "../format";
import type { Module } from "../module";
import { batchSizes, inputAndTarget } from "./data";
import type { Logs, LossFn, Metric } from "./types";

/** Picks the prediction from what forward returned (see FitOptions.output). */
export type OutputSelector = (out: unknown) => Tensor;

/** forward(input) and the prediction in it: a tensor, the first tensor of a tuple, or what `select` picks. */
export function forwardBatch(fn: string, model: Module, input: unknown, select: OutputSelector | undefined): Tensor {
  const out = model.forward(input as never);
  const picked = select ? select(out) : Array.isArray(out) ? out[0] : out;
  if (!isTensor(picked)) {
    const got = Array.isArray(out) ? `an array whose first element is ${typeof out[0]}` : typeof out;
    throw new Error(`${fn}: the model returned ${select ? "something from which output picked" : ""}${got}, not a tensor; pass output: (out) => prediction to pick it`);
  }
  return picked;
}

/** The loss of a batch, checked to be a one-element tensor. */
export function batchLoss(fn: string, loss: LossFn, output: Tensor, target: Tensor): Tensor {
  const value = loss(output, target);
  if (!isTensor(value) || value.numel !== 1) {
    throw new Error(`${fn}: loss must return a one-element tensor, got ${isTensor(value) ? `shape ${fmt(value.shape)}` : typeof value}`);
  }
  return value;
}

/** Runs fn with every module of model in training mode `training`, then puts each module's own mode back. */
export function withMode<T>(model: Module, training: boolean, fn: () => T): T {
  const modes = model.modules().map((m): [Module, boolean] => [m, m.training]);
  model.train(training);
  try {
    return fn();
  } finally {
    for (const [m, mode] of modes) m.training = mode;
  }
}

/** Sums of sample-weighted batch losses, and metrics, turned into logs. */
export class Running {
  private total = 0;
  private samples = 0;

  constructor(readonly metrics: Record<string, Metric>) {
    for (const m of Object.values(metrics)) m.reset();
  }

  add(loss: number, samples: number, output: Tensor, target: Tensor): void {
    this.total += loss * samples;
    this.samples += samples;
    noGrad(() => {
      for (const m of Object.values(this.metrics)) m.update(output.detach(), target);
    });
  }

  logs(prefix = ""): Logs {
    const out: Logs = { [`${prefix}loss`]: this.total / this.samples };
    for (const [name, m] of Object.entries(this.metrics)) out[`${prefix}${name}`] = m.compute();
    return out;
  }
}

/** One pass in eval mode under noGrad: the sample-weighted mean loss and the metrics, names prefixed. */
export function evaluatePass(fn: string, model: Module, loader: DataLoader<unknown, unknown>, loss: LossFn, metrics: Record<string, Metric>, select: OutputSelector | undefined, prefix = ""): Logs {
  const sizes = batchSizes(loader);
  if (sizes.length === 0) throw new Error(`${fn}: the ${prefix ? "validation " : ""}data has no batches`);
  return withMode(model, false, () =>
    noGrad(() => {
      const running = new Running(metrics);
      let b = 0;
      for (const batch of loader) {
        const [input, target] = inputAndTarget(fn, batch);
        const output = forwardBatch(fn, model, input, select);
        running.add(batchLoss(fn, loss, output, target).item(), sizes[b++]!, output, target);
      }
      return running.logs(prefix);
    }),
  );
}
