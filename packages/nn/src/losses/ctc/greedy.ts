import type { Tensor } from "@tapegrad/autograd";
import { rejectUnknownKeys } from "../../unknown-keys";
import { checkBlank, readLengths, readLogProbs, type Lengths } from "./input";

/** A decoded label sequence and its log score. */
export interface CtcHypothesis {
  /** The decoded labels (repeats merged, blanks removed). */
  tokens: number[];
  /** The log-probability of the hypothesis. */
  score: number;
}

/**
 * Best-path decoding: the most likely class at each step, repeats merged, blanks dropped. score
 * is the log-probability of that one path. logProbs (T, N, C) or (T, C); one result per item.
 */
export function ctcGreedyDecode(logProbs: Tensor, inputLengths?: Lengths, opts: { blank?: number } = {}): CtcHypothesis[] {
  const op = "ctcGreedyDecode";
  rejectUnknownKeys(op, opts, ["blank"]);
  const { data, T, N, C } = readLogProbs(op, logProbs, true);
  const blank = opts.blank ?? 0;
  checkBlank(op, blank, C);
  const steps = inputLengths === undefined ? new Int32Array(N).fill(T) : readLengths(op, "inputLengths", inputLengths, N, T, "the number of steps T");
  return Array.from(steps, (length, b) => {
    const tokens: number[] = [];
    let score = 0;
    let previous = blank;
    for (let t = 0; t < length; t++) {
      const base = (t * N + b) * C;
      let best = 0;
      for (let c = 1; c < C; c++) if (data[base + c]! > data[base + best]!) best = c;
      score += data[base + best]!;
      if (best !== blank && best !== previous) tokens.push(best);
      previous = best;
    }
    return { tokens, score };
  });
}
