import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireBoolean, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

type RMSpropState = { step: number; squareAvg: Tensor; gradAvg?: Tensor; momentumBuffer?: Tensor };

/**
 * RMSprop, PyTorch's rule: g += wd·p; s = α·s + (1-α)·g²; centered: a = α·a + (1-α)·g and
 * d = sqrt(s - a²) + eps, else d = sqrt(s) + eps; momentum: buf = momentum·buf + g/d and
 * p -= lr·buf, else p -= lr·g/d.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    rejectUnknownKeys("RMSprop", options ?? {}, ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"]);
    super("RMSprop", params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options });
  }

  protected checkOptions(o: RMSpropOptions): void {
    for (const key of ["lr", "alpha", "eps", "weightDecay", "momentum"] as const) requireNonNegative("RMSprop", key, o[key]);
    requireBoolean("RMSprop", "centered", o.centered);
  }

  protected initState(p: Tensor): RMSpropState {
    return { step: 0, squareAvg: zerosLike(p) };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<RMSpropOptions>, s: RMSpropState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    const g = withWeightDecay(grad, p, weightDecay);
    s.step += 1;
    s.squareAvg.mul_(alpha).addcmul_(g, g, 1 - alpha);
    let avg: Tensor;
    if (centered) {
      const gradAvg = (s.gradAvg ??= zerosLike(p)).mul_(alpha).add_(g, 1 - alpha);
      avg = s.squareAvg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_();
    } else {
      avg = s.squareAvg.sqrt();
    }
    avg.add_(eps);
    if (momentum > 0) {
      const buf = (s.momentumBuffer ??= zerosLike(p)).mul_(momentum).addcdiv_(g, avg);
      p.add_(buf, -lr);
    } else {
      p.addcdiv_(g, avg, -lr);
    }
  }
}
