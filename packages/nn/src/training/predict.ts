import { cat, noGrad, type Tensor } from "@tapegrad/autograd";
import type { Module } from "../module";
import { rejectUnknownKeys } from "../unknown-keys";
import { inputOf, loaderOf } from "./data";
import { count, functionOption } from "./options";
import { forwardBatch, withMode, type OutputSelector } from "./run";
import type { PredictData } from "./types";

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Default 32; a DataLoader brings its own. */
  batchSize?: number;
  /** Picks the prediction from what forward returns (default: a tensor itself, or the first element of a tuple). */
  output?: OutputSelector;
}

/**
 * The model's predictions for every sample, in order, in eval mode under noGrad: the batches'
 * outputs concatenated along dim 0. Each batch's input is the batch itself when it is a tensor,
 * else its first element (so `[x, y]` batches work too).
 */
export function predict(model: Module, data: PredictData, opts: PredictOptions = {}): Tensor {
  const fn = "predict";
  rejectUnknownKeys(fn, opts, ["batchSize", "output"]);
  const batchSize = opts.batchSize === undefined ? undefined : count(fn, "batchSize", opts.batchSize, 32);
  const select = functionOption<OutputSelector>(fn, "output", opts.output, "(modelOutput) => Tensor");
  const loader = loaderOf(fn, "data", data, { batchSize }, true);
  return withMode(model, false, () =>
    noGrad(() => {
      const outputs = [...loader].map((batch) => forwardBatch(fn, model, inputOf(batch), select));
      if (outputs.length === 0) throw new Error("predict: the data has no batches");
      return outputs.length === 1 ? outputs[0]! : cat(outputs, 0);
    }),
  );
}
