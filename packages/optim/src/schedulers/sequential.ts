import { rejectUnknownKeys, requirePositiveInteger } from "../options";
import { checkKeys, describeValue, isPlainObject, loadNumber } from "../state-dict";
import { LRScheduler, checkSameOption, loadNumbers, type AnyOptimizer, type Scheduler, type SchedulerStateDict } from "./scheduler";

function requireSchedulers(owner: string, schedulers: unknown, optimizer?: AnyOptimizer): LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error(`${owner}: expected a non-empty list of schedulers, got ${describeValue(schedulers)}`);
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) throw new Error(`${owner}: schedulers[${i}] must be an epoch scheduler (StepLR, LinearLR, ...), got ${describeValue(s)}`);
    const expected = optimizer ?? (schedulers[0] as LRScheduler).optimizer;
    if (s.optimizer !== expected) throw new Error(`${owner}: schedulers[${i}] belongs to another optimizer; all must share ${optimizer ? "the optimizer passed in" : "the optimizer of schedulers[0]"}`);
  });
  return [...schedulers] as LRScheduler[];
}

/** Checks a composite's saved children, and returns what loads them all. */
function prepareChildren(where: string, saved: unknown, schedulers: LRScheduler[]): () => void {
  if (!Array.isArray(saved) || saved.length !== schedulers.length) throw new Error(`${where}: '_schedulers' must list ${schedulers.length} state dicts, got ${describeValue(saved)}`);
  const loads = schedulers.map((s, i) => s.prepareLoad(saved[i], `${where}: _schedulers[${i}] (${s.name})`));
  return () => loads.forEach((load) => load());
}

/**
 * Runs schedulers one after another: schedulers[i] from milestones[i-1] on, restarted at its
 * milestone (PyTorch's SequentialLR).
 */
export class SequentialLR implements Scheduler {
  /** The scheduler's name in error messages. */
  readonly name = "SequentialLR";
  readonly optimizer: AnyOptimizer;
  /** The schedulers, run one after another. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  readonly milestones: number[];
  /** The epoch of the last step. */
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: { schedulers: LRScheduler[]; milestones: number[] }) {
    rejectUnknownKeys(this.name, options ?? {}, ["schedulers", "milestones"]);
    this.optimizer = optimizer;
    this.schedulers = requireSchedulers(this.name, options?.schedulers, optimizer);
    const milestones = options.milestones;
    if (!Array.isArray(milestones) || milestones.length !== this.schedulers.length - 1) {
      throw new Error(`${this.name}: expected ${this.schedulers.length - 1} milestones (one fewer than the ${this.schedulers.length} schedulers), got ${describeValue(milestones)}`);
    }
    this.milestones = milestones.map((m, i) => requirePositiveInteger(this.name, `milestones[${i}]`, m));
    this.milestones.forEach((m, i) => {
      if (i > 0 && m <= this.milestones[i - 1]!) throw new Error(`${this.name}: milestones must increase, got [${this.milestones}]`);
    });
    this.lastEpoch = 0;
    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!.restart();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { _milestones: [...this.milestones], last_epoch: this.lastEpoch, _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(dict: SchedulerStateDict): void {
    this.prepareLoad(dict, `${this.name}.loadStateDict`)();
  }

  prepareLoad(dict: unknown, where: string): () => void {
    if (!isPlainObject(dict)) throw new Error(`${where}: expected a state dict as returned by stateDict(), got ${describeValue(dict)}`);
    checkKeys(where, dict, ["_milestones", "last_epoch", "_last_lr", "_schedulers"]);
    checkSameOption(where, "_milestones", dict._milestones, this.milestones);
    const lastEpoch = loadNumber(`${where}: last_epoch`, dict.last_epoch);
    if (!Number.isInteger(lastEpoch) || lastEpoch < 0) throw new Error(`${where}: last_epoch must be a whole number >= 0, got ${lastEpoch}`);
    const lastLr = loadNumbers(`${where}: _last_lr`, dict._last_lr, this.optimizer.paramGroups.length);
    const loadChildren = prepareChildren(where, dict._schedulers, this.schedulers);
    return () => {
      loadChildren();
      this.lastEpoch = lastEpoch;
      this.lastLr = lastLr;
    };
  }
}

/** Steps several schedulers of one optimizer together, each from the lr the previous one set. */
export class ChainedScheduler implements Scheduler {
  /** The scheduler's name in error messages. */
  readonly name = "ChainedScheduler";
  readonly optimizer: AnyOptimizer;
  /** The schedulers, all stepped at every step. */
  readonly schedulers: LRScheduler[];
  private lastLr: number[];

  constructor(schedulers: LRScheduler[]) {
    this.schedulers = requireSchedulers(this.name, schedulers);
    this.optimizer = this.schedulers[0]!.optimizer;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(dict: SchedulerStateDict): void {
    this.prepareLoad(dict, `${this.name}.loadStateDict`)();
  }

  prepareLoad(dict: unknown, where: string): () => void {
    if (!isPlainObject(dict)) throw new Error(`${where}: expected a state dict as returned by stateDict(), got ${describeValue(dict)}`);
    checkKeys(where, dict, ["_last_lr", "_schedulers"]);
    const lastLr = loadNumbers(`${where}: _last_lr`, dict._last_lr, this.optimizer.paramGroups.length);
    const loadChildren = prepareChildren(where, dict._schedulers, this.schedulers);
    return () => {
      loadChildren();
      this.lastLr = lastLr;
    };
  }
}
