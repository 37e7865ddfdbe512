import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireBetas, requireBoolean, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link Adam} and {@link AdamW} (PyTorch's, camelCased). */
export interface AdamOptions {
  /** Learning rate (1e-3 by default). */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square (0.9, 0.999 by default). */
  betas: [number, number];
  /** Added to the denominator for stability (1e-8 by default). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (0 by default); AdamW: decoupled decay, param -= lr · weightDecay · param (0.01 by default). */
  weightDecay: number;
  /** Use the maximum of past squared-gradient averages (AMSGrad). */
  amsgrad: boolean;
}

type AdamState = { step: number; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor };

const KEYS = ["lr", "betas", "eps", "weightDecay", "amsgrad"];

/**
 * Adam, PyTorch's rule: g += wd·p (AdamW instead scales p by 1 - lr·wd first);
 * m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g² (amsgrad: v_max = max(v_max, v) replaces v);
 * p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps).
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /** @internal */
  protected static readonly label: string = "Adam";
  /** @internal */
  protected static readonly defaultWeightDecay: number = 0;
  /** Weight decay applied to the parameter directly (AdamW) instead of added to the gradient. */
  protected static readonly decoupledWeightDecay: boolean = false;
  /** @internal */
  protected static readonly torchOnly: Record<string, boolean | null> = { maximize: false, foreach: null, capturable: false, differentiable: false, fused: false };
  private readonly decoupled: boolean;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    const kind = new.target as typeof Adam;
    rejectUnknownKeys(kind.label, options ?? {}, KEYS);
    super(kind.label, params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: kind.defaultWeightDecay, amsgrad: false, ...options }, kind.torchOnly);
    this.decoupled = kind.decoupledWeightDecay;
  }

  protected checkOptions(o: AdamOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requireBetas(this.name, o.betas);
    requireNonNegative(this.name, "eps", o.eps);
    requireNonNegative(this.name, "weightDecay", o.weightDecay);
    requireBoolean(this.name, "amsgrad", o.amsgrad);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    const s: AdamState = { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
    if (group.amsgrad) s.max_exp_avg_sq = zerosLike(p);
    return s;
  }

  protected stateSpec(group: ParamGroup<AdamOptions>): Record<string, StateKind> {
    return { step: "number", exp_avg: "tensor", exp_avg_sq: "tensor", ...(group.amsgrad ? { max_exp_avg_sq: "tensor" as const } : {}) };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdamOptions>, s: AdamState): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad } = group;
    const g = this.decoupled ? grad : withWeightDecay(grad, p, weightDecay);
    if (this.decoupled) p.mul_(1 - lr * weightDecay);
    s.step += 1;
    s.exp_avg.mul_(beta1).add_(g, 1 - beta1);
    s.exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2);
    const stepSize = lr / (1 - beta1 ** s.step);
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** s.step);
    let second = s.exp_avg_sq;
    if (amsgrad) second = (s.max_exp_avg_sq ??= zerosLike(p)).maximum_(s.exp_avg_sq);
    const denom = second.sqrt().div_(biasCorrection2Sqrt).add_(eps);
    p.addcdiv_(s.exp_avg, denom, -stepSize);
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): p ← p·(1 - lr·wd), then Adam without wd. */
export class AdamW extends Adam {
  /** @internal */
  protected static override readonly label: string = "AdamW";
  /** @internal */
  protected static override readonly defaultWeightDecay: number = 1e-2;
  protected static override readonly decoupledWeightDecay: boolean = true;
  /** @internal */
  protected static override readonly torchOnly: Record<string, boolean | null> = { foreach: null, maximize: false, capturable: false };
}
