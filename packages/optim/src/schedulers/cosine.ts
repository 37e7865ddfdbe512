import { requireNonNegative, requireNumber, rejectUnknownKeys } from "../options";
import type { StateValue } from "../state-dict";
import { LRScheduler, type AnyOptimizer } from "./scheduler";

/**
 * Cosine annealing from the initial lr to etaMin over tMax epochs (then back up, periodically),
 * PyTorch's chainable recursion, whose closed form is
 * lr_t = etaMin + (lr_0 - etaMin)·(1 + cos(π·t/tMax))/2.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Steps of half a cosine period. */
  readonly tMax: number;
  /** The smallest lr. */
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number }) {
    super("CosineAnnealingLR", optimizer);
    rejectUnknownKeys("CosineAnnealingLR", options ?? {}, ["tMax", "etaMin"]);
    this.tMax = requireNumber("CosineAnnealingLR", "tMax", options?.tMax);
    if (this.tMax <= 0) throw new Error(`CosineAnnealingLR: tMax must be > 0, got ${this.tMax}`);
    this.etaMin = requireNonNegative("CosineAnnealingLR", "etaMin", options.etaMin ?? 0);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs;
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected override closedFormLrs(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    return this.baseLrs.map((lr) => etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2);
  }

  protected config(): Record<string, StateValue> {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }
}
