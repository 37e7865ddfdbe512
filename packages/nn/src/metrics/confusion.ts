import { checkInt, describeValue, isTensor, noGrad, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";

/**
 * Options every classification metric takes. What `update(preds, target)` accepts: binary:
 * preds are probabilities, or logits (a sigmoid is applied when a value lies outside [0, 1]), or
 * int32 0/1 labels, of the target's shape; multiclass: scores (N, C, ...) whose argmax over dim 1
 * is the prediction, or int32 labels of the target's shape (N, ...).
 */
export interface ClassificationOptions {
  /** "binary" (one score per sample) or "multiclass" (needs numClasses). */
  task: "binary" | "multiclass";
  /** Number of classes; required for "multiclass". */
  numClasses?: number;
  /** Binary: a probability above threshold predicts 1 (default 0.5). */
  threshold?: number;
  /** Positions whose target equals ignoreIndex are not counted. */
  ignoreIndex?: number;
}

export const CLASSIFICATION_KEYS = ["task", "numClasses", "threshold", "ignoreIndex"];

/**
 * The confusion-matrix counts every classification metric is computed from: rows are true
 * classes, columns predicted ones (binary: class 1 is the positive class).
 */
export class ConfusionCounts {
  readonly C: number;
  readonly threshold: number;
  counts: Float64Array;

  constructor(readonly owner: string, readonly opts: ClassificationOptions, allowed: readonly string[] = CLASSIFICATION_KEYS) {
    rejectUnknownKeys(owner, opts, allowed);
    if (opts.task !== "binary" && opts.task !== "multiclass") throw new Error(`${owner}: task must be "binary" or "multiclass", got ${describeValue(opts.task)}`);
    const C = opts.task === "binary" ? 2 : opts.numClasses;
    if (!Number.isInteger(C) || C! < 2) throw new Error(`${owner}: multiclass needs numClasses, an integer >= 2, got ${describeValue(C)}`);
    this.C = C!;
    this.threshold = opts.threshold ?? 0.5;
    if (typeof this.threshold !== "number" || !(this.threshold >= 0 && this.threshold <= 1)) throw new Error(`${owner}: threshold must be a number in [0, 1], got ${describeValue(this.threshold)}`);
    if (opts.ignoreIndex !== undefined) checkInt(owner, "ignoreIndex", opts.ignoreIndex);
    this.counts = new Float64Array(this.C * this.C);
  }

  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.counts.fill(0);
  }

  /**
   * Binary: preds are probabilities, or logits (when any value lies outside [0, 1], a sigmoid
   * is applied first, as torchmetrics does), or int32 0/1 labels, of the target's shape.
   * Multiclass: preds are scores (N, C, ...) whose argmax over dim 1 is the prediction, or int32
   * labels of the target's shape (N, ...).
   */
  update(preds: Tensor, target: Tensor): void {
    const { owner, C } = this;
    if (!isTensor(preds) || !isTensor(target)) throw new Error(`${owner}.update: preds and target must be tensors`);
    const labels = noGrad(() => this.predictedLabels(preds, target));
    const truth = target.data();
    const ignore = this.opts.ignoreIndex;
    // every position is checked before any is counted, so a bad batch changes nothing
    const cells: number[] = [];
    truth.forEach((t, i) => {
      if (t === ignore) return;
      if (!(Number.isInteger(t) && t >= 0 && t < C)) throw new Error(`${owner}.update: target ${t} at position ${i} is not a class in [0, ${C})${ignore === undefined ? "" : ` or ignoreIndex ${ignore}`}`);
      const p = labels[i]!;
      if (!(Number.isInteger(p) && p >= 0 && p < C)) throw new Error(`${owner}.update: predicted label ${p} at position ${i} is not a class in [0, ${C})`);
      cells.push(t * C + p);
    });
    for (const cell of cells) this.counts[cell]! += 1;
  }

  private predictedLabels(preds: Tensor, target: Tensor): ArrayLike<number> {
    const { owner, C } = this;
    const data = preds.data();
    if (preds.dtype !== "int32" && preds.dtype !== "bool") {
      const nan = data.findIndex(Number.isNaN);
      if (nan >= 0) throw new Error(`${owner}.update: preds ${fmt(preds.shape)} hold NaN at flat index ${nan}; a NaN score predicts no class`);
    }
    const same = preds.shape.join() === target.shape.join();
    if (preds.dtype === "int32") {
      if (!same) throw new Error(`${owner}.update: label preds of shape ${fmt(preds.shape)} must have the target's shape ${fmt(target.shape)}`);
      return data;
    }
    if (this.opts.task === "binary") {
      if (!same) throw new Error(`${owner}.update: binary preds of shape ${fmt(preds.shape)} must have the target's shape ${fmt(target.shape)}`);
      const p = Array.from(data);
      const logits = p.some((v) => v < 0 || v > 1);
      return p.map((v) => ((logits ? 1 / (1 + Math.exp(-v)) : v) > this.threshold ? 1 : 0));
    }
    const expected = [target.shape[0], C, ...target.shape.slice(1)];
    if (target.ndim === 0 || preds.shape.join() !== expected.join()) {
      throw new Error(`${owner}.update: multiclass scores must have shape ${target.ndim === 0 ? "(N, C, ...)" : fmt(expected as number[])} (target ${fmt(target.shape)} with the ${C} classes in dim 1), got ${fmt(preds.shape)}`);
    }
    return preds.argmax(1).data();
  }
}

export interface ClassStats {
  tp: number[];
  fp: number[];
  fn: number[];
}

/** Per-class true positives, false positives and false negatives of a confusion matrix. */
export function classStats(counts: Float64Array, C: number): ClassStats {
  const tp: number[] = [];
  const fp: number[] = [];
  const fn: number[] = [];
  for (let c = 0; c < C; c++) {
    let row = 0;
    let col = 0;
    for (let k = 0; k < C; k++) {
      row += counts[c * C + k]!;
      col += counts[k * C + c]!;
    }
    tp.push(counts[c * C + c]!);
    fp.push(col - counts[c * C + c]!);
    fn.push(row - counts[c * C + c]!);
  }
  return { tp, fp, fn };
}
