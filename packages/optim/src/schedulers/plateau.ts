import { isTensor, type Tensor } from "@tapegrad/autograd";
import { requireInRange, requireNonNegative, rejectUnknownKeys } from "../options";
import { checkKeys, describeValue, isPlainObject, loadNumber, type StateValue } from "../state-dict";
import { checkSameOption, loadNumbers, requireOptimizer, type AnyOptimizer } from "./scheduler";

/** Options of {@link ReduceLROnPlateau} (PyTorch's, camelCased). */
export interface ReduceLROnPlateauOptions {
  /** "min": the metric should go down (a loss); "max": up (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** lr ← lr·factor on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** "rel": relative to the best value; "abs": absolute. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr, one for all groups or one per group. Default 0. */
  minLr?: number | number[];
  /** A reduction smaller than eps is not applied. Default 1e-8. */
  eps?: number;
}

/**
 * PyTorch's ReduceLROnPlateau.state_dict(): the options (checked on load) and best,
 * num_bad_epochs, cooldown_counter, last_epoch, _last_lr. An infinite best (before the first
 * step) becomes null in JSON; loading reads null as that infinity.
 */
export type PlateauStateDict = Record<string, StateValue>;

/** Reduces the lr of every group by `factor` once the metric has stopped improving for `patience` epochs. */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** "min": the metric should decrease; "max": increase. */
  readonly mode: "min" | "max";
  /** The lr is multiplied by this on a plateau. */
  readonly factor: number;
  /** Epochs without improvement tolerated before reducing. */
  readonly patience: number;
  /** The least change that counts as an improvement. */
  readonly threshold: number;
  /** "rel": relative to the best value; "abs": absolute. */
  readonly thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again. */
  readonly cooldown: number;
  /** The lowest lr of each group. */
  readonly minLrs: number[];
  /** Changes of the lr smaller than this are skipped. */
  readonly eps: number;
  /** Steps taken. */
  lastEpoch = 0;
  /** The best metric so far. */
  best: number;
  /** Epochs in a row without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = "ReduceLROnPlateau";
    this.optimizer = requireOptimizer(name, optimizer);
    rejectUnknownKeys(name, options ?? {}, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"]);
    this.mode = options.mode ?? "min";
    if (this.mode !== "min" && this.mode !== "max") throw new Error(`${name}: mode must be "min" or "max", got ${String(this.mode)}`);
    this.thresholdMode = options.thresholdMode ?? "rel";
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") throw new Error(`${name}: thresholdMode must be "rel" or "abs", got ${String(this.thresholdMode)}`);
    this.factor = requireInRange(name, "factor", options.factor ?? 0.1, 0, 1);
    this.patience = requireCount(name, "patience", options.patience ?? 10);
    this.threshold = requireNonNegative(name, "threshold", options.threshold ?? 1e-4);
    this.cooldown = requireCount(name, "cooldown", options.cooldown ?? 0);
    this.eps = requireNonNegative(name, "eps", options.eps ?? 1e-8);
    const groups = this.optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== groups) throw new Error(`${name}: expected ${groups} minLr values (one per parameter group), got ${minLr.length}`);
    this.minLrs = (Array.isArray(minLr) ? minLr : new Array<number>(groups).fill(minLr)).map((v, i) => requireNonNegative(name, `minLr[${i}]`, v));
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records this epoch's metric and reduces the lr if it has not improved for `patience` epochs. */
  step(metric: number | Tensor): void {
    const current = isTensor(metric) ? metric.item() : metric;
    if (typeof current !== "number" || Number.isNaN(current)) throw new Error(`ReduceLROnPlateau.step: the metric must be a number or a one-element tensor, got ${String(current)}`);
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const reduced = Math.max(group.lr * this.factor, this.minLrs[i]!);
        if (group.lr - reduced > this.eps) group.lr = reduced;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private config(): Record<string, StateValue> {
    const { factor, patience, cooldown, mode, threshold, thresholdMode, eps } = this;
    return { factor, min_lrs: [...this.minLrs], patience, verbose: false, cooldown, mode, threshold, threshold_mode: thresholdMode, mode_worse: this.modeWorse(), eps };
  }

  private modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  /** The scheduler's state as PyTorch's state_dict names it. */
  stateDict(): PlateauStateDict {
    const { best, numBadEpochs, cooldownCounter, lastEpoch } = this;
    return { ...this.config(), cooldown_counter: cooldownCounter, best, num_bad_epochs: numBadEpochs, last_epoch: lastEpoch, _last_lr: [...this.lastLr] };
  }

  /** Loads a stateDict() from a ReduceLROnPlateau built with the same options; checks everything first. */
  loadStateDict(dict: PlateauStateDict): void {
    const where = "ReduceLROnPlateau.loadStateDict";
    if (!isPlainObject(dict)) throw new Error(`${where}: expected a state dict as returned by stateDict(), got ${describeValue(dict)}`);
    const config = this.config();
    checkKeys(where, dict, [...Object.keys(config), "cooldown_counter", "best", "num_bad_epochs", "last_epoch", "_last_lr"]);
    for (const [key, own] of Object.entries(config)) checkSameOption(where, key, dict[key], own);
    const best = dict.best === null ? this.modeWorse() : loadNumber(`${where}: best`, dict.best);
    const counts = (["num_bad_epochs", "cooldown_counter", "last_epoch"] as const).map((key) => {
      const v = loadNumber(`${where}: ${key}`, dict[key]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${where}: ${key} must be a whole number >= 0, got ${v}`);
      return v;
    });
    const lastLr = loadNumbers(`${where}: _last_lr`, dict._last_lr, this.optimizer.paramGroups.length);
    this.best = best;
    [this.numBadEpochs, this.cooldownCounter, this.lastEpoch] = counts as [number, number, number];
    this.lastLr = lastLr;
  }
}

function requireCount(owner: string, name: string, value: unknown): number {
  const v = requireNonNegative(owner, name, value);
  if (!Number.isInteger(v)) throw new Error(`${owner}: ${name} must be a whole number, got ${v}`);
  return v;
}
