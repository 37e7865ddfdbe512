import { describeValue, type Tensor } from "@tapegrad/autograd";
import { rejectUnknownKeys } from "../../unknown-keys";
import { checkBlank, readLengths, readLogProbs, type Lengths } from "./input";
import { logAdd } from "./lattice";
import type { CtcHypothesis } from "./greedy";

/** Options of {@link ctcBeamSearch}. */
export interface CtcBeamSearchOptions {
  /** Prefixes kept at each step. */
  beamWidth: number;
  /** The blank class (0 by default). */
  blank?: number;
  /** Valid steps per sequence (all T by default). */
  inputLengths?: Lengths;
}

/** A prefix with the log-probabilities of its paths that end in a blank and in its last label. */
interface Beam {
  tokens: number[];
  blank: number;
  label: number;
}

const total = (beam: Beam) => logAdd(beam.blank, beam.label);

function byScore(a: Beam, b: Beam): number {
  const d = total(b) - total(a);
  if (d !== 0) return d;
  for (let i = 0; i < Math.min(a.tokens.length, b.tokens.length); i++) if (a.tokens[i] !== b.tokens[i]) return a.tokens[i]! - b.tokens[i]!;
  return a.tokens.length - b.tokens.length;
}

/** One step of prefix beam search: extends every kept prefix by every class, merging equal prefixes. */
function step(beams: Beam[], lp: ArrayLike<number>, base: number, C: number, blank: number): Beam[] {
  const next = new Map<string, Beam>();
  const at = (tokens: number[]) => {
    const key = tokens.join(",");
    let beam = next.get(key);
    if (!beam) next.set(key, (beam = { tokens, blank: -Infinity, label: -Infinity }));
    return beam;
  };
  for (const beam of beams) {
    const last = beam.tokens.length > 0 ? beam.tokens[beam.tokens.length - 1]! : -1;
    for (let c = 0; c < C; c++) {
      const p = lp[base + c]!;
      if (c === blank) {
        const same = at(beam.tokens);
        same.blank = logAdd(same.blank, total(beam) + p);
      } else if (c === last) {
        // a repeat merges into the prefix unless a blank separates it
        const same = at(beam.tokens);
        same.label = logAdd(same.label, beam.label + p);
        const longer = at([...beam.tokens, c]);
        longer.label = logAdd(longer.label, beam.blank + p);
      } else {
        const longer = at([...beam.tokens, c]);
        longer.label = logAdd(longer.label, total(beam) + p);
      }
    }
  }
  return [...next.values()].filter((beam) => total(beam) > -Infinity);
}

/**
 * Prefix beam search: keeps the beamWidth most likely label prefixes at each step, each scored by
 * the summed probability of all its alignments so far. Returns, per batch item, up to beamWidth
 * hypotheses best first with their log-probabilities. logProbs (T, N, C) or (T, C).
 */
export function ctcBeamSearch(logProbs: Tensor, opts: CtcBeamSearchOptions): CtcHypothesis[][] {
  const op = "ctcBeamSearch";
  rejectUnknownKeys(op, opts, ["beamWidth", "blank", "inputLengths"]);
  const { data, T, N, C } = readLogProbs(op, logProbs, true);
  const { beamWidth, blank = 0 } = opts;
  if (!Number.isInteger(beamWidth) || beamWidth < 1) throw new Error(`${op}: beamWidth must be a positive integer, got ${describeValue(beamWidth)}`);
  checkBlank(op, blank, C);
  const steps = opts.inputLengths === undefined ? new Int32Array(N).fill(T) : readLengths(op, "inputLengths", opts.inputLengths, N, T, "the number of steps T");
  return Array.from(steps, (length, b) => {
    let beams: Beam[] = [{ tokens: [], blank: 0, label: -Infinity }];
    for (let t = 0; t < length; t++) beams = step(beams, data, (t * N + b) * C, C, blank).sort(byScore).slice(0, beamWidth);
    return beams.map((beam) => ({ tokens: beam.tokens, score: total(beam) }));
  });
}
