import { editDistance } from "./edit-distance";

/** Texts as a list: one string or an array of strings. */
function texts(op: string, name: string, v: string | readonly string[]): readonly string[] {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) throw new Error(`${op}: ${name} must be a string or an array of strings`);
  return list;
}

/**
 * Σ editDistance(prediction, reference) / Σ reference length over every update, in tokens that
 * `split` makes of a text; as torchmetrics' error rates.
 */
abstract class ErrorRate {
  private errors = 0;
  private total = 0;
  /** @internal */
  protected abstract readonly name: string;
  /** @internal */
  protected abstract split(text: string): string[];

  /** Adds one prediction and its reference, or two equally long arrays of them. */
  update(preds: string | readonly string[], target: string | readonly string[]): void {
    const p = texts(this.name, "preds", preds);
    const t = texts(this.name, "target", target);
    if (p.length !== t.length) throw new Error(`${this.name}: ${p.length} predictions but ${t.length} references; expected one reference per prediction`);
    p.forEach((pred, i) => {
      const ref = this.split(t[i]!);
      this.errors += editDistance(this.split(pred), ref);
      this.total += ref.length;
    });
  }

  /** Σ edit distance / Σ reference length over everything accumulated; throws while the references hold no tokens. */
  compute(): number {
    if (this.total === 0) throw new Error(`${this.name}.compute: the references seen so far hold no tokens; call update with non-empty references first`);
    return this.errors / this.total;
  }

  /** Forgets everything accumulated. */
  reset(): void {
    this.errors = 0;
    this.total = 0;
  }
}

/** Character error rate: edit distance over Unicode code points (spaces count). */
export class CharErrorRate extends ErrorRate {
  /** @internal */
  protected readonly name = "CharErrorRate";
  /** @internal */
  protected split(text: string): string[] {
    return [...text];
  }
}

/** Word error rate: edit distance over words, a word being a run of non-whitespace. */
export class WordErrorRate extends ErrorRate {
  /** @internal */
  protected readonly name = "WordErrorRate";
  /** @internal */
  protected split(text: string): string[] {
    return text.split(/\s+/).filter((w) => w !== "");
  }
}
