import { describe, expect, it } from "vitest";
import { bernoulli, full, Generator, multinomial, tensor } from "../src/index";

const probs = tensor([[0.1, 0, 0.6, 0.3], [1, 1, 1, 1]], { dtype: "float64" });

describe("multinomial and bernoulli draw through a Generator", () => {
  it("the same seed gives the same draws; another seed other draws", () => {
    const draw = (seed: number) => multinomial(probs, 3, { generator: new Generator(seed) }).tolist();
    expect(draw(7)).toEqual(draw(7));
    expect([1, 2, 3, 4].map((s) => JSON.stringify(draw(s))).some((d) => d !== JSON.stringify(draw(7)))).toBe(true);
    const coin = (seed: number) => bernoulli(full([50], 0.5, { dtype: "float64" }), { generator: new Generator(seed) }).tolist();
    expect(coin(3)).toEqual(coin(3));
    expect(coin(3)).not.toEqual(coin(4));
  });

  it("without replacement every row holds distinct categories of non-zero probability", () => {
    const g = new Generator(1);
    for (let i = 0; i < 200; i++) {
      const rows = multinomial(probs, 3, { generator: g }).tolist() as number[][];
      expect(rows.map((r) => r.length)).toEqual([3, 3]);
      rows.forEach((r) => expect(new Set(r).size).toBe(3));
      expect(rows[0]!.includes(1)).toBe(false);
    }
  });

  it("with replacement the frequencies approach the normalized weights", () => {
    const n = 20000;
    const counts = [0, 0, 0, 0];
    for (const k of multinomial(tensor([2, 0, 1, 1], { dtype: "float64" }), n, { replacement: true, generator: new Generator(5) }).data()) counts[k]!++;
    // binomial standard deviation is at most sqrt(n / 4) ≈ 71; allow 5 of them
    [0.5, 0, 0.25, 0.25].forEach((p, k) => expect(Math.abs(counts[k]! - p * n)).toBeLessThan(360));
  });

  it("bernoulli is 1 with probability p: 0 and 1 exactly, frequencies otherwise, dtype and shape kept", () => {
    const p = tensor([[0, 1, 0.25]], { dtype: "float32" });
    const draws = Array.from({ length: 4000 }, (_, i) => bernoulli(p, { generator: new Generator(i) }));
    expect(draws[0]!.shape).toEqual([1, 3]);
    expect(draws[0]!.dtype).toBe("float32");
    const column = (j: number) => draws.reduce((s, d) => s + d.data()[j]!, 0);
    expect(column(0)).toBe(0);
    expect(column(1)).toBe(4000);
    expect(Math.abs(column(2) - 1000)).toBeLessThan(5 * Math.sqrt(4000 * 0.25 * 0.75));
  });

  it("bad probabilities and sample counts are errors naming the function and the value", () => {
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow("multinomial: probabilities must be finite and non-negative, got [0.5, -0.10000000149011612] in row 0");
    expect(() => multinomial(tensor([0, 0]), 1)).toThrow("multinomial: row 0 of probs sums to 0");
    expect(() => multinomial(tensor([0.5, 0, 0.5]), 3)).toThrow("multinomial: cannot draw 3 samples without replacement from row 0, which has 2 non-zero probabilities");
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow("multinomial: probs must be 1-d or 2-d, got shape [1, 1, 1]");
    expect(() => multinomial(tensor([1]), 0)).toThrow("multinomial: numSamples must be a positive integer, got 0");
    expect(() => bernoulli(tensor([0.5, 1.5]))).toThrow("bernoulli: probabilities must lie in [0, 1], got 1.5 at element 1 (shape [2])");
  });
});
