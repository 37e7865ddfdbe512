import type { StateValue } from "../state-dict";
import { LRScheduler, type AnyOptimizer } from "./scheduler";

/** Maps the epoch to a factor of the lr. */
export type LrLambda = (epoch: number) => number;

function lambdasFor(owner: string, optimizer: AnyOptimizer, lrLambda: unknown): LrLambda[] {
  const groups = optimizer.paramGroups.length;
  if (Array.isArray(lrLambda) && lrLambda.length !== groups) throw new Error(`${owner}: expected ${groups} lrLambda functions (one per parameter group), got ${lrLambda.length}`);
  const fns = Array.isArray(lrLambda) ? lrLambda : new Array<unknown>(groups).fill(lrLambda);
  fns.forEach((f, i) => {
    if (typeof f !== "function") throw new Error(`${owner}: lrLambda${Array.isArray(lrLambda) ? `[${i}]` : ""} must be a function of the epoch, got ${typeof f}`);
  });
  return fns as LrLambda[];
}

/** lr = initial lr · lrLambda(epoch), one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  /** One function per group: lr = base lr · lrLambda(epoch). */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | LrLambda[] }) {
    super("LambdaLR", optimizer);
    rejectUnknown("LambdaLR", options);
    this.lrLambdas = lambdasFor("LambdaLR", this.optimizer, options?.lrLambda);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lrLambdas[i]!(this.lastEpoch));
  }

  /** Functions are not saved, as in PyTorch: one null per group. */
  protected config(): Record<string, StateValue> {
    return { lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** lr ← lr · lrLambda(epoch) at every epoch after the first, one function for all groups or one per group. */
export class MultiplicativeLR extends LRScheduler {
  /** One function per group: each step multiplies the lr by lrLambda(epoch). */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, options: { lrLambda: LrLambda | LrLambda[] }) {
    super("MultiplicativeLR", optimizer);
    rejectUnknown("MultiplicativeLR", options);
    this.lrLambdas = lambdasFor("MultiplicativeLR", this.optimizer, options?.lrLambda);
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const lrs = this.groupLrs();
    return this.lastEpoch > 0 ? lrs.map((lr, i) => lr * this.lrLambdas[i]!(this.lastEpoch)) : lrs;
  }

  protected config(): Record<string, StateValue> {
    return { lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

function rejectUnknown(owner: string, options: unknown): void {
  for (const key of Object.keys(options ?? {})) if (key !== "lrLambda") throw new Error(`${owner}: unknown option '${key}'; expected lrLambda`);
}
