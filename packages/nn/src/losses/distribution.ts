import { broadcastShapes, where, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { booleanOption, checkShapesEqual, checkValues, floatTensor, lossOptions, numberOption } from "./arguments";
import { checkNotEmpty, reduce, type Reduction } from "./reduction";

/** log(y)·x, 0 where x = 0 (PyTorch's xlogy), with no NaN in the gradient there. */
function xlogy(x: Tensor, y: Tensor): Tensor {
  return x.mul(where(x.eq(0), 1, y).log());
}

/**
 * Pointwise KL divergence target·(log target - input) with input given as log-probabilities
 * (target too with logTarget). "batchmean" divides the sum by the batch size (dim 0), which is
 * the true KL divergence; "mean" divides by the number of elements.
 */
export function klDiv(input: Tensor, target: Tensor, options?: { reduction?: Reduction | "batchmean"; logTarget?: boolean }): Tensor {
  const op = "klDiv";
  const opts = lossOptions(op, options, ["reduction", "logTarget"], ["batchmean"]);
  const logTarget = booleanOption(op, "logTarget", opts.logTarget, false);
  floatTensor(op, "input", input);
  floatTensor(op, "target", target, input);
  broadcastShapes(`${op}: input and target`, input.shape, target.shape);
  const loss = logTarget ? target.exp().mul(target.sub(input)) : xlogy(target, target).sub(target.mul(input));
  if (opts.reduction !== "batchmean") return reduce(op, loss, opts.reduction);
  if (input.ndim > 0) checkNotEmpty(op, loss, '"batchmean"');
  return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
}

/**
 * 0.5·(log var + (input - target)²/var) (+ 0.5·log 2π with full). var has the input's shape, or
 * one fewer dim, or a last dim of 1 (one variance per row); it is clamped at eps for the value
 * only, as PyTorch does under no_grad, so its gradient is not cut off.
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, options?: { full?: boolean; eps?: number; reduction?: Reduction }): Tensor {
  const op = "gaussianNllLoss";
  const opts = lossOptions(op, options, ["full", "eps", "reduction"]);
  const full = booleanOption(op, "full", opts.full, false);
  const eps = numberOption(op, "eps", opts.eps, 1e-6, (v) => v >= 0 && Number.isFinite(v), "a finite number >= 0");
  floatTensor(op, "input", input);
  floatTensor(op, "target", target, input);
  floatTensor(op, "var", variance, input);
  checkShapesEqual(op, { input, target });
  const lead = input.shape.slice(0, -1).join();
  let v = variance;
  if (variance.shape.join() !== input.shape.join()) {
    if (variance.shape.join() === lead && variance.ndim === input.ndim - 1) v = variance.unsqueeze(-1);
    else if (!(variance.ndim === input.ndim && variance.shape.slice(0, -1).join() === lead && variance.shape.at(-1) === 1)) {
      throw new Error(`${op}: var of shape ${fmt(variance.shape)} must have the input's shape ${fmt(input.shape)}, or it without the last dim, or with a last dim of 1`);
    }
  }
  checkValues(op, "var", variance, (x) => x >= 0, "non-negative");
  const clamped = v.add(v.clamp(eps).sub(v).detach());
  const d = input.sub(target);
  let loss = clamped.log().add(d.mul(d).div(clamped)).mul(0.5);
  if (full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return reduce(op, loss, opts.reduction);
}

/**
 * Poisson negative log-likelihood: exp(input) - target·input with logInput (the default), else
 * input - target·log(input + eps); full adds Stirling's target·log target - target + 0.5·log(2π target)
 * where target > 1.
 */
export function poissonNllLoss(input: Tensor, target: Tensor, options?: { logInput?: boolean; full?: boolean; eps?: number; reduction?: Reduction }): Tensor {
  const op = "poissonNllLoss";
  const opts = lossOptions(op, options, ["logInput", "full", "eps", "reduction"]);
  const logInput = booleanOption(op, "logInput", opts.logInput, true);
  const full = booleanOption(op, "full", opts.full, false);
  const eps = numberOption(op, "eps", opts.eps, 1e-8, (v) => v >= 0 && Number.isFinite(v), "a finite number >= 0");
  floatTensor(op, "input", input);
  floatTensor(op, "target", target, input);
  checkShapesEqual(op, { input, target });
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    const big = target.gt(1);
    const t = where(big, target, 2);
    const stirling = t.mul(t.log()).sub(t).add(t.mul(2 * Math.PI).log().mul(0.5));
    loss = loss.add(where(big, stirling, 0));
  }
  return reduce(op, loss, opts.reduction);
}
