import { where, type Tensor } from "@tapegrad/autograd";
import { checkSameShape, reduce, type Reduction } from "./reduction";

/** Mean squared error; input and target must have the same shape. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape("mseLoss", input, target);
  const d = input.sub(target);
  return reduce("mseLoss", d.mul(d), opts.reduction);
}

/** Mean absolute error |input - target|; the gradient at a tie is 0, as PyTorch's. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSameShape("l1Loss", input, target);
  return reduce("l1Loss", input.sub(target).abs(), opts.reduction);
}

/** z = |input - target|: 0.5 z²/beta where z < beta, else z - 0.5 beta (beta 0: l1Loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`smoothL1Loss: beta must be >= 0, got ${beta}`);
  checkSameShape("smoothL1Loss", input, target);
  const z = input.sub(target).abs();
  const loss = beta === 0 ? z : where(z.lt(beta), z.mul(z).mul(0.5 / beta), z.sub(0.5 * beta));
  return reduce("smoothL1Loss", loss, opts.reduction);
}

/** z = |input - target|: 0.5 z² where z < delta, else delta (z - 0.5 delta); smoothL1Loss times delta. */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be > 0, got ${delta}`);
  checkSameShape("huberLoss", input, target);
  const z = input.sub(target).abs();
  return reduce("huberLoss", where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta)), opts.reduction);
}
