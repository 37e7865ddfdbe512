import { minimum, where, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { checkDType, reduce, type Reduction } from "./reduction";

type MarginOptions = { margin?: number; reduction?: Reduction };

/** Labels 1 / -1 as the input's float dtype (an int32 target is accepted). */
const labels = (target: Tensor, input: Tensor) => (target.dtype === "int32" ? target.to(input.dtype) : target);

/**
 * With cos the cosine similarity of x1 and x2 along their last dim: 1 - cos where target = 1,
 * max(0, cos - margin) where target = -1. (N, D) inputs with an (N) target, or (D) with a 0-d one.
 */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
  const op = "cosineEmbeddingLoss";
  if (target.ndim > 1) throw new Error(`${op}: target must be 0-d or 1-d, got shape ${fmt(target.shape)}`);
  if (x1.ndim !== target.ndim + 1 || x2.ndim !== target.ndim + 1) {
    throw new Error(`${op}: a ${target.ndim}-d target needs ${target.ndim + 1}-d inputs, got ${fmt(x1.shape)} and ${fmt(x2.shape)}`);
  }
  if (x1.shape.join() !== x2.shape.join() || (target.ndim === 1 && target.shape[0] !== x1.shape[0])) {
    throw new Error(`${op}: x1 and x2 must have the same shape (N, D) with N the target's length, got ${fmt(x1.shape)}, ${fmt(x2.shape)} and target ${fmt(target.shape)}`);
  }
  checkDType(op, "x2", x2, x1);
  const dim = target.ndim;
  const norms = x1.mul(x1).sum(dim).add(1e-12).mul(x2.mul(x2).sum(dim).add(1e-12)).sqrt();
  const cos = x1.mul(x2).sum(dim).div(norms);
  const y = labels(target, x1);
  const loss = where(y.eq(1), cos.neg().add(1), 0).add(where(y.eq(-1), cos.sub(opts.margin ?? 0).clamp(0), 0));
  return reduce(op, loss, opts.reduction);
}

/** max(0, -target·(x1 - x2) + margin): target 1 wants x1 ranked above x2, -1 below. */
export function marginRankingLoss(x1: Tensor, x2: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
  const op = "marginRankingLoss";
  if (x1.ndim !== x2.ndim || x1.ndim !== target.ndim) {
    throw new Error(`${op}: x1, x2 and target must have the same number of dims, got ${fmt(x1.shape)}, ${fmt(x2.shape)} and ${fmt(target.shape)}`);
  }
  checkDType(op, "x2", x2, x1);
  return reduce(op, labels(target, x1).neg().mul(x1.sub(x2)).add(opts.margin ?? 0).clamp(0), opts.reduction);
}

/** input where target = 1, max(0, margin - input) where target = -1 (input is usually a distance). */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
  const op = "hingeEmbeddingLoss";
  const y = labels(target, input);
  const loss = where(y.ne(1), input.neg().add(opts.margin ?? 1).clamp(0), 0).add(where(y.ne(-1), input, 0));
  return reduce(op, loss, opts.reduction);
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
  opts: { margin?: number; p?: number; eps?: number; swap?: boolean; reduction?: Reduction } = {},
): Tensor {
  const op = "tripletMarginLoss";
  const { margin = 1, p = 2, eps = 1e-6, swap = false } = opts;
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim) {
    throw new Error(`${op}: anchor, positive and negative must have the same number of dims, got ${fmt(anchor.shape)}, ${fmt(positive.shape)} and ${fmt(negative.shape)}`);
  }
  if (!(p > 0)) throw new Error(`${op}: p must be > 0, got ${p}`);
  checkDType(op, "positive", positive, anchor);
  checkDType(op, "negative", negative, anchor);
  let dNeg = distance(anchor, negative, p, eps);
  if (swap) dNeg = minimum(dNeg, distance(positive, negative, p, eps));
  return reduce(op, distance(anchor, positive, p, eps).sub(dNeg).add(margin).clamp(0), opts.reduction);
}
