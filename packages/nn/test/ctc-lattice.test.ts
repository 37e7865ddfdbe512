import { describe, expect, it } from "vitest";
import { logAdd, logAlpha, logBeta, negLogLikelihood, writeGradient, type Sequence } from "../src/losses/ctc/lattice";
import { randn64 } from "./helpers";

/** A (T, C) sequence of log-probabilities whose reads are counted. */
function counted(T: number, C: number, labels: number[]) {
  const data = randn64([T, C], T).logSoftmax(-1).data();
  const reads = { count: 0 };
  const lp = new Proxy(data, {
    get(target, key) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads.count++;
      return Reflect.get(target, key) as unknown;
    },
  });
  const q: Sequence = { lp, stride: C, offset: 0, steps: T, labels, blank: 0 };
  return { q, reads, data };
}

describe("CTC lattice", () => {
  it("does work linear in T: 4x the steps read the log-probabilities about 4x as often", () => {
    const labels = [1, 2, 2, 3, 1, 4, 4, 2];
    const work = (T: number) => {
      const { q, reads } = counted(T, 5, labels);
      const alpha = logAlpha(q);
      const beta = logBeta(q);
      writeGradient(q, alpha, beta, negLogLikelihood(q, alpha), new Float64Array(T * 5), 5);
      return reads.count;
    };
    const ratio = work(400) / work(100);
    expect(ratio).toBeGreaterThan(3.8); // quadratic work would give 16, T log T about 4.9
    expect(ratio).toBeLessThan(4.3);
  });

  it("gives the same likelihood from α·β at every step", () => {
    const labels = [1, 1, 2, 3];
    const { q } = counted(9, 4, labels);
    const alpha = logAlpha(q);
    const beta = logBeta(q);
    const nll = negLogLikelihood(q, alpha);
    const S = 2 * labels.length + 1;
    for (let t = 0; t < 9; t++) {
      let total = -Infinity;
      for (let s = 0; s < S; s++) {
        const c = s % 2 ? labels[(s - 1) / 2]! : 0;
        total = logAdd(total, alpha[t * S + s]! + beta[t * S + s]! - q.lp[t * 4 + c]!);
      }
      expect(-total).toBeCloseTo(nll, 12);
    }
  });

  it("adds in log space without overflow or underflow", () => {
    expect(logAdd(-Infinity, -Infinity)).toBe(-Infinity);
    expect(logAdd(-Infinity, -3)).toBe(-3);
    expect(logAdd(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAdd(-1000, -1001)).toBeCloseTo(-1000 + Math.log1p(Math.exp(-1)), 12);
  });
});
