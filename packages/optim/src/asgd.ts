import { zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireNonNegative, requireNumber, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link ASGD} (PyTorch's, camelCased). */
export interface ASGDOptions {
  /** Learning rate (1e-2 by default). */
  lr: number;
  /** Decay term. */
  lambd: number;
  /** Power for the eta update. */
  alpha: number;
  /** The step at which averaging starts. */
  t0: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
}

type ASGDState = { step: number; eta: number; mu: number; ax: Tensor };

/**
 * Averaged SGD (Polyak & Juditsky), PyTorch's rule: g += wd·p; p = p·(1 - λ·η) - η·g;
 * ax += μ·(p - ax) (ax = p while μ = 1); then η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t - t0).
 * The averaged parameters are `opt.state.get(p).ax`.
 */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  constructor(params: Params<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    rejectUnknownKeys("ASGD", options ?? {}, ["lr", "lambd", "alpha", "t0", "weightDecay"]);
    super("ASGD", params, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, ...options }, { foreach: null, maximize: false });
  }

  protected checkOptions(o: ASGDOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requireNonNegative(this.name, "lambd", o.lambd);
    requireNumber(this.name, "alpha", o.alpha);
    requireNumber(this.name, "t0", o.t0);
    requireNonNegative(this.name, "weightDecay", o.weightDecay);
  }

  protected initState(p: Tensor, group: ParamGroup<ASGDOptions>): ASGDState {
    return { step: 0, eta: group.lr, mu: 1, ax: zerosLike(p) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", eta: "number", mu: "number", ax: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<ASGDOptions>, s: ASGDState): void {
    const { lr, lambd, alpha, t0, weightDecay } = group;
    s.step += 1;
    const g = withWeightDecay(grad, p, weightDecay);
    p.mul_(1 - lambd * s.eta);
    p.add_(g, -s.eta);
    if (s.mu !== 1) s.ax.add_(p.sub(s.ax).mul(s.mu));
    else s.ax.copy_(p);
    s.eta = lr / (1 + lambd * lr * s.step) ** alpha;
    s.mu = 1 / Math.max(1, s.step - t0);
  }
}
