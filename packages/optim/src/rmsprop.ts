import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireBoolean, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link RMSprop} (PyTorch's, camelCased). */
export interface RMSpropOptions {
  /** Learning rate (1e-2 by default). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (0.99 by default). */
  alpha: number;
  /** Added to the denominator for stability (1e-8 by default). */
  eps: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
  /** Momentum factor (0 by default). */
  momentum: number;
  /** Normalize by the estimated variance of the gradient instead of its second moment. */
  centered: boolean;
}

type RMSpropState = { step: number; square_avg: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor };

/**
 * RMSprop, PyTorch's rule: g += wd·p; s = α·s + (1-α)·g²; centered: a = α·a + (1-α)·g and
 * d = sqrt(s - a²) + eps, else d = sqrt(s) + eps; momentum: buf = momentum·buf + g/d and
 * p -= lr·buf, else p -= lr·g/d.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    rejectUnknownKeys("RMSprop", options ?? {}, ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"]);
    super("RMSprop", params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options }, { foreach: null, maximize: false, differentiable: false });
  }

  protected checkOptions(o: RMSpropOptions): void {
    for (const key of ["lr", "alpha", "eps", "weightDecay", "momentum"] as const) requireNonNegative("RMSprop", key, o[key]);
    requireBoolean("RMSprop", "centered", o.centered);
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const s: RMSpropState = { step: 0, square_avg: zerosLike(p) };
    if (group.momentum > 0) s.momentum_buffer = zerosLike(p);
    if (group.centered) s.grad_avg = zerosLike(p);
    return s;
  }

  protected stateSpec(group: ParamGroup<RMSpropOptions>): Record<string, StateKind> {
    const spec: Record<string, StateKind> = { step: "number", square_avg: "tensor" };
    if (group.momentum > 0) spec.momentum_buffer = "tensor";
    if (group.centered) spec.grad_avg = "tensor";
    return spec;
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<RMSpropOptions>, s: RMSpropState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    const g = withWeightDecay(grad, p, weightDecay);
    s.step += 1;
    s.square_avg.mul_(alpha).addcmul_(g, g, 1 - alpha);
    let avg: Tensor;
    if (centered) {
      const gradAvg = (s.grad_avg ??= zerosLike(p)).mul_(alpha).add_(g, 1 - alpha);
      avg = s.square_avg.clone().addcmul_(gradAvg, gradAvg, -1).sqrt_();
    } else {
      avg = s.square_avg.sqrt();
    }
    avg.add_(eps);
    if (momentum > 0) {
      const buf = (s.momentum_buffer ??= zerosLike(p)).mul_(momentum).addcdiv_(g, avg);
      p.add_(buf, -lr);
    } else {
      p.addcdiv_(g, avg, -lr);
    }
  }
}
