import { checkInt, describeValue, isTensor, tensor, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { floatTensor, lossOptions, numberOption } from "./arguments";
import { checkNotEmpty, reduce, type Reduction } from "./reduction";

/** Options of {@link nllLoss}. */
export interface NllOptions {
  /** A weight per class (C). */
  weight?: Tensor;
  /** "mean" (default; weighted by the targets' class weights), "sum" or "none". */
  reduction?: Reduction;
  /** A target value whose positions add nothing (and no gradient). */
  ignoreIndex?: number;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the targets with the uniform distribution: (1 - s)·target + s / C (0 by default). */
  labelSmoothing?: number;
}

/**
 * Puts the class dim last and flattens: (C) | (N, C) | (N, C, d1, ...) scores with (), (N) or
 * (N, d1, ...) int32 targets become (M, C) and (M); also returns the shape of per-sample losses.
 */
function flattenClasses(op: string, input: Tensor, target: Tensor): { scores: Tensor; classes: Int32Array; outShape: number[]; C: number } {
  floatTensor(op, "input", input);
  if (!isTensor(target) || target.dtype !== "int32") {
    throw new Error(`${op}: target must hold int32 class indices, got ${isTensor(target) ? `${target.dtype} (shape ${fmt(target.shape)})` : describeValue(target)}`);
  }
  if (input.ndim === 0) throw new Error(`${op}: input must have a class dim, got a 0-d tensor`);
  const C = input.ndim === 1 ? input.shape[0]! : input.shape[1]!;
  const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (target.shape.join() !== expected.join() || (input.ndim === 1 && target.ndim !== 0)) {
    throw new Error(`${op}: input of shape ${fmt(input.shape)} needs a target of shape ${fmt(expected)} (class dim 1 removed), got ${fmt(target.shape)}`);
  }
  let scores = input.ndim === 1 ? input.unsqueeze(0) : input;
  if (scores.ndim > 2) scores = scores.permute([0, ...scores.shape.slice(2).map((_, i) => i + 2), 1]).reshape([-1, C]);
  return { scores, classes: target.data() as Int32Array, outShape: expected, C };
}

/**
 * The shared core of nllLoss and crossEntropy: per-sample -w[t]·logp[t], its reduction, and the
 * weights that a mean divides by. Ignored samples have weight 0.
 */
function negativeLogLikelihood(op: string, logp: Tensor, classes: Int32Array, C: number, opts: NllOptions) {
  const ignoreIndex = opts.ignoreIndex === undefined ? -100 : checkInt(op, "ignoreIndex", opts.ignoreIndex);
  const safe = new Int32Array(classes.length);
  const valid = new Float64Array(classes.length);
  classes.forEach((t, i) => {
    if (t === ignoreIndex) return;
    if (!(t >= 0 && t < C)) throw new Error(`${op}: target ${t} at position ${i} is out of range for ${C} classes (ignoreIndex ${ignoreIndex})`);
    safe[i] = t;
    valid[i] = 1;
  });
  const { weight } = opts;
  if (weight !== undefined && (!isTensor(weight) || weight.ndim !== 1 || weight.shape[0] !== C || weight.dtype !== logp.dtype)) {
    throw new Error(`${op}: weight must be a ${logp.dtype} tensor of shape [${C}] (one per class), got ${isTensor(weight) ? `${weight.dtype} ${fmt(weight.shape)}` : describeValue(weight)}`);
  }
  const index = tensor(safe);
  const validMask = tensor(valid, { dtype: logp.dtype });
  const w = weight ? weight.indexSelect(0, index).mul(validMask) : validMask;
  const picked = logp.gather(1, index.reshape([-1, 1])).reshape([-1]);
  return { perSample: picked.mul(w).neg(), w, validMask };
}

function reduceWeighted(op: string, perSample: Tensor, w: Tensor, outShape: number[], reduction: Reduction = "mean"): Tensor {
  if (reduction === "mean") {
    checkNotEmpty(op, perSample);
    const total = w.sum();
    if (total.item() === 0) {
      throw new Error(`${op}: the mean is over zero weight (every target is ignoreIndex or has class weight 0); use reduction "sum" or "none"`);
    }
    return perSample.sum().div(total);
  }
  return reduce(op, perSample, reduction).reshape(reduction === "none" ? outShape : []);
}

/** Negative log-likelihood of class indices, given log-probabilities (N, C, d1, ...). */
export function nllLoss(logProbs: Tensor, target: Tensor, options?: NllOptions): Tensor {
  const opts = lossOptions("nllLoss", options, ["weight", "reduction", "ignoreIndex"]);
  const { scores, classes, outShape, C } = flattenClasses("nllLoss", logProbs, target);
  const { perSample, w } = negativeLogLikelihood("nllLoss", scores, classes, C, opts);
  return reduceWeighted("nllLoss", perSample, w, outShape, opts.reduction);
}

/**
 * logSoftmax over the class dim (1, or 0 for a 1-d input) then nllLoss; with labelSmoothing ε
 * the target is mixed with the uniform distribution as in PyTorch:
 * (1-ε)·nll + ε/C·Σ_c -w_c logp_c, the second term reduced with the same denominator.
 */
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const opts = lossOptions("crossEntropy", options, ["weight", "reduction", "ignoreIndex", "labelSmoothing"]);
  const eps = numberOption("crossEntropy", "labelSmoothing", opts.labelSmoothing, 0, (v) => v >= 0 && v <= 1, "in [0, 1]");
  const { scores, classes, outShape, C } = flattenClasses("crossEntropy", input, target);
  const logp = scores.logSoftmax(1);
  const { perSample, w, validMask } = negativeLogLikelihood("crossEntropy", logp, classes, C, opts);
  const nll = reduceWeighted("crossEntropy", perSample, w, outShape, opts.reduction);
  if (eps === 0) return nll;
  const spread = (opts.weight ? logp.mul(opts.weight) : logp).sum(1).neg().mul(validMask);
  const smooth = reduceWeighted("crossEntropy", spread, w, outShape, opts.reduction);
  return nll.mul(1 - eps).add(smooth.mul(eps / C));
}
