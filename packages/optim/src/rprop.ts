import { fullLike, where, zerosLike, type Tensor } from "@tapegrad/autograd";
import { requireNonNegative, requirePair, rejectUnknownKeys } from "./options";
import { Optimizer, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link Rprop} (PyTorch's, camelCased). */
export interface RpropOptions {
  /** Initial step size (1e-2 by default). */
  lr: number;
  /** `[etaminus, etaplus]`: step-size factors when the gradient's sign flips or holds; 0 < etaminus < 1 < etaplus. */
  etas: [number, number];
  /** `[min, max]` step size. */
  stepSizes: [number, number];
}

type RpropState = { step: number; prev: Tensor; step_size: Tensor };

/**
 * Resilient backpropagation, PyTorch's rule per element: s = sign(g·g_prev); the step size
 * (starting at lr) is multiplied by etaplus where s > 0 and by etaminus where s < 0, then
 * clamped to stepSizes; where s < 0 the gradient counts as 0; p -= sign(g)·step size; g_prev = g.
 */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  constructor(params: Params<RpropOptions>, options: Partial<RpropOptions> = {}) {
    rejectUnknownKeys("Rprop", options ?? {}, ["lr", "etas", "stepSizes"]);
    super("Rprop", params, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], ...options }, { foreach: null, maximize: false });
  }

  protected checkOptions(o: RpropOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    const [minus, plus] = requirePair(this.name, "etas", o.etas);
    if (!(minus > 0 && minus < 1 && plus > 1)) throw new Error(`${this.name}: etas must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus, got [${minus}, ${plus}]`);
    const [lo, hi] = requirePair(this.name, "stepSizes", o.stepSizes);
    if (!(lo >= 0 && lo <= hi)) throw new Error(`${this.name}: stepSizes must be [min, max] with 0 <= min <= max, got [${lo}, ${hi}]`);
  }

  protected initState(p: Tensor, group: ParamGroup<RpropOptions>): RpropState {
    return { step: 0, prev: zerosLike(p), step_size: fullLike(p, group.lr) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", prev: "tensor", step_size: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<RpropOptions>, s: RpropState): void {
    const { etas: [etaminus, etaplus], stepSizes: [lo, hi] } = group;
    s.step += 1;
    const sign = grad.mul(s.prev).sign();
    const flipped = sign.lt(0);
    const factor = where(sign.gt(0), fullLike(p, etaplus), where(flipped, fullLike(p, etaminus), fullLike(p, 1)));
    s.step_size.mul_(factor).clamp_(lo, hi);
    const g = where(flipped, zerosLike(grad), grad);
    p.addcmul_(g.sign(), s.step_size, -1);
    s.prev.copy_(g);
  }
}
