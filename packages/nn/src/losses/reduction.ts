import type { Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { floatTensor } from "./arguments";

/** How a loss reduces its per-element values: their mean, their sum, or none (the values themselves). */
export type Reduction = "mean" | "sum" | "none";

/**
 * The loss reduced as asked (a reduction already checked by lossOptions). The mean of no elements
 * (an empty batch) is an error here, where PyTorch returns NaN.
 */
export function reduce(op: string, loss: Tensor, reduction: Reduction = "mean"): Tensor {
  if (reduction === "none") return loss;
  if (reduction === "sum") return loss.sum();
  checkNotEmpty(op, loss);
  return loss.mean();
}

export function checkNotEmpty(op: string, loss: Tensor, what = "mean"): void {
  if (loss.numel === 0) throw new Error(`${op}: the ${what} of an empty loss (shape ${fmt(loss.shape)}, an empty batch) is undefined; use reduction "sum" or "none"`);
}

/**
 * input and target: float tensors of one dtype and the same shape. PyTorch warns and broadcasts
 * when the shapes differ; here that is an error.
 */
export function checkSameShape(op: string, input: unknown, target: unknown): void {
  const x = floatTensor(op, "input", input);
  const t = floatTensor(op, "target", target, x);
  if (x.shape.join() !== t.shape.join()) {
    throw new Error(`${op}: target shape ${fmt(t.shape)} must equal input shape ${fmt(x.shape)}`);
  }
}

/** An optional tensor argument must be a float tensor of the input's dtype. */
export function checkDType(op: string, name: string, t: unknown, input: Tensor): void {
  if (t !== undefined) floatTensor(op, name, t, input);
}

/** loss · weight, where weight must broadcast to the loss's shape (not grow it). */
export function weighted(op: string, loss: Tensor, weight: Tensor | undefined): Tensor {
  if (weight === undefined) return loss;
  checkDType(op, "weight", weight, loss);
  checkBroadcastsTo(op, "weight", weight, loss.shape);
  return loss.mul(weight);
}

/** Throws unless t broadcasts to `shape` without growing it. */
export function checkBroadcastsTo(op: string, name: string, t: Tensor, shape: readonly number[], target = "the input shape"): void {
  const lead = shape.length - t.ndim;
  if (lead < 0 || t.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
    throw new Error(`${op}: ${name} of shape ${fmt(t.shape)} must broadcast to ${target} ${fmt(shape)}`);
  }
}
