import { where, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { checkValues, floatTensor, lossOptions } from "./arguments";
import { checkBroadcastsTo, checkSameShape, reduce, weighted, type Reduction } from "./reduction";

const inUnitInterval = (v: number) => v >= 0 && v <= 1;

/**
 * softplus(-x) = log(1 + e^-x), as log(1 + e^-x) where x ≥ 0 and log(1 + e^x) - x where x < 0.
 * Each branch sees only the inputs it is chosen for (0 elsewhere), so neither overflows and the
 * gradient, σ(x) - 1, is right at ±∞ too.
 */
function softplusNeg(x: Tensor): Tensor {
  const positive = x.ge(0);
  const xp = where(positive, x, 0);
  const xn = where(positive, 0, x);
  return where(positive, xp.neg().exp().add(1).log(), xn.exp().add(1).log().sub(xn));
}

/**
 * -[posWeight·t·log σ(x) + (1-t)·log(1-σ(x))]·weight, computed as
 * (1-t)·x + (1+(posWeight-1)·t)·softplus(-x).
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options?: { weight?: Tensor; posWeight?: Tensor; reduction?: Reduction },
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  const opts = lossOptions(op, options, ["weight", "posWeight", "reduction"]);
  checkSameShape(op, input, target);
  for (const [name, t] of [["weight", opts.weight], ["posWeight", opts.posWeight]] as const) {
    if (t !== undefined) checkBroadcastsTo(op, name, floatTensor(op, name, t, input), input.shape);
  }
  checkValues(op, "target", target, inUnitInterval, "a probability in [0, 1]");
  const spNeg = softplusNeg(input);
  const logWeight = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(spNeg) : spNeg);
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(op, loss, opts.reduction);
}

const LOG_FLOOR = Math.exp(-100);

/**
 * -[t·log x + (1-t)·log(1-x)]·weight on probabilities x in [0, 1]; each log is clamped at -100 as
 * in PyTorch (by clamping its argument, so the gradient stays finite at x = 0 or 1).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options?: { weight?: Tensor; reduction?: Reduction }): Tensor {
  const op = "binaryCrossEntropy";
  const opts = lossOptions(op, options, ["weight", "reduction"]);
  checkSameShape(op, input, target);
  checkValues(op, "input", input, inUnitInterval, "a probability in [0, 1]");
  checkValues(op, "target", target, inUnitInterval, "a probability in [0, 1]");
  const logOf = (p: Tensor) => p.clamp(LOG_FLOOR).log();
  const loss = target.mul(logOf(input)).add(target.neg().add(1).mul(logOf(input.neg().add(1)))).neg();
  return reduce(op, weighted(op, loss, opts.weight), opts.reduction);
}

/**
 * -[t·log σ(x) + (1-t)·log σ(-x)]·weight averaged over the class dim (the last), one loss per
 * sample; computed as softplus(-x) + (1-t)·x.
 */
export function multiLabelSoftMarginLoss(input: Tensor, target: Tensor, options?: { weight?: Tensor; reduction?: Reduction }): Tensor {
  const op = "multiLabelSoftMarginLoss";
  const opts = lossOptions(op, options, ["weight", "reduction"]);
  checkSameShape(op, input, target);
  checkValues(op, "target", target, inUnitInterval, "0 or 1 (or a probability in [0, 1])");
  if (input.ndim === 0 || input.shape.at(-1) === 0) throw new Error(`${op}: input must have a class dim with at least one class, (C) or (N, C), got shape ${fmt(input.shape)}`);
  const loss = weighted(op, softplusNeg(input).add(target.neg().add(1).mul(input)), opts.weight);
  return reduce(op, loss.mean(-1), opts.reduction);
}
