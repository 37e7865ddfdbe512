import { describeValue } from "@tapegrad/autograd";
import { rejectUnknownKeys } from "../unknown-keys";

/** What a token is: a character (Unicode code point) or a word (a run of non-whitespace). */
export type VocabularyLevel = "char" | "word";

/** Special tokens, placed first in this order; each is optional. */
export interface VocabularySpecials {
  /** The padding token. */
  pad?: string;
  /** The token that stands for any token not in the vocabulary. */
  unknown?: string;
  /** The token `encode` puts at the start with `addBegin`. */
  begin?: string;
  /** The token `encode` puts at the end with `addEnd`. */
  end?: string;
}

/** Options of `Vocabulary.build`. */
export interface VocabularyBuildOptions {
  /** "char" (default) or "word". */
  level?: VocabularyLevel;
  /** Tokens seen fewer times are left out (default 1). */
  minFrequency?: number;
  /** At most this many tokens, specials included (default: no limit). */
  maxSize?: number;
  /** Default { pad: "<pad>", unknown: "<unk>" }. */
  specials?: VocabularySpecials;
}

/** A vocabulary as plain JSON, from `toJSON()` for `Vocabulary.fromJSON`. */
export interface VocabularyJSON {
  /** Characters or words. */
  level: VocabularyLevel;
  /** The special tokens. */
  specials: VocabularySpecials;
  /** Every token, in id order. */
  tokens: string[];
}

const SPECIAL_KEYS = ["pad", "unknown", "begin", "end"] as const;
const WORD = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * Splits text into tokens. "char": every Unicode code point (spaces included). "word": maximal
 * runs of letters, marks and digits, and every other non-space character (punctuation, symbols)
 * as a token of its own; whitespace only separates, and case is kept.
 */
export function tokenize(text: string, level: VocabularyLevel): string[] {
  if (typeof text !== "string") throw new Error(`tokenize: expected a string, got ${typeof text}`);
  return level === "char" ? [...text] : (text.match(WORD) ?? []);
}

/** A token <-> id table for character- or word-level text. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();

  private constructor(
    /** Characters or words. */
    readonly level: VocabularyLevel,
    /** The special tokens. */
    readonly specials: Readonly<VocabularySpecials>,
    /** Every token, in id order. */
    readonly tokens: readonly string[],
  ) {
    tokens.forEach((t, i) => {
      if (typeof t !== "string" || this.ids.has(t)) throw new Error(`Vocabulary: token ${JSON.stringify(t)} at id ${i} is not a string or appears twice`);
      this.ids.set(t, i);
    });
  }

  /**
   * Counts the tokens of `texts` and keeps those seen at least minFrequency times. Ids: the
   * specials first (pad, unknown, begin, end, those given), then the tokens by decreasing
   * frequency, ties broken by first appearance; maxSize cuts the end of that list.
   */
  static build(texts: Iterable<string>, opts: VocabularyBuildOptions = {}): Vocabulary {
    if (typeof texts === "string") throw new Error("Vocabulary.build: expected an array (or iterable) of texts, got one string");
    if (typeof (texts as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function") {
      throw new Error(`Vocabulary.build: expected an array (or iterable) of texts, got ${describeValue(texts)}`);
    }
    rejectUnknownKeys("Vocabulary.build", opts, ["level", "minFrequency", "maxSize", "specials"]);
    const level = checkLevel("Vocabulary.build", opts.level ?? "char");
    const minFrequency = opts.minFrequency ?? 1;
    const maxSize = opts.maxSize ?? Infinity;
    if (!(Number.isInteger(minFrequency) && minFrequency >= 1)) throw new Error(`Vocabulary.build: minFrequency must be a positive integer, got ${minFrequency}`);
    const specials = checkSpecials("Vocabulary.build", opts.specials ?? { pad: "<pad>", unknown: "<unk>" });
    const specialTokens = SPECIAL_KEYS.flatMap((k) => (specials[k] === undefined ? [] : [specials[k]]));
    if (!(maxSize === Infinity || Number.isInteger(maxSize)) || maxSize < specialTokens.length) {
      throw new Error(`Vocabulary.build: maxSize must be an integer >= the ${specialTokens.length} special tokens, got ${maxSize}`);
    }
    const counts = new Map<string, number>(); // insertion order = first appearance
    let i = 0;
    for (const text of texts) {
      if (typeof text !== "string") throw new Error(`Vocabulary.build: text ${i} must be a string, got ${describeValue(text)}`);
      for (const t of tokenize(text, level)) counts.set(t, (counts.get(t) ?? 0) + 1);
      i++;
    }
    const ranked = [...counts]
      .filter(([t, n]) => n >= minFrequency && !specialTokens.includes(t))
      .map(([t, n], order) => ({ t, n, order }))
      .sort((a, b) => b.n - a.n || a.order - b.order)
      .map((e) => e.t);
    return new Vocabulary(level, specials, [...specialTokens, ...ranked].slice(0, maxSize));
  }

  /** A vocabulary from `toJSON()`'s output. */
  static fromJSON(json: VocabularyJSON): Vocabulary {
    if (!json || !Array.isArray(json.tokens)) throw new Error("Vocabulary.fromJSON: expected { level, specials, tokens: string[] }");
    const level = checkLevel("Vocabulary.fromJSON", json.level);
    const specials = checkSpecials("Vocabulary.fromJSON", json.specials ?? {});
    const vocab = new Vocabulary(level, specials, [...json.tokens]);
    for (const k of SPECIAL_KEYS) {
      if (specials[k] !== undefined && !vocab.ids.has(specials[k])) throw new Error(`Vocabulary.fromJSON: special ${k} ${JSON.stringify(specials[k])} is not among the tokens`);
    }
    return vocab;
  }

  /** The vocabulary as plain JSON (what JSON.stringify writes). */
  toJSON(): VocabularyJSON {
    return { level: this.level, specials: { ...this.specials }, tokens: [...this.tokens] };
  }

  /** Number of tokens (specials included). */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a special token ("pad", "unknown", ...), or undefined if the vocabulary has none. */
  specialId(name: keyof VocabularySpecials): number | undefined {
    const t = this.specials[name];
    return t === undefined ? undefined : this.ids.get(t);
  }

  /** The id of one token; unknown tokens map to the unknown special, or throw without one. */
  id(token: string): number {
    const id = this.ids.get(token) ?? this.specialId("unknown");
    if (id === undefined) throw new Error(`Vocabulary: token ${JSON.stringify(token)} is not in the vocabulary, which has no unknown special`);
    return id;
  }

  /** Token ids of a text, optionally wrapped in the begin and end specials. */
  encode(text: string, opts: { addBegin?: boolean; addEnd?: boolean } = {}): number[] {
    if (typeof text !== "string") throw new Error(`Vocabulary.encode: text must be a string, got ${describeValue(text)}`);
    const ids = tokenize(text, this.level).map((t) => this.id(t));
    const marker = (name: "begin" | "end") => {
      const id = this.specialId(name);
      if (id === undefined) throw new Error(`Vocabulary.encode: add${name === "begin" ? "Begin" : "End"} needs a ${name} special, and this vocabulary has none`);
      return id;
    };
    if (opts.addBegin) ids.unshift(marker("begin"));
    if (opts.addEnd) ids.push(marker("end"));
    return ids;
  }

  /**
   * The text of token ids: joined with "" (char) or " " (word). The pad, begin and end specials
   * are dropped; unknown is written as its token.
   */
  decode(ids: Iterable<number>): string {
    if (typeof ids === "string" || typeof (ids as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function") {
      throw new Error(`Vocabulary.decode: ids must be an array (or iterable) of token ids, got ${describeValue(ids)}`);
    }
    const skip = new Set((["pad", "begin", "end"] as const).map((k) => this.specialId(k)));
    const out: string[] = [];
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.size) throw new Error(`Vocabulary.decode: id ${describeValue(id)} is out of range for a vocabulary of size ${this.size}`);
      if (!skip.has(id)) out.push(this.tokens[id]!);
    }
    return out.join(this.level === "char" ? "" : " ");
  }
}

function checkLevel(op: string, level: unknown): VocabularyLevel {
  if (level !== "char" && level !== "word") throw new Error(`${op}: level must be "char" or "word", got ${JSON.stringify(level)}`);
  return level;
}

function checkSpecials(op: string, specials: VocabularySpecials): VocabularySpecials {
  rejectUnknownKeys(`${op} specials`, specials, SPECIAL_KEYS);
  const given = SPECIAL_KEYS.filter((k) => specials[k] !== undefined);
  for (const k of given) {
    if (typeof specials[k] !== "string" || specials[k] === "") throw new Error(`${op}: special ${k} must be a non-empty string, got ${JSON.stringify(specials[k])}`);
  }
  if (new Set(given.map((k) => specials[k])).size !== given.length) throw new Error(`${op}: special tokens must differ, got ${JSON.stringify(specials)}`);
  return Object.fromEntries(given.map((k) => [k, specials[k]])) as VocabularySpecials;
}
