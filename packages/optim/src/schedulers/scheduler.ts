import { Optimizer } from "../optimizer";

// Any optimizer: schedulers only read and write the lr of its groups.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<{ lr: number }, any>;

export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
}

export function requireOptimizer(owner: string, optimizer: unknown): AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) throw new Error(`${owner}: expected an optimizer (SGD, Adam, ...), got ${optimizer === null ? "null" : typeof optimizer}`);
  return optimizer as AnyOptimizer;
}

/**
 * Base of the epoch-driven schedulers, as PyTorch's LRScheduler: the constructor records each
 * group's initial lr and takes step 0; every step() advances lastEpoch and sets each group's lr
 * from the chainable rule computeLrs(), which starts from the groups' current lr so that several
 * schedulers can act on one optimizer.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  lastEpoch = -1;
  baseLrs: number[];
  private lastLr: number[] = [];

  protected constructor(readonly name: string, optimizer: AnyOptimizer) {
    this.optimizer = requireOptimizer(name, optimizer);
    for (const group of this.optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The lr of each group at lastEpoch, from the groups' current lr (PyTorch's get_lr). */
  protected abstract computeLrs(): number[];

  /** Subclasses call this at the end of their constructor, once their own fields are set. */
  protected initialStep(): void {
    this.step();
  }

  step(): void {
    this.lastEpoch += 1;
    const lrs = this.computeLrs();
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = lrs[i]!));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group set by the last step(). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  loadStateDict(dict: SchedulerStateDict): void {
    const n = this.optimizer.paramGroups.length;
    if (!dict || !Number.isInteger(dict.lastEpoch) || !Array.isArray(dict.baseLrs) || dict.baseLrs.length !== n || !Array.isArray(dict.lastLr)) {
      throw new Error(`${this.name}.loadStateDict: expected { lastEpoch, baseLrs, lastLr } with ${n} learning rates, as returned by stateDict()`);
    }
    this.lastEpoch = dict.lastEpoch;
    this.baseLrs = [...dict.baseLrs];
    this.lastLr = [...dict.lastLr];
  }
}
