import { requireBoolean, requireNonNegative, requireNumber, requirePositive, rejectUnknownKeys } from "../options";
import type { StateValue } from "../state-dict";
import { LRScheduler, perGroup, type AnyOptimizer } from "./scheduler";

/** Options of {@link CyclicLR} (PyTorch's, camelCased). */
export interface CyclicLROptions {
  /** Lower lr bound of the cycle, one for all groups or one per group. */
  baseLr: number | number[];
  /** Upper lr bound of the cycle, one for all groups or one per group. */
  maxLr: number | number[];
  /** Steps from baseLr up to maxLr. Default 2000. */
  stepSizeUp?: number;
  /** Steps back down. Default stepSizeUp. */
  stepSizeDown?: number;
  /** "triangular" (constant amplitude), "triangular2" (halved every cycle), "exp_range" (scaled by gamma^step). Default "triangular". */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** Base of exp_range's scaling. Default 1. */
  gamma?: number;
  /** A custom amplitude scale (replaces mode's), of the cycle number or of the step as scaleMode says. */
  scaleFn?: (x: number) => number;
  /** What scaleFn takes: "cycle" or "iterations". Default "cycle". */
  scaleMode?: "cycle" | "iterations";
  /** Cycle the optimizer's momentum inversely to the lr, between baseMomentum and maxMomentum. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak lr (0.8 by default), per group or for all. */
  baseMomentum?: number | number[];
  /** Momentum at the base lr (0.9 by default), per group or for all. */
  maxMomentum?: number | number[];
}

const MODES = ["triangular", "triangular2", "exp_range"];

/**
 * Cyclical learning rates (Smith): the lr goes linearly from baseLr to maxLr over stepSizeUp
 * steps and back over stepSizeDown, the amplitude scaled by the mode. Step it after every batch.
 */
export class CyclicLR extends LRScheduler {
  /** The upper lr of each group. */
  readonly maxLrs: number[];
  /** Steps of one cycle (up plus down). */
  readonly totalSize: number;
  /** The fraction of a cycle spent going up. */
  readonly stepRatio: number;
  /** "triangular", "triangular2", "exp_range", or "custom" with a scaleFn. */
  readonly mode: string;
  /** The exp_range decay base. */
  readonly gamma: number;
  /** Whether the scale function takes the cycle number or the step. */
  readonly scaleMode: "cycle" | "iterations";
  /** Whether momentum cycles inversely to the lr. */
  readonly cycleMomentum: boolean;
  /** The momentum of each group at the peak lr. */
  readonly baseMomentums: number[] = [];
  /** The momentum of each group at the base lr. */
  readonly maxMomentums: number[] = [];
  private readonly scale: (x: number) => number;

  constructor(optimizer: AnyOptimizer, options: CyclicLROptions) {
    super("CyclicLR", optimizer);
    const name = this.name;
    rejectUnknownKeys(name, options ?? {}, ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma", "scaleFn", "scaleMode", "cycleMomentum", "baseMomentum", "maxMomentum"]);
    const groups = this.optimizer.paramGroups;
    const baseLrs = perGroup(name, "baseLr", options?.baseLr, groups.length, requireNonNegative);
    this.maxLrs = perGroup(name, "maxLr", options.maxLr, groups.length, requireNonNegative);
    const up = requirePositive(name, "stepSizeUp", options.stepSizeUp ?? 2000);
    const down = requirePositive(name, "stepSizeDown", options.stepSizeDown ?? up);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = options.mode ?? "triangular";
    this.gamma = requireNumber(name, "gamma", options.gamma ?? 1);
    if (options.scaleFn !== undefined) {
      if (typeof options.scaleFn !== "function") throw new Error(`${name}: scaleFn must be a function, got ${typeof options.scaleFn}`);
      this.scale = options.scaleFn;
      this.scaleMode = options.scaleMode ?? "cycle";
      if (this.scaleMode !== "cycle" && this.scaleMode !== "iterations") throw new Error(`${name}: scaleMode must be "cycle" or "iterations", got ${String(this.scaleMode)}`);
    } else {
      if (!MODES.includes(this.mode)) throw new Error(`${name}: mode must be one of ${MODES.join(", ")} (or give scaleFn), got ${String(this.mode)}`);
      if (options.scaleMode !== undefined) throw new Error(`${name}: scaleMode goes with scaleFn; mode "${this.mode}" sets its own`);
      const gamma = this.gamma;
      this.scale = this.mode === "triangular" ? () => 1 : this.mode === "triangular2" ? (x) => 1 / 2 ** (x - 1) : (x) => gamma ** x;
      this.scaleMode = this.mode === "exp_range" ? "iterations" : "cycle";
    }
    this.cycleMomentum = requireBoolean(name, "cycleMomentum", options.cycleMomentum ?? true);
    if (this.cycleMomentum) {
      if (!("momentum" in this.optimizer.defaults)) throw new Error(`${name}: cycleMomentum needs an optimizer with a momentum option (SGD, RMSprop), got ${this.optimizer.name}; pass cycleMomentum: false`);
      const base = perGroup(name, "baseMomentum", options.baseMomentum ?? 0.8, groups.length, requireNonNegative);
      groups.forEach((g, i) => ((g as unknown as { momentum: number }).momentum = base[i]!));
      this.baseMomentums = base;
      this.maxMomentums = perGroup(name, "maxMomentum", options.maxMomentum ?? 0.9, groups.length, requireNonNegative);
    }
    groups.forEach((g, i) => (g.lr = baseLrs[i]!));
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  protected computeLrs(): number[] {
    const t = this.lastEpoch;
    const cycle = Math.floor(1 + t / this.totalSize);
    const x = 1 + t / this.totalSize - cycle;
    const factor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scale(this.scaleMode === "cycle" ? cycle : t);
    if (this.cycleMomentum) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const height = (this.maxMomentums[i]! - this.baseMomentums[i]!) * factor;
        (g as unknown as { momentum: number }).momentum = this.maxMomentums[i]! - height * scale;
      });
    }
    return this.baseLrs.map((lr, i) => lr + (this.maxLrs[i]! - lr) * factor * scale);
  }

  protected config(): Record<string, StateValue> {
    const momentum: Record<string, StateValue> = this.cycleMomentum ? { base_momentums: [...this.baseMomentums], max_momentums: [...this.maxMomentums] } : {};
    return {
      max_lrs: [...this.maxLrs], total_size: this.totalSize, step_ratio: this.stepRatio, mode: this.mode, gamma: this.gamma,
      _scale_fn_custom: null, scale_mode: this.scaleMode, cycle_momentum: this.cycleMomentum, ...momentum,
    };
  }
}
