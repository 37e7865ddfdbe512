import { requireBoolean, requireInRange, requireNonNegative, requirePositive, requirePositiveInteger, rejectUnknownKeys } from "../options";
import type { StateValue } from "../state-dict";
import { LRScheduler, perGroup, type AnyOptimizer } from "./scheduler";

/** Options of {@link OneCycleLR} (PyTorch's, camelCased). */
export interface OneCycleLROptions {
  /** Peak lr, one for all groups or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** With stepsPerEpoch, gives totalSteps = epochs · stepsPerEpoch. */
  epochs?: number;
  /** Steps (batches) per epoch. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** "cos" or "linear". Default "cos". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak lr (0.85 by default), per group or for all. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end (0.95 by default), per group or for all. */
  maxMomentum?: number | number[];
  /** Initial lr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial lr, then to the final lr) instead of two. Default false. */
  threePhase?: boolean;
}

type Anchor = "initial_lr" | "max_lr" | "min_lr" | "max_momentum" | "base_momentum";
interface Phase {
  end_step: number;
  start_lr: Anchor;
  end_lr: Anchor;
  start_momentum: Anchor;
  end_momentum: Anchor;
}

/**
 * The 1cycle policy (Smith & Topin): the lr rises from maxLr/divFactor to maxLr over pctStart of
 * totalSteps, then anneals to initial/finalDivFactor, with momentum moving the other way. Step it
 * after every batch. The per-group anchors (PyTorch keeps them in the optimizer's groups as
 * max_lr, min_lr, max_momentum, base_momentum) live in the scheduler.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps of the whole cycle. */
  readonly totalSteps: number;
  /** Whether momentum cycles inversely to the lr. */
  readonly cycleMomentum: boolean;
  /** Whether the cycled momentum is Adam's beta1 (the optimizer has betas). */
  readonly useBeta1: boolean = false;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly anchors: Record<Anchor, number[]>;

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    super("OneCycleLR", optimizer);
    const name = this.name;
    rejectUnknownKeys(name, options ?? {}, ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"]);
    if (options?.totalSteps !== undefined) this.totalSteps = requirePositiveInteger(name, "totalSteps", options.totalSteps);
    else if (options?.epochs !== undefined || options?.stepsPerEpoch !== undefined) {
      this.totalSteps = requirePositiveInteger(name, "epochs", options.epochs) * requirePositiveInteger(name, "stepsPerEpoch", options.stepsPerEpoch);
    } else throw new Error(`${name}: give totalSteps, or epochs and stepsPerEpoch`);
    const pct = requireInRange(name, "pctStart", options.pctStart ?? 0.3, 0, 1, true);
    const strategy = options.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear") throw new Error(`${name}: annealStrategy must be "cos" or "linear", got ${String(strategy)}`);
    this.anneal = strategy === "cos" ? (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1) : (start, end, p) => (end - start) * p + start;
    const n = this.totalSteps;
    this.phases = requireBoolean(name, "threePhase", options.threePhase ?? false)
      ? [
          { end_step: pct * n - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
          { end_step: 2 * pct * n - 2, start_lr: "max_lr", end_lr: "initial_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
          { end_step: n - 1, start_lr: "initial_lr", end_lr: "min_lr", start_momentum: "max_momentum", end_momentum: "max_momentum" },
        ]
      : [
          { end_step: pct * n - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
          { end_step: n - 1, start_lr: "max_lr", end_lr: "min_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
        ];
    const groups = this.optimizer.paramGroups;
    const maxLrs = perGroup(name, "maxLr", options.maxLr, groups.length, requireNonNegative);
    const divFactor = requirePositive(name, "divFactor", options.divFactor ?? 25);
    const finalDivFactor = requirePositive(name, "finalDivFactor", options.finalDivFactor ?? 1e4);
    const initial = maxLrs.map((lr) => lr / divFactor);
    groups.forEach((g, i) => (g.initialLr = initial[i]!));
    this.anchors = { initial_lr: initial, max_lr: maxLrs, min_lr: initial.map((lr) => lr / finalDivFactor), max_momentum: [], base_momentum: [] };
    this.cycleMomentum = requireBoolean(name, "cycleMomentum", options.cycleMomentum ?? true);
    if (this.cycleMomentum) {
      const defaults = this.optimizer.defaults as object;
      if (!("momentum" in defaults) && !("betas" in defaults)) throw new Error(`${name}: cycleMomentum needs an optimizer with momentum or betas, got ${this.optimizer.name}; pass cycleMomentum: false`);
      this.useBeta1 = "betas" in defaults;
      this.anchors.max_momentum = perGroup(name, "maxMomentum", options.maxMomentum ?? 0.95, groups.length, requireNonNegative);
      this.anchors.base_momentum = perGroup(name, "baseMomentum", options.baseMomentum ?? 0.85, groups.length, requireNonNegative);
      groups.forEach((g, i) => this.setMomentum(g, this.anchors.max_momentum[i]!));
    }
    this.initialStep();
  }

  private setMomentum(group: object, m: number): void {
    const g = group as { momentum?: number; betas?: [number, number] };
    if (this.useBeta1) g.betas = [m, g.betas![1]];
    else g.momentum = m;
  }

  protected computeLrs(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) throw new Error(`${this.name}.step: tried to step ${t + 1} times; totalSteps is ${this.totalSteps}`);
    return this.optimizer.paramGroups.map((group, i) => {
      let start = 0;
      for (const [k, phase] of this.phases.entries()) {
        if (t <= phase.end_step || k === this.phases.length - 1) {
          const pct = (t - start) / (phase.end_step - start);
          const at = (anchor: Anchor) => this.anchors[anchor][i]!;
          if (this.cycleMomentum) this.setMomentum(group, this.anneal(at(phase.start_momentum), at(phase.end_momentum), pct));
          return this.anneal(at(phase.start_lr), at(phase.end_lr), pct);
        }
        start = phase.end_step;
      }
      throw new Error(`${this.name}: no phase for step ${t}`);
    });
  }

  protected config(): Record<string, StateValue> {
    return {
      total_steps: this.totalSteps,
      _schedule_phases: this.phases.map((p) => ({ ...p })),
      cycle_momentum: this.cycleMomentum,
      ...(this.cycleMomentum ? { use_beta1: this.useBeta1 } : {}),
    };
  }
}
