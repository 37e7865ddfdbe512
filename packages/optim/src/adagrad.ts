import { fullLike, type Tensor } from "@tapegrad/autograd";
import { requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link Adagrad} (PyTorch's, camelCased). */
export interface AdagradOptions {
  /** Learning rate (1e-2 by default). */
  lr: number;
  /** The lr at step t is lr / (1 + (t - 1) · lrDecay) (0 by default). */
  lrDecay: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (0 by default). */
  initialAccumulatorValue: number;
  /** Added to the denominator for stability (1e-10 by default). */
  eps: number;
}

type AdagradState = { step: number; sum: Tensor };

/**
 * Adagrad, PyTorch's rule: g += wd·p; clr = lr / (1 + (t-1)·lrDecay); S += g² (S starts at
 * initialAccumulatorValue); p -= clr·g / (sqrt(S) + eps).
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    rejectUnknownKeys("Adagrad", options ?? {}, ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"]);
    super("Adagrad", params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...options }, { foreach: null, maximize: false });
  }

  protected checkOptions(o: AdagradOptions): void {
    for (const key of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const) requireNonNegative("Adagrad", key, o[key]);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: fullLike(p, group.initialAccumulatorValue) };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { step: "number", sum: "tensor" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<AdagradOptions>, s: AdagradState): void {
    const { lr, lrDecay, weightDecay, eps } = group;
    const g = withWeightDecay(grad, p, weightDecay);
    s.step += 1;
    const clr = lr / (1 + (s.step - 1) * lrDecay);
    s.sum.addcmul_(g, g, 1);
    p.addcdiv_(g, s.sum.sqrt().add_(eps), -clr);
  }
}
