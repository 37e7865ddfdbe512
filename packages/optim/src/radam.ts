import { fullLike, zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireBetas, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link RAdam} (PyTorch's, camelCased). */
export interface RAdamOptions {
  /** Learning rate (1e-3 by default). */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square (0.9, 0.999 by default). */
  betas: [number, number];
  /** Added to the denominator for stability (1e-8 by default). */
  eps: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
}

type RAdamState = { step: number; exp_avg: Tensor; exp_avg_sq: Tensor };

/**
 * Rectified Adam (Liu et al.), PyTorch 1.13's rule: g += wd·p; m, v as in Adam;
 * ρ∞ = 2/(1-β2) - 1, ρ_t = ρ∞ - 2t·β2^t/(1-β2^t); m̂ = m/(1-β1^t);
 * if ρ_t > 5: p -= lr·m̂·r_t·sqrt(1-β2^t)/(sqrt(v) + eps) with
 * r_t = sqrt((ρ_t-4)(ρ_t-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ_t)), else p -= lr·m̂.
 */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    rejectUnknownKeys("RAdam", options ?? {}, ["lr", "betas", "eps", "weightDecay"]);
    super("RAdam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...options }, { foreach: null });
  }

  protected checkOptions(o: RAdamOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requireBetas(this.name, o.betas);
    requireNonNegative(this.name, "eps", o.eps);
    requireNonNegative(this.name, "weightDecay", o.weightDecay);
  }

  protected initState(p: Tensor): RAdamState {
    return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", exp_avg: "tensor", exp_avg_sq: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<RAdamOptions>, s: RAdamState): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay } = group;
    s.step += 1;
    const t = s.step;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2 = 1 - beta2 ** t;
    const g = withWeightDecay(grad, p, weightDecay);
    s.exp_avg.mul_(beta1).add_(g, 1 - beta1);
    s.exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2);
    const corrected = s.exp_avg.div(biasCorrection1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptiveLr = fullLike(p, Math.sqrt(biasCorrection2)).div_(s.exp_avg_sq.sqrt().add_(eps));
      p.add_(corrected.mul(lr).mul(adaptiveLr).mul(rect), -1);
    } else {
      p.add_(corrected.mul(lr), -1);
    }
  }
}
