import { tensor, type Tensor } from "@tapegrad/autograd";
import { CLASSIFICATION_KEYS, ConfusionCounts, classStats, type ClassificationOptions } from "./confusion";

export type { ClassificationOptions } from "./confusion";

/** Options of {@link Accuracy}, {@link Precision}, {@link Recall} and {@link F1Score}. */
export interface AveragedOptions extends ClassificationOptions {
  /** Multiclass: "micro" pools every sample, "macro" averages the per-class values. */
  average?: "micro" | "macro";
}

/** n / d, or 0 when d is 0 (scikit-learn's zero_division=0). */
function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

type PerClass = (tp: number, fp: number, fn: number) => number;

/**
 * Accumulates a confusion matrix over update(preds, target) calls; compute() gives one number.
 * Binary: the value for the positive class 1. Multiclass "micro": the same formula on the counts
 * summed over classes. "macro": the mean over the classes that occur in the targets or the
 * predictions seen so far (a class seen in neither is left out, as scikit-learn does).
 */
abstract class AveragedMetric {
  /** @internal */
  protected readonly confusion: ConfusionCounts;
  /** "micro" or "macro" averaging over classes (multiclass). */
  readonly average: "micro" | "macro";

  constructor(name: string, opts: AveragedOptions, defaultAverage: "micro" | "macro", private readonly perClass: PerClass) {
    this.confusion = new ConfusionCounts(name, opts, [...CLASSIFICATION_KEYS, "average"]);
    this.average = opts.average ?? defaultAverage;
    if (this.average !== "micro" && this.average !== "macro") throw new Error(`${name}: average must be "micro" or "macro", got ${JSON.stringify(this.average)}`);
  }

  /** Adds a batch of predictions and int32 targets (see ClassificationOptions for what preds may be). */
  update(preds: Tensor, target: Tensor): void {
    this.confusion.update(preds, target);
  }

  /** Forgets everything accumulated. */
  reset(): void {
    this.confusion.reset();
  }

  /** The metric over everything accumulated since the last reset. */
  compute(): number {
    const { counts, C, owner, opts } = this.confusion;
    if (this.confusion.total === 0) throw new Error(`${owner}.compute: no samples counted yet; call update first`);
    const { tp, fp, fn } = classStats(counts, C);
    if (opts.task === "binary") return this.binary(tp[1]!, fp[1]!, fn[1]!, tp[0]!);
    if (this.average === "micro") {
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      return this.perClass(sum(tp), sum(fp), sum(fn));
    }
    const present = tp.map((_, c) => c).filter((c) => tp[c]! + fp[c]! + fn[c]! > 0);
    return present.reduce((s, c) => s + this.perClass(tp[c]!, fp[c]!, fn[c]!), 0) / present.length;
  }

  /** @internal */
  protected binary(tp: number, fp: number, fn: number, _tn: number): number {
    return this.perClass(tp, fp, fn);
  }
}

/**
 * The fraction of correct predictions. Multiclass "micro" (the default) is correct / total;
 * "macro" is the mean per-class recall. Binary: (tp + tn) / total.
 */
export class Accuracy extends AveragedMetric {
  constructor(opts: AveragedOptions) {
    super("Accuracy", opts, "micro", (tp, fp, fn) => ratio(tp, tp + fn));
  }

  protected override binary(tp: number, fp: number, fn: number, tn: number): number {
    return (tp + tn) / (tp + fp + fn + tn);
  }
}

/** tp / (tp + fp); 0 when nothing was predicted positive. Multiclass default: "macro". */
export class Precision extends AveragedMetric {
  constructor(opts: AveragedOptions) {
    super("Precision", opts, "macro", (tp, fp) => ratio(tp, tp + fp));
  }
}

/** tp / (tp + fn); 0 when the class never occurs in the targets. Multiclass default: "macro". */
export class Recall extends AveragedMetric {
  constructor(opts: AveragedOptions) {
    super("Recall", opts, "macro", (tp, _fp, fn) => ratio(tp, tp + fn));
  }
}

/** 2tp / (2tp + fp + fn), the harmonic mean of precision and recall; 0 when both are 0/0. */
export class F1Score extends AveragedMetric {
  constructor(opts: AveragedOptions) {
    super("F1Score", opts, "macro", (tp, fp, fn) => ratio(2 * tp, 2 * tp + fp + fn));
  }
}

/**
 * The (C, C) confusion matrix, rows true classes and columns predicted ones: int32 counts, or
 * float64 fractions with normalize "true" (each row sums to 1), "pred" (each column) or "all";
 * a row or column without samples stays 0.
 */
export class ConfusionMatrix {
  private readonly confusion: ConfusionCounts;
  /** "none" (counts), or divide by the true-class totals ("true"), the predicted-class totals ("pred") or everything ("all"). */
  readonly normalize: "none" | "true" | "pred" | "all";

  constructor(opts: ClassificationOptions & { normalize?: "none" | "true" | "pred" | "all" }) {
    this.confusion = new ConfusionCounts("ConfusionMatrix", opts, [...CLASSIFICATION_KEYS, "normalize"]);
    this.normalize = opts.normalize ?? "none";
    if (!["none", "true", "pred", "all"].includes(this.normalize)) {
      throw new Error(`ConfusionMatrix: normalize must be "none", "true", "pred" or "all", got ${JSON.stringify(this.normalize)}`);
    }
  }

  /** Adds a batch of predictions and int32 targets (see ClassificationOptions for what preds may be). */
  update(preds: Tensor, target: Tensor): void {
    this.confusion.update(preds, target);
  }

  /** Forgets everything accumulated. */
  reset(): void {
    this.confusion.reset();
  }

  /** The (C, C) matrix, rows true classes and columns predicted ones: int32 counts, or float64 with normalize. */
  compute(): Tensor {
    const { counts, C } = this.confusion;
    if (this.normalize === "none") return tensor(Int32Array.from(counts), { shape: [C, C] });
    const total = this.confusion.total;
    const out = Float64Array.from(counts, (n, i) => {
      const [r, c] = [Math.floor(i / C), i % C];
      let d = total;
      if (this.normalize === "true") d = counts.subarray(r * C, r * C + C).reduce((a, b) => a + b, 0);
      if (this.normalize === "pred") d = Array.from({ length: C }, (_, k) => counts[k * C + c]!).reduce((a, b) => a + b, 0);
      return ratio(n, d);
    });
    return tensor(out, { shape: [C, C] });
  }
}
