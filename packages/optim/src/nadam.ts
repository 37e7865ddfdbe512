import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireBetas, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link NAdam} (PyTorch's, camelCased). */
export interface NAdamOptions {
  /** Learning rate (2e-3 by default). */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square (0.9, 0.999 by default). */
  betas: [number, number];
  /** Added to the denominator for stability (1e-8 by default). */
  eps: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
  /** Momentum decay ψ of the momentum schedule (4e-3 by default). */
  momentumDecay: number;
}

type NAdamState = { step: number; mu_product: number; exp_avg: Tensor; exp_avg_sq: Tensor };

const KEYS = ["lr", "betas", "eps", "weightDecay", "momentumDecay"];

/**
 * Adam with Nesterov momentum (Dozat), PyTorch 1.13's rule: g += wd·p;
 * μ_t = β1·(1 - 0.96^(t·ψ)/2) with ψ = momentumDecay; Π_t = Π_{t-1}·μ_t;
 * m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; d = sqrt(v/(1-β2^t)) + eps;
 * p -= lr·(1-μ_t)/(1-Π_t)·g/d + lr·μ_{t+1}/(1-Π_t·μ_t·μ_{t+1})·m/d (μ_t twice, as PyTorch 1.13 has it).
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    rejectUnknownKeys("NAdam", options ?? {}, KEYS);
    super("NAdam", params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, ...options }, { foreach: null });
  }

  protected checkOptions(o: NAdamOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requireBetas(this.name, o.betas);
    for (const key of ["eps", "weightDecay", "momentumDecay"] as const) requireNonNegative(this.name, key, o[key]);
  }

  protected initState(p: Tensor): NAdamState {
    return { step: 0, mu_product: 1, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", mu_product: "number", exp_avg: "tensor", exp_avg_sq: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<NAdamOptions>, s: NAdamState): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, momentumDecay } = group;
    s.step += 1;
    const biasCorrection2 = 1 - beta2 ** s.step;
    const g = withWeightDecay(grad, p, weightDecay);
    const mu = beta1 * (1 - 0.5 * 0.96 ** (s.step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((s.step + 1) * momentumDecay));
    s.mu_product *= mu;
    const muProductNext = s.mu_product * mu * muNext;
    s.exp_avg.mul_(beta1).add_(g, 1 - beta1);
    s.exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2);
    const denom = s.exp_avg_sq.div(biasCorrection2).sqrt_().add_(eps);
    p.addcdiv_(g, denom, (-lr * (1 - mu)) / (1 - s.mu_product));
    p.addcdiv_(s.exp_avg, denom, (-lr * muNext) / (1 - muProductNext));
  }
}
