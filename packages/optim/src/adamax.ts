import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireBetas, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link Adamax} (PyTorch's, camelCased). */
export interface AdamaxOptions {
  /** Learning rate (2e-3 by default). */
  lr: number;
  /** Decay rates of the gradient average and of the infinity norm (0.9, 0.999 by default). */
  betas: [number, number];
  /** Added to the denominator for stability (1e-8 by default). */
  eps: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
}

type AdamaxState = { step: number; exp_avg: Tensor; exp_inf: Tensor };

/**
 * Adamax, Adam with the infinity norm, PyTorch's rule: g += wd·p; m = β1·m + (1-β1)·g;
 * u = max(β2·u, |g| + eps); p -= lr/(1-β1^t) · m/u.
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    rejectUnknownKeys("Adamax", options ?? {}, ["lr", "betas", "eps", "weightDecay"]);
    super("Adamax", params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...options }, { foreach: null, maximize: false });
  }

  protected checkOptions(o: AdamaxOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requireBetas(this.name, o.betas);
    requireNonNegative(this.name, "eps", o.eps);
    requireNonNegative(this.name, "weightDecay", o.weightDecay);
  }

  protected initState(p: Tensor): AdamaxState {
    return { step: 0, exp_avg: zerosLike(p), exp_inf: zerosLike(p) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", exp_avg: "tensor", exp_inf: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdamaxOptions>, s: AdamaxState): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay } = group;
    s.step += 1;
    const g = withWeightDecay(grad, p, weightDecay);
    s.exp_avg.mul_(beta1).add_(g, 1 - beta1);
    s.exp_inf.mul_(beta2).maximum_(g.abs().add_(eps));
    p.addcdiv_(s.exp_avg, s.exp_inf, -lr / (1 - beta1 ** s.step));
  }
}
