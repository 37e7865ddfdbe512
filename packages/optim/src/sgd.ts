import type { Tensor } from "@tapegrad/autograd";
import { requireBoolean, requireNonNegative, rejectUnknownKeys } from "./options";
import { Optimizer, withWeightDecay, type ParamGroup, type Params } from "./optimizer";
import type { StateKind } from "./state-dict";

/** Options of {@link SGD} (PyTorch's, camelCased). */
export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor (0 by default: plain SGD). */
  momentum: number;
  /** Dampening of the momentum: buf = momentum · buf + (1 - dampening) · g (0 by default). */
  dampening: number;
  /** L2 penalty: weightDecay · param is added to the gradient (0 by default). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
}

type SGDState = { momentum_buffer: Tensor | null };

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, PyTorch's rule:
 * g += wd·p; buf = g at the first step, then buf = momentum·buf + (1 - dampening)·g;
 * g = nesterov ? g + momentum·buf : buf; p -= lr·g.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    rejectUnknownKeys("SGD", options ?? {}, ["lr", "momentum", "dampening", "weightDecay", "nesterov"]);
    super("SGD", params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options }, { maximize: false, foreach: null, differentiable: false });
  }

  protected checkOptions(o: SGDOptions): void {
    if (o.lr === undefined) throw new Error("SGD: lr is required (give it in the options or in every parameter group)");
    requireNonNegative("SGD", "lr", o.lr);
    requireNonNegative("SGD", "momentum", o.momentum);
    requireNonNegative("SGD", "dampening", o.dampening);
    requireNonNegative("SGD", "weightDecay", o.weightDecay);
    if (requireBoolean("SGD", "nesterov", o.nesterov) && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening = 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
  }

  protected initState(): SGDState {
    return { momentum_buffer: null };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { momentum_buffer: "tensorOrNull" };
  }

  protected update(p: Tensor, grad: Tensor, group: ParamGroup<SGDOptions>, state: SGDState): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    let d = withWeightDecay(grad, p, weightDecay);
    if (momentum !== 0) {
      const buf = state.momentum_buffer;
      if (!buf) state.momentum_buffer = d.clone();
      else buf.mul_(momentum).add_(d, 1 - dampening);
      d = nesterov ? d.clone().add_(state.momentum_buffer!, momentum) : state.momentum_buffer!;
    }
    p.add_(d, -lr);
  }
}
