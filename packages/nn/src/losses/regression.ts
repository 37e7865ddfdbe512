import { where, type Tensor } from "@tapegrad/autograd";
import { lossOptions, nonNegative, numberOption } from "./arguments";
import { checkSameShape, reduce, type Reduction } from "./reduction";

/** Mean squared error; input and target must have the same shape. */
export function mseLoss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor {
  const { reduction } = lossOptions("mseLoss", opts, ["reduction"]);
  checkSameShape("mseLoss", input, target);
  const d = input.sub(target);
  return reduce("mseLoss", d.mul(d), reduction);
}

/** Mean absolute error |input - target|; the gradient at a tie is 0, as PyTorch's. */
export function l1Loss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction }): Tensor {
  const { reduction } = lossOptions("l1Loss", opts, ["reduction"]);
  checkSameShape("l1Loss", input, target);
  return reduce("l1Loss", input.sub(target).abs(), reduction);
}

/** z = |input - target|: 0.5 z²/beta where z < beta, else z - 0.5 beta (beta 0: l1Loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction; beta?: number }): Tensor {
  const op = "smoothL1Loss";
  const o = lossOptions(op, opts, ["reduction", "beta"]);
  const beta = numberOption(op, "beta", o.beta, 1, nonNegative, ">= 0");
  checkSameShape(op, input, target);
  const z = input.sub(target).abs();
  const loss = beta === 0 ? z : where(z.lt(beta), z.mul(z).mul(0.5 / beta), z.sub(0.5 * beta));
  return reduce(op, loss, o.reduction);
}

/** z = |input - target|: 0.5 z² where z < delta, else delta (z - 0.5 delta); smoothL1Loss times delta. */
export function huberLoss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction; delta?: number }): Tensor {
  const op = "huberLoss";
  const o = lossOptions(op, opts, ["reduction", "delta"]);
  const delta = numberOption(op, "delta", o.delta, 1, (v) => v > 0, "> 0");
  checkSameShape(op, input, target);
  const z = input.sub(target).abs();
  return reduce(op, where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta)), o.reduction);
}
