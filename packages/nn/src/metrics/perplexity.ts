import { checkInt, isTensor, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";

/**
 * exp of the mean negative log-likelihood of the targets under softmax(logits), over every
 * update, as torchmetrics' Perplexity: logits (..., C) with the classes last, int32 targets
 * (...); positions whose target is ignoreIndex are left out.
 */
export class Perplexity {
  private nll = 0;
  private count = 0;
  /** Target value whose positions are left out, or undefined. */
  readonly ignoreIndex: number | undefined;

  constructor(opts: { ignoreIndex?: number } = {}) {
    rejectUnknownKeys("Perplexity", opts, ["ignoreIndex"]);
    this.ignoreIndex = opts.ignoreIndex === undefined ? undefined : checkInt("Perplexity", "ignoreIndex", opts.ignoreIndex);
  }

  /** Adds a batch: logits (..., C) with the classes last and int32 targets of the leading shape (...). */
  update(logits: Tensor, target: Tensor): void {
    if (!isTensor(logits) || !isTensor(target)) throw new Error("Perplexity.update: logits and target must be tensors");
    if (logits.dtype === "int32" || target.dtype !== "int32") {
      throw new Error(`Perplexity.update: expected float logits and int32 targets, got ${logits.dtype} and ${target.dtype}`);
    }
    const C = logits.shape.at(-1);
    if (logits.ndim === 0 || logits.shape.slice(0, -1).join() !== target.shape.join()) {
      throw new Error(`Perplexity.update: logits of shape ${fmt(logits.shape)} need a target of shape ${fmt(logits.shape.slice(0, -1))} (the classes last), got ${fmt(target.shape)}`);
    }
    const classes = target.data();
    const keep: number[] = [];
    classes.forEach((t, i) => {
      if (t === this.ignoreIndex) return;
      if (!(t >= 0 && t < C!)) throw new Error(`Perplexity.update: target ${t} at position ${i} is out of range for ${C} classes`);
      keep.push(i * C! + t);
    });
    if (keep.length === 0) return;
    const logp = noGrad(() => logits.logSoftmax(-1).reshape([-1]).indexSelect(0, tensor(keep, { dtype: "int32" })).data());
    for (const v of logp) this.nll -= v;
    this.count += keep.length;
  }

  /** exp of the mean cross-entropy over everything accumulated. */
  compute(): number {
    if (this.count === 0) throw new Error("Perplexity.compute: no targets counted yet (all ignored, or no update)");
    return Math.exp(this.nll / this.count);
  }

  /** Forgets everything accumulated. */
  reset(): void {
    this.nll = 0;
    this.count = 0;
  }
}
