import { requireInRange, requirePositiveInteger, rejectUnknownKeys } from "../options";
import type { StateValue } from "../state-dict";
import { LRScheduler, type AnyOptimizer } from "./scheduler";

/**
 * Linear warmup (or decay): scales the initial lr by a factor going linearly from startFactor
 * to endFactor over totalIters epochs, then keeps it. PyTorch's chainable recursion, whose
 * closed form is lr_t = lr_0·(start + (end - start)·min(t, totalIters)/totalIters).
 */
export class LinearLR extends LRScheduler {
  /** The factor of the lr at step 0. */
  readonly startFactor: number;
  /** The factor reached after totalIters steps. */
  readonly endFactor: number;
  /** Steps of the linear change. */
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super("LinearLR", optimizer);
    rejectUnknownKeys("LinearLR", options ?? {}, ["startFactor", "endFactor", "totalIters"]);
    this.startFactor = requireInRange("LinearLR", "startFactor", options.startFactor ?? 1 / 3, 0, 1, true);
    if (this.startFactor === 0) throw new Error("LinearLR: startFactor must be > 0 (the rule divides by it)");
    this.endFactor = requireInRange("LinearLR", "endFactor", options.endFactor ?? 1, 0, 1, true);
    this.totalIters = requirePositiveInteger("LinearLR", "totalIters", options.totalIters ?? 5);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const { lastEpoch: t, startFactor: start, endFactor: end, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs.map((lr) => lr * start);
    if (t > n) return lrs;
    return lrs.map((lr) => lr * (1 + (end - start) / (n * start + (t - 1) * (end - start))));
  }

  protected override closedFormLrs(): number[] {
    const { lastEpoch: t, startFactor: start, endFactor: end, totalIters: n } = this;
    return this.baseLrs.map((lr) => lr * (start + ((end - start) * Math.min(n, t)) / n));
  }

  protected config(): Record<string, StateValue> {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }
}
