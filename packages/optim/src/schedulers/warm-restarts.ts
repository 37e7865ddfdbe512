import { requireNonNegative, requirePositiveInteger, rejectUnknownKeys } from "../options";
import { loadNumber, type StateValue } from "../state-dict";
import { LRScheduler, type AnyOptimizer } from "./scheduler";

/**
 * Cosine annealing with warm restarts (SGDR): lr = etaMin + (lr_0 - etaMin)(1 + cos(π·T_cur/T_i))/2,
 * where T_cur counts epochs since the last restart and the i-th period T_i = t0·tMult^i.
 * step(epoch) jumps to an epoch, which may be fractional (e.g. epoch + batch/batches).
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Steps of the first period. */
  readonly t0: number;
  /** Each period is this many times longer than the one before. */
  readonly tMult: number;
  /** The smallest lr. */
  readonly etaMin: number;
  /** Steps of the current period. */
  tI: number;
  /** Steps since the last restart. */
  tCur: number;

  constructor(optimizer: AnyOptimizer, options: { t0: number; tMult?: number; etaMin?: number }) {
    super("CosineAnnealingWarmRestarts", optimizer);
    rejectUnknownKeys(this.name, options ?? {}, ["t0", "tMult", "etaMin"]);
    this.t0 = requirePositiveInteger(this.name, "t0", options?.t0);
    this.tMult = requirePositiveInteger(this.name, "tMult", options.tMult ?? 1);
    this.etaMin = requireNonNegative(this.name, "etaMin", options.etaMin ?? 0);
    this.tI = this.t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  protected computeLrs(): number[] {
    return this.baseLrs.map((lr) => this.etaMin + ((lr - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /** Like PyTorch's, this step does not count towards _step_count. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      if (typeof epoch !== "number" || !Number.isFinite(epoch) || epoch < 0) throw new Error(`${this.name}.step: epoch must be a finite number >= 0, got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = epoch % this.t0;
        else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.computeLrs());
  }

  protected config(): Record<string, StateValue> {
    return { T_0: this.t0, T_mult: this.tMult, eta_min: this.etaMin };
  }

  protected override extraState(): Record<string, StateValue> {
    return { T_i: this.tI, T_cur: this.tCur };
  }

  protected override loadExtraState(saved: Record<string, unknown>, where: string): () => void {
    const tI = loadNumber(`${where}: T_i`, saved.T_i);
    const tCur = loadNumber(`${where}: T_cur`, saved.T_cur);
    return () => Object.assign(this, { tI, tCur });
  }
}
