import { Optimizer } from "../optimizer";
import { checkKeys, copyValue, describeValue, isPlainObject, loadNumber, type StateValue } from "../state-dict";

/** Any optimizer: schedulers only read and write the lr (and momentum) of its groups. */
export type AnyOptimizer = Optimizer<
  {
    /** The learning rate. */
    lr: number;
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  any
>;

/**
 * PyTorch's scheduler state_dict(): the scheduler's options under their PyTorch names, plus
 * last_epoch, base_lrs, _step_count and _last_lr (and verbose and _get_lr_called_within_step,
 * always false). Functions, such as LambdaLR's, are not saved.
 */
export type SchedulerStateDict = Record<string, StateValue>;

/** What every scheduler has: a step, the lrs it set last, and a state dict. */
export interface Scheduler {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Advances the schedule by one epoch (or batch, for the per-batch schedules) and sets the groups' lr. */
  step(): void;
  /** The lr of each group set by the last step. */
  getLastLr(): number[];
  /** The scheduler's state as PyTorch's state_dict names it. */
  stateDict(): SchedulerStateDict;
  /** Restores a state from `stateDict()`; checks it in full first, and the options must match. */
  loadStateDict(dict: SchedulerStateDict): void;
  /** Checks a state dict in full and returns what applies it, so that composites load all or nothing. */
  prepareLoad(dict: unknown, where: string): () => void;
}

export function requireOptimizer(owner: string, optimizer: unknown): AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) throw new Error(`${owner}: expected an optimizer (SGD, Adam, ...), got ${optimizer === null ? "null" : typeof optimizer}`);
  return optimizer as AnyOptimizer;
}

/** One value per parameter group: a number for all, or a list with one per group. */
export function perGroup(owner: string, name: string, value: unknown, groups: number, check: (owner: string, name: string, v: unknown) => number): number[] {
  if (Array.isArray(value) && value.length !== groups) throw new Error(`${owner}: expected ${groups} ${name} values (one per parameter group), got ${value.length}`);
  const values = Array.isArray(value) ? value : new Array<unknown>(groups).fill(value);
  return values.map((v, i) => check(owner, Array.isArray(value) ? `${name}[${i}]` : name, v));
}

/** A list of n numbers, loaded from a state dict. */
export function loadNumbers(where: string, value: unknown, n: number): number[] {
  if (!Array.isArray(value) || value.length !== n) throw new Error(`${where}: expected a list of ${n} numbers (one per parameter group), got ${describeValue(value)}`);
  return value.map((v, i) => loadNumber(`${where}[${i}]`, v));
}

/** Throws unless a saved option equals this scheduler's, naming the key and both values. */
export function checkSameOption(where: string, key: string, saved: unknown, own: unknown): void {
  if (JSON.stringify(saved) !== JSON.stringify(own)) throw new Error(`${where}: '${key}' is ${JSON.stringify(saved)} in the state dict but ${JSON.stringify(own)} in this scheduler; build it with the same options`);
}

/**
 * Base of the epoch-driven schedulers, as PyTorch's LRScheduler: a subclass sets its fields, then
 * calls initialStep(), which records each group's initial lr and takes step 0; every step()
 * advances lastEpoch and sets each group's lr from the chainable rule computeLrs(), which starts
 * from the groups' current lr so that several schedulers can act on one optimizer.
 */
export abstract class LRScheduler implements Scheduler {
  /** The optimizer whose groups' lr this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** The epoch of the last step (0 after construction, which takes step 0). */
  lastEpoch = -1;
  /** Each group's initial lr, which the schedule scales. */
  baseLrs: number[] = [];
  /** PyTorch's _step_count: the number of step() calls, the initial one included. */
  stepCount = 0;
  /** The lr of each group set by the last step. */
  protected lastLr: number[] = [];

  protected constructor(
    /** The scheduler's name in error messages. */
    readonly name: string,
    optimizer: AnyOptimizer,
  ) {
    this.optimizer = requireOptimizer(name, optimizer);
  }

  /** The lr of each group at lastEpoch, from the groups' current lr (PyTorch's get_lr). */
  protected abstract computeLrs(): number[];
  /** The lr of each group at lastEpoch from the base lrs alone, used by step(epoch) where PyTorch has one. */
  protected closedFormLrs?(): number[];
  /** The options a state dict records, under PyTorch's names; loading checks they match. */
  protected abstract config(): Record<string, StateValue>;

  /** Records each group's initial lr (unless a scheduler already did) and takes step 0. */
  protected initialStep(): void {
    for (const group of this.optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr!);
    this.restart();
  }

  /** Resets the step count and takes a step (PyTorch's _initial_step; SequentialLR calls it). */
  restart(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch, or jumps to `epoch` (PyTorch's deprecated step(epoch), used by SequentialLR). */
  step(epoch?: number): void {
    this.stepCount += 1;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      lrs = this.computeLrs();
    } else {
      if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`${this.name}.step: epoch must be a whole number >= 0, got ${epoch}`);
      this.lastEpoch = epoch;
      lrs = this.closedFormLrs ? this.closedFormLrs() : this.computeLrs();
    }
    this.setLrs(lrs);
  }

  /** Sets each group's lr and records them as the last lrs. */
  protected setLrs(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group set by the last step(). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The current lr of each group. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** State beyond the options and the common counters (CosineAnnealingWarmRestarts' T_cur, ...). */
  protected extraState(): Record<string, StateValue> {
    return {};
  }

  /** Checks the extra state of a saved dict and returns what applies it. */
  protected loadExtraState(_saved: Record<string, unknown>, _where: string): () => void {
    return () => {};
  }

  /** The options under PyTorch's names, base_lrs, last_epoch, _step_count and _last_lr (as PyTorch's state_dict). */
  stateDict(): SchedulerStateDict {
    return {
      ...copyValue(this.config()),
      ...copyValue(this.extraState()),
      base_lrs: [...this.baseLrs],
      last_epoch: this.lastEpoch,
      verbose: false,
      _step_count: this.stepCount,
      _get_lr_called_within_step: false,
      _last_lr: [...this.lastLr],
    };
  }

  /** Restores a state from `stateDict()`; checks it in full first, and the options must match. */
  loadStateDict(dict: SchedulerStateDict): void {
    this.prepareLoad(dict, `${this.name}.loadStateDict`)();
  }

  prepareLoad(dict: unknown, where: string): () => void {
    if (!isPlainObject(dict)) throw new Error(`${where}: expected a state dict as returned by stateDict(), got ${describeValue(dict)}`);
    const config = this.config();
    const common = ["base_lrs", "last_epoch", "verbose", "_step_count", "_get_lr_called_within_step", "_last_lr"];
    checkKeys(where, dict, [...Object.keys(config), ...Object.keys(this.extraState()), ...common]);
    for (const [key, own] of Object.entries(config)) checkSameOption(where, key, dict[key], own);
    for (const key of ["verbose", "_get_lr_called_within_step"]) if (dict[key] !== false) throw new Error(`${where}: '${key}' must be false, got ${describeValue(dict[key])}`);
    const n = this.optimizer.paramGroups.length;
    const baseLrs = loadNumbers(`${where}: base_lrs`, dict.base_lrs, n);
    const lastLr = loadNumbers(`${where}: _last_lr`, dict._last_lr, n);
    const lastEpoch = loadNumber(`${where}: last_epoch`, dict.last_epoch);
    const stepCount = loadNumber(`${where}: _step_count`, dict._step_count);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new Error(`${where}: last_epoch must be a whole number >= -1, got ${lastEpoch}`);
    if (!Number.isInteger(stepCount) || stepCount < 0) throw new Error(`${where}: _step_count must be a whole number >= 0, got ${stepCount}`);
    const applyExtra = this.loadExtraState(dict, where);
    return () => {
      Object.assign(this, { baseLrs, lastLr, lastEpoch, stepCount });
      applyExtra();
    };
  }
}
