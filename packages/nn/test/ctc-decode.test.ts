import { describe, expect, it } from "vitest";
import { Generator, rand, stack, tensor, type Tensor } from "@tapegrad/autograd";
import { ctcBeamSearch, ctcGreedyDecode } from "@tapegrad/nn";

const logOf = (probs: number[][]) => tensor(probs.map((row) => row.map(Math.log)), { dtype: "float64" });

/** Every labelling of a (T, C) distribution with its exact probability, by enumerating all C^T paths. */
function exactLabellings(probs: number[][], blank: number): Map<string, number> {
  const T = probs.length;
  const C = probs[0]!.length;
  const out = new Map<string, number>();
  for (let code = 0; code < C ** T; code++) {
    let p = 1;
    const tokens: number[] = [];
    let previous = blank;
    for (let t = 0, rest = code; t < T; t++, rest = Math.floor(rest / C)) {
      const c = rest % C;
      p *= probs[t]![c]!;
      if (c !== blank && c !== previous) tokens.push(c);
      previous = c;
    }
    out.set(tokens.join(","), (out.get(tokens.join(",")) ?? 0) + p);
  }
  return out;
}

function randomDistribution(T: number, C: number, seed: number): number[][] {
  const u = rand([T, C], { dtype: "float64", generator: new Generator(seed) }).add(0.05).tolist() as number[][];
  return u.map((row) => row.map((v) => v / row.reduce((a, x) => a + x, 0)));
}

describe("ctcGreedyDecode", () => {
  it("takes the best class per step, merges repeats and drops blanks; score is that path's log-probability", () => {
    const probs = [[0.1, 0.7, 0.2], [0.2, 0.6, 0.2], [0.5, 0.2, 0.3], [0.1, 0.6, 0.3], [0.2, 0.1, 0.7], [0.3, 0.1, 0.6]];
    const [hyp] = ctcGreedyDecode(logOf(probs));
    expect(hyp!.tokens).toEqual([1, 1, 2]);
    expect(hyp!.score).toBeCloseTo(Math.log(0.7 * 0.6 * 0.5 * 0.6 * 0.7 * 0.6), 14);
    // with class 2 as the blank the path 1 1 0 1 2 2 reads 1 0 1
    expect(ctcGreedyDecode(logOf(probs), undefined, { blank: 2 })[0]!.tokens).toEqual([1, 0, 1]);
  });

  it("decodes each batch item over its own length", () => {
    const a = [[0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.1, 0.1, 0.8]];
    const b = [[0.1, 0.1, 0.8], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1]];
    const batch = stack([logOf(a), logOf(b)], 1);
    const [first, second] = ctcGreedyDecode(batch, [3, 2]);
    expect(first).toEqual(ctcGreedyDecode(logOf(a))[0]);
    expect(second!.tokens).toEqual([2]);
    expect(second!.score).toBeCloseTo(2 * Math.log(0.8), 14);
    expect(ctcGreedyDecode(batch, tensor([0, 1], { dtype: "int32" }))[0]).toEqual({ tokens: [], score: 0 });
  });

  it("rejects bad input", () => {
    expect(() => ctcGreedyDecode(logOf([[0.5, 0.5]]), [2])).toThrow(/ctcGreedyDecode: inputLengths\[0\] must be an integer in \[0, 1\]/);
    expect(() => ctcGreedyDecode(tensor([1, 2], { dtype: "float64" }))).toThrow(/ctcGreedyDecode: logProbs must have shape \(T, N, C\) or \(T, C\)/);
    expect(() => ctcGreedyDecode(logOf([[0.5, 0.5]]), undefined, { blank: 2 })).toThrow(/ctcGreedyDecode: blank must be a class index in \[0, 1\], got 2/);
  });
});

describe("ctcBeamSearch", () => {
  it("finds a label spread over two frames that the single best path misses", () => {
    // best path: blank blank (0.36); but "a" has a-a + a-blank + blank-a = 0.16 + 0.24 + 0.24 = 0.64
    const lp = logOf([[0.6, 0.4], [0.6, 0.4]]);
    expect(ctcGreedyDecode(lp)[0]!.tokens).toEqual([]);
    const [beams] = ctcBeamSearch(lp, { beamWidth: 2 });
    expect(beams!.map((h) => h.tokens)).toEqual([[1], []]);
    expect(beams![0]!.score).toBeCloseTo(Math.log(0.64), 14);
    expect(beams![1]!.score).toBeCloseTo(Math.log(0.36), 14);
  });

  it("keeps repeated labels apart only across a blank", () => {
    const lp = logOf([[0.1, 0.9], [0.8, 0.2], [0.1, 0.9]]);
    const [beams] = ctcBeamSearch(lp, { beamWidth: 8 });
    const exact = exactLabellings([[0.1, 0.9], [0.8, 0.2], [0.1, 0.9]], 0);
    expect(beams!.map((h) => h.tokens.join(","))).toEqual(["1,1", "1", ""]);
    for (const h of beams!) expect(h.score).toBeCloseTo(Math.log(exact.get(h.tokens.join(","))!), 14);
  });

  it("gives exactly the top labellings of every tiny case when the beam holds every prefix", () => {
    for (let T = 1; T <= 4; T++) {
      for (let C = 2; C <= 3; C++) {
        for (const blank of [0, C - 1]) {
          const probs = randomDistribution(T, C, 100 * T + 10 * C + blank);
          const exact = [...exactLabellings(probs, blank)].sort((x, y) => y[1] - x[1]);
          const prefixes = Array.from({ length: T + 1 }, (_, l) => (C - 1) ** l).reduce((a, v) => a + v, 0);
          const [beams] = ctcBeamSearch(logOf(probs), { beamWidth: prefixes, blank });
          expect(beams!.map((h) => h.tokens.join(","))).toEqual(exact.map(([k]) => k));
          beams!.forEach((h, i) => expect(h.score).toBeCloseTo(Math.log(exact[i]![1]), 12));
          const top = Math.min(3, exact.length);
          const [narrow] = ctcBeamSearch(logOf(probs), { beamWidth: top, blank });
          expect(narrow).toHaveLength(top);
          // the best path's probability is the largest single path's, found by enumeration too
          const best = Math.max(...Array.from({ length: C ** T }, (_, code) => probs.reduce((p, row, t) => p * row[Math.floor(code / C ** t) % C]!, 1)));
          expect(ctcGreedyDecode(logOf(probs), undefined, { blank })[0]!.score).toBeCloseTo(Math.log(best), 12);
        }
      }
    }
  });

  it("searches each batch item over its own length", () => {
    const a = randomDistribution(4, 3, 1);
    const b = randomDistribution(4, 3, 2);
    const batch: Tensor = stack([logOf(a), logOf(b)], 1);
    const [first, second] = ctcBeamSearch(batch, { beamWidth: 3, inputLengths: [4, 2] });
    expect(first).toEqual(ctcBeamSearch(logOf(a), { beamWidth: 3 })[0]);
    expect(second).toEqual(ctcBeamSearch(logOf(b.slice(0, 2)), { beamWidth: 3 })[0]);
  });

  it("rejects a bad beam width", () => {
    expect(() => ctcBeamSearch(logOf([[0.5, 0.5]]), { beamWidth: 0 })).toThrow(/ctcBeamSearch: beamWidth must be a positive integer, got 0/);
    expect(() => ctcBeamSearch(logOf([[0.5, 0.5]]), { beamWidth: 2, inputLengths: [1, 1] })).toThrow(/ctcBeamSearch: inputLengths must have one entry per batch item \(1\), got 2/);
  });
});
