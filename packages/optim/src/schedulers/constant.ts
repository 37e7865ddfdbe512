import { requireInRange, requireNumber, requirePositiveInteger, rejectUnknownKeys } from "../options";
import type { StateValue } from "../state-dict";
import { LRScheduler, type AnyOptimizer } from "./scheduler";

/** Scales the initial lr by `factor` until epoch totalIters, then restores it. */
export class ConstantLR extends LRScheduler {
  /** The factor applied to the lr until totalIters steps. */
  readonly factor: number;
  /** Steps during which the factor applies. */
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: { factor?: number; totalIters?: number } = {}) {
    super("ConstantLR", optimizer);
    rejectUnknownKeys("ConstantLR", options ?? {}, ["factor", "totalIters"]);
    this.factor = requireInRange("ConstantLR", "factor", options.factor ?? 1 / 3, 0, 1, true);
    if (this.factor === 0) throw new Error("ConstantLR: factor must be > 0 (the lr is divided by it at totalIters)");
    this.totalIters = requirePositiveInteger("ConstantLR", "totalIters", options.totalIters ?? 5);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return lrs;
    return lrs.map((lr) => lr * (1 / this.factor));
  }

  protected override closedFormLrs(): number[] {
    return this.baseLrs.map((lr) => lr * (this.factor + (this.lastEpoch >= this.totalIters ? 1 - this.factor : 0)));
  }

  protected config(): Record<string, StateValue> {
    return { factor: this.factor, total_iters: this.totalIters };
  }
}

/** Decays the initial lr to 0 over totalIters epochs: lr_t = lr_0·(1 - min(t, totalIters)/totalIters)^power. */
export class PolynomialLR extends LRScheduler {
  /** Steps over which the lr decays to 0. */
  readonly totalIters: number;
  /** The power of the decay polynomial. */
  readonly power: number;

  constructor(optimizer: AnyOptimizer, options: { totalIters?: number; power?: number } = {}) {
    super("PolynomialLR", optimizer);
    rejectUnknownKeys("PolynomialLR", options ?? {}, ["totalIters", "power"]);
    this.totalIters = requirePositiveInteger("PolynomialLR", "totalIters", options.totalIters ?? 5);
    this.power = requireNumber("PolynomialLR", "power", options.power ?? 1);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (t === 0 || t > n) return lrs;
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** this.power;
    return lrs.map((lr) => lr * decay);
  }

  protected override closedFormLrs(): number[] {
    return this.baseLrs.map((lr) => lr * (1 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }

  protected config(): Record<string, StateValue> {
    return { total_iters: this.totalIters, power: this.power };
  }
}
