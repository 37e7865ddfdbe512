import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireInRange, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link Adadelta} (PyTorch's, camelCased). */
export interface AdadeltaOptions {
  /** Scales the update (1 by default). */
  lr: number;
  /** Decay rate of the running averages (0.9 by default). */
  rho: number;
  /** Added inside the square roots for stability (1e-6 by default). */
  eps: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
}

type AdadeltaState = { step: number; square_avg: Tensor; acc_delta: Tensor };

/**
 * Adadelta (Zeiler), PyTorch's rule: g += wd·p; v = ρ·v + (1-ρ)·g²;
 * Δ = sqrt(u + eps)/sqrt(v + eps)·g; u = ρ·u + (1-ρ)·Δ²; p -= lr·Δ.
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    rejectUnknownKeys("Adadelta", options ?? {}, ["lr", "rho", "eps", "weightDecay"]);
    super("Adadelta", params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, ...options }, { maximize: false, foreach: null });
  }

  protected checkOptions(o: AdadeltaOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requireInRange(this.name, "rho", o.rho, 0, 1, true);
    requireNonNegative(this.name, "eps", o.eps);
    requireNonNegative(this.name, "weightDecay", o.weightDecay);
  }

  protected initState(p: Tensor): AdadeltaState {
    return { step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", square_avg: "tensor", acc_delta: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdadeltaOptions>, s: AdadeltaState): void {
    const { lr, rho, eps, weightDecay } = group;
    s.step += 1;
    const g = withWeightDecay(grad, p, weightDecay);
    s.square_avg.mul_(rho).addcmul_(g, g, 1 - rho);
    const std = s.square_avg.add(eps).sqrt_();
    const delta = s.acc_delta.add(eps).sqrt_().div_(std).mul_(g);
    s.acc_delta.mul_(rho).addcmul_(delta, delta, 1 - rho);
    p.add_(delta, -lr);
  }
}
