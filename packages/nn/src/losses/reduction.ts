import type { Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";

/** How a loss reduces its per-element values: their mean, their sum, or none (the values themselves). */
export type Reduction = "mean" | "sum" | "none";

export function reduce(op: string, loss: Tensor, reduction: Reduction = "mean"): Tensor {
  if (reduction === "none") return loss;
  if (reduction === "sum") return loss.sum();
  if (reduction === "mean") return loss.mean();
  throw new Error(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
}

/** PyTorch warns and broadcasts when target and input shapes differ; here that is an error. */
export function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.shape.join() !== target.shape.join()) {
    throw new Error(`${op}: target shape ${fmt(target.shape)} must equal input shape ${fmt(input.shape)}`);
  }
  if (input.dtype === "int32" || target.dtype !== input.dtype) {
    throw new Error(`${op}: input and target must be float tensors of the same dtype, got ${input.dtype} and ${target.dtype}`);
  }
}

/** An optional tensor argument must be a float tensor of the input's dtype. */
export function checkDType(op: string, name: string, t: Tensor | undefined, input: Tensor): void {
  if (t && t.dtype !== input.dtype) throw new Error(`${op}: ${name} must be ${input.dtype} like the input, got ${t.dtype} (shape ${fmt(t.shape)})`);
}

/** loss · weight, where weight must broadcast to the loss's shape (not grow it). */
export function weighted(op: string, loss: Tensor, weight: Tensor | undefined): Tensor {
  if (!weight) return loss;
  checkDType(op, "weight", weight, loss);
  const lead = loss.ndim - weight.ndim;
  if (lead < 0 || weight.shape.some((d, i) => d !== 1 && d !== loss.shape[lead + i])) {
    throw new Error(`${op}: weight of shape ${fmt(weight.shape)} must broadcast to the input shape ${fmt(loss.shape)}`);
  }
  return loss.mul(weight);
}

/** Throws unless every element of t satisfies ok; names the first one that does not. */
export function checkValues(op: string, name: string, t: Tensor, ok: (v: number) => boolean, expected: string): void {
  const data = t.data();
  for (let i = 0; i < data.length; i++) {
    if (!ok(data[i]!)) throw new Error(`${op}: ${name} must be ${expected}, got ${data[i]} at flat index ${i} (shape ${fmt(t.shape)})`);
  }
}
