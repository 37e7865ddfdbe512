import { requireNumber, requirePositiveInteger, rejectUnknownKeys } from "../options";
import type { StateValue } from "../state-dict";
import { LRScheduler, type AnyOptimizer } from "./scheduler";

function requireGamma(owner: string, gamma: unknown): number {
  const g = requireNumber(owner, "gamma", gamma);
  if (g <= 0) throw new Error(`${owner}: gamma must be > 0, got ${g}`);
  return g;
}

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The factor of each decay. */
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number }) {
    super("StepLR", optimizer);
    rejectUnknownKeys("StepLR", options ?? {}, ["stepSize", "gamma"]);
    this.stepSize = requirePositiveInteger("StepLR", "stepSize", options?.stepSize);
    this.gamma = requireGamma("StepLR", options.gamma ?? 0.1);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const decay = this.lastEpoch > 0 && this.lastEpoch % this.stepSize === 0;
    return this.groupLrs().map((lr) => (decay ? lr * this.gamma : lr));
  }

  protected override closedFormLrs(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected config(): Record<string, StateValue> {
    return { step_size: this.stepSize, gamma: this.gamma };
  }
}

/** Multiplies the lr by gamma at each milestone epoch (by gamma^k for a milestone listed k times). */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the lr decays. */
  readonly milestones: number[];
  /** The factor of each decay. */
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { milestones: number[]; gamma?: number }) {
    super("MultiStepLR", optimizer);
    rejectUnknownKeys("MultiStepLR", options ?? {}, ["milestones", "gamma"]);
    if (!Array.isArray(options?.milestones)) throw new Error(`MultiStepLR: milestones must be a list of epochs, got ${String(options?.milestones)}`);
    this.milestones = options.milestones.map((m, i) => requirePositiveInteger("MultiStepLR", `milestones[${i}]`, m));
    this.gamma = requireGamma("MultiStepLR", options.gamma ?? 0.1);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.groupLrs().map((lr) => (count === 0 ? lr : lr * this.gamma ** count));
  }

  protected override closedFormLrs(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }

  /** PyTorch keeps the milestones as a Counter: { epoch: times listed }. */
  protected config(): Record<string, StateValue> {
    const counts: Record<string, number> = {};
    for (const m of this.milestones) counts[m] = (counts[m] ?? 0) + 1;
    return { milestones: counts, gamma: this.gamma };
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  /** The factor applied at every epoch. */
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { gamma: number }) {
    super("ExponentialLR", optimizer);
    rejectUnknownKeys("ExponentialLR", options ?? {}, ["gamma"]);
    this.gamma = requireGamma("ExponentialLR", options?.gamma);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    return this.groupLrs().map((lr) => (this.lastEpoch === 0 ? lr : lr * this.gamma));
  }

  protected override closedFormLrs(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }

  protected config(): Record<string, StateValue> {
    return { gamma: this.gamma };
  }
}
