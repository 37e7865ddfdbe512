import { describeValue, isTensor, minimum, where, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { booleanOption, checkBroadcastTogether, checkShapesEqual, checkSigns, finite, floatTensor, lossOptions, numberOption } from "./arguments";
import { reduce, type Reduction } from "./reduction";

type MarginOptions = { margin?: number; reduction?: Reduction };

/** The options of a margin loss and its margin, a finite number. */
function marginOptions(op: string, options: MarginOptions | undefined, fallback: number): { margin: number; reduction?: Reduction } {
  const opts = lossOptions(op, options, ["margin", "reduction"]);
  return { margin: numberOption(op, "margin", opts.margin, fallback, finite, "a finite number"), reduction: opts.reduction };
}

/** Labels 1 / -1 as the input's float dtype (an int32 target is accepted); `signs` checks the values. */
function labels(op: string, target: unknown, input: Tensor, signs = true): Tensor {
  if (!isTensor(target) || (target.dtype !== "int32" && target.dtype !== input.dtype)) {
    throw new Error(`${op}: target must be an int32 or ${input.dtype} tensor of 1 and -1, got ${isTensor(target) ? `${target.dtype} (shape ${fmt(target.shape)})` : describeValue(target)}`);
  }
  if (signs) checkSigns(op, target);
  return target.dtype === "int32" ? target.to(input.dtype) : target;
}

/**
 * With cos the cosine similarity of x1 and x2 along their last dim: 1 - cos where target = 1,
 * max(0, cos - margin) where target = -1. (N, D) inputs with an (N) target, or (D) with a 0-d one.
 */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, target: Tensor, opts?: MarginOptions): Tensor {
  const op = "cosineEmbeddingLoss";
  const { margin, reduction } = marginOptions(op, opts, 0);
  floatTensor(op, "x1", x1);
  floatTensor(op, "x2", x2, x1);
  const y = labels(op, target, x1);
  if (target.ndim > 1) throw new Error(`${op}: target must be 0-d or 1-d, got shape ${fmt(target.shape)}`);
  if (x1.ndim !== target.ndim + 1 || x2.ndim !== target.ndim + 1) {
    throw new Error(`${op}: a ${target.ndim}-d target needs ${target.ndim + 1}-d inputs, got ${fmt(x1.shape)} and ${fmt(x2.shape)}`);
  }
  if (x1.shape.join() !== x2.shape.join() || (target.ndim === 1 && target.shape[0] !== x1.shape[0])) {
    throw new Error(`${op}: x1 and x2 must have the same shape (N, D) with N the target's length, got ${fmt(x1.shape)}, ${fmt(x2.shape)} and target ${fmt(target.shape)}`);
  }
  const dim = target.ndim;
  const norms = x1.mul(x1).sum(dim).add(1e-12).mul(x2.mul(x2).sum(dim).add(1e-12)).sqrt();
  const cos = x1.mul(x2).sum(dim).div(norms);
  const loss = where(y.eq(1), cos.neg().add(1), 0).add(where(y.eq(-1), cos.sub(margin).clamp(0), 0));
  return reduce(op, loss, reduction);
}

/** max(0, -target·(x1 - x2) + margin): target 1 wants x1 ranked above x2, -1 below. */
export function marginRankingLoss(x1: Tensor, x2: Tensor, target: Tensor, opts?: MarginOptions): Tensor {
  const op = "marginRankingLoss";
  const { margin, reduction } = marginOptions(op, opts, 0);
  floatTensor(op, "x1", x1);
  floatTensor(op, "x2", x2, x1);
  // target is a real input here, differentiable as in PyTorch, so any value is allowed
  const y = labels(op, target, x1, false);
  checkBroadcastTogether(op, { x1, x2, target });
  return reduce(op, y.neg().mul(x1.sub(x2)).add(margin).clamp(0), reduction);
}

/** input where target = 1, max(0, margin - input) where target = -1 (input is usually a distance). */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts?: MarginOptions): Tensor {
  const op = "hingeEmbeddingLoss";
  const { margin, reduction } = marginOptions(op, opts, 1);
  floatTensor(op, "input", input);
  const y = labels(op, target, input);
  checkShapesEqual(op, { input, target });
  const loss = where(y.ne(1), input.neg().add(margin).clamp(0), 0).add(where(y.ne(-1), input, 0));
  return reduce(op, loss, reduction);
}

/** ‖a - b + eps‖_p over the last dim (PyTorch's pairwise_distance). */
function distance(a: Tensor, b: Tensor, p: number, eps: number): Tensor {
  const d = a.sub(b).add(eps);
  if (p === 2) return d.mul(d).sum(-1).sqrt();
  if (p === 1) return d.abs().sum(-1);
  if (p === Infinity) return d.abs().amax(-1);
  return d.abs().pow(p).sum(-1).pow(1 / p);
}

/**
 * max(0, margin + d(anchor, positive) - d(anchor, negative)) with d the p-norm distance along the
 * last dim; swap uses min(d(a, n), d(p, n)) as the negative distance.
 */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  options?: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction },
): Tensor {
  const op = "tripletMarginLoss";
  const opts = lossOptions(op, options, ["margin", "p", "eps", "swap", "reduction"]);
  const margin = numberOption(op, "margin", opts.margin, 1, finite, "a finite number");
  const p = numberOption(op, "p", opts.p, 2, (v) => v > 0, "> 0");
  const eps = numberOption(op, "eps", opts.eps, 1e-6, (v) => v >= 0 && Number.isFinite(v), "a finite number >= 0");
  const swap = booleanOption(op, "swap", opts.swap, false);
  floatTensor(op, "anchor", anchor);
  floatTensor(op, "positive", positive, anchor);
  floatTensor(op, "negative", negative, anchor);
  if (anchor.ndim === 0) throw new Error(`${op}: anchor, positive and negative must be (D) or (N, D), got 0-d tensors`);
  checkBroadcastTogether(op, { anchor, positive, negative });
  let dNeg = distance(anchor, negative, p, eps);
  if (swap) dNeg = minimum(dNeg, distance(positive, negative, p, eps));
  return reduce(op, distance(anchor, positive, p, eps).sub(dNeg).add(margin).clamp(0), opts.reduction);
}
