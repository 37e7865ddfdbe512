import { describe, expect, it } from "vitest";
import { Generator, gradcheck, tensor, type Tensor } from "@tapegrad/autograd";
import { AdditiveAttention, paddingMask, scaledDotProductAttention } from "@tapegrad/nn";
import { randn64 } from "./helpers";

const rows = (t: Tensor) => t.tolist() as number[][][];

/** softmax(q·k/√d) v over plain arrays, skipping masked keys: an implementation independent of the ops. */
function referenceAttention(q: number[][][], k: number[][][], v: number[][][], valid: number[][]): number[][][] {
  return q.map((qb, b) =>
    qb.map((qi) => {
      const s = k[b]!.map((kj, j) => (valid[b]![j] ? qi.reduce((acc, x, e) => acc + x * kj[e]!, 0) / Math.sqrt(qi.length) : -Infinity));
      const m = Math.max(...s);
      const w = s.map((x) => Math.exp(x - m));
      const z = w.reduce((a, x) => a + x, 0);
      return v[b]![0]!.map((_, e) => w.reduce((acc, wj, j) => acc + (wj / z) * v[b]![j]![e]!, 0));
    }),
  );
}

describe("paddingMask", () => {
  it("marks positions before each length", () => {
    expect(paddingMask([2, 3, 1]).tolist()).toEqual([[1, 1, 0], [1, 1, 1], [1, 0, 0]]);
    expect(paddingMask([1], 3).tolist()).toEqual([[1, 0, 0]]);
  });
  it("rejects lengths outside [1, maxLength]", () => {
    expect(() => paddingMask([0, 2])).toThrow(/paddingMask: every length must be an integer in \[1, 2\], got 0/);
    expect(() => paddingMask([4], 3)).toThrow(/got 4/);
  });
});

describe("scaledDotProductAttention", () => {
  const q = randn64([2, 3, 4], 1, true);
  const k = randn64([2, 5, 4], 2, true);
  const v = randn64([2, 5, 3], 3, true);
  const mask = paddingMask([5, 2], 5, { dtype: "float64" }).unsqueeze(1);

  it("matches a plain-loop reference, with masked keys given weight 0", () => {
    const [out, weights] = scaledDotProductAttention(q, k, v, { mask });
    const expected = referenceAttention(rows(q), rows(k), rows(v), [[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]]);
    rows(out).flat(2).forEach((x, i) => expect(x).toBeCloseTo(expected.flat(2)[i]!, 12));
    expect(weights.shape).toEqual([2, 3, 5]);
    for (const row of rows(weights)[1]!) expect(row.slice(2)).toEqual([0, 0, 0]);
    for (const row of rows(weights).flat()) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("passes gradcheck with and without a mask", () => {
    expect(gradcheck((a, b, c) => scaledDotProductAttention(a!, b!, c!, { mask })[0], [q, k, v]).ok).toBe(true);
    expect(gradcheck((a, b, c) => scaledDotProductAttention(a!, b!, c!)[0], [q, k, v]).ok).toBe(true);
  });

  it("gives masked keys and values no gradient", () => {
    const [out] = scaledDotProductAttention(q, k, v, { mask });
    out.sum().backward();
    const gk = rows(k.grad!)[1]!;
    const gv = rows(v.grad!)[1]!;
    for (let j = 2; j < 5; j++) {
      expect(gk[j]!.every((x) => x === 0)).toBe(true);
      expect(gv[j]!.every((x) => x === 0)).toBe(true);
    }
    for (const t of [q, k, v]) t.grad = null;
  });

  it("rejects mismatched shapes and fully masked queries with clear errors", () => {
    expect(() => scaledDotProductAttention(q, randn64([2, 5, 3], 4), v)).toThrow(/scaledDotProductAttention: query .* must share the feature size d, got query \[2,3,4\] and key \[2,5,3\]/);
    expect(() => scaledDotProductAttention(q, k, randn64([2, 4, 3], 5))).toThrow(/keys .* and values .* same number .* positions Lk/);
    expect(() => scaledDotProductAttention(q, k, v, { mask: paddingMask([4, 2], 4, { dtype: "float64" }) })).toThrow(/mask of shape \[2,4\] cannot be broadcast to the attention scores. shape \[2,3,5\]/);
    const dead = tensor([[[1, 1, 1, 1, 1]], [[0, 0, 0, 0, 0]]], { dtype: "float64" });
    expect(() => scaledDotProductAttention(q, k, v, { mask: dead })).toThrow(/every key is masked for query row 3/);
  });
});

describe("AdditiveAttention", () => {
  const attn = new AdditiveAttention(3, 4, 5, { dtype: "float64", generator: new Generator(7) });
  const keys = randn64([2, 6, 4], 11, true);
  const values = randn64([2, 6, 2], 12, true);
  const query = randn64([2, 3], 13, true);
  const mask = paddingMask([6, 3], 6, { dtype: "float64" });

  it("uses PyTorch-style parameter names and shapes", () => {
    expect(attn.namedParameters().map(([n, p]) => `${n} [${p.shape}]`)).toEqual(["query.weight [5,3]", "key.weight [5,4]", "key.bias [5]", "score.weight [1,5]"]);
  });

  it("computes vᵀ tanh(W_q q + W_k k + b), softmax over unmasked keys, weighted sum of values", () => {
    const [context, weights] = attn.forward(query, keys, values, { mask });
    expect(context.shape).toEqual([2, 2]);
    expect(weights.shape).toEqual([2, 6]);
    const [Wq, Wk, bk, v] = [attn.query.weight, attn.key.weight, attn.key.bias!, attn.score.weight].map((t) => t.tolist()) as [number[][], number[][], number[], number[][]];
    const qs = query.tolist() as number[][];
    const ks = keys.tolist() as number[][][];
    const vs = values.tolist() as number[][][];
    [6, 3].forEach((len, b) => {
      const qp = Wq.map((row) => row.reduce((s, w, i) => s + w * qs[b]![i]!, 0));
      const scores = ks[b]!.slice(0, len).map((kj) => v[0]!.reduce((s, va, a) => s + va * Math.tanh(qp[a]! + Wk[a]!.reduce((t, w, i) => t + w * kj[i]!, 0) + bk[a]!), 0));
      const e = scores.map((s) => Math.exp(s - Math.max(...scores)));
      const z = e.reduce((x, y) => x + y, 0);
      const w = [...e.map((x) => x / z), ...new Array(6 - len).fill(0)];
      (weights.tolist() as number[][])[b]!.forEach((x, j) => expect(x).toBeCloseTo(w[j]!, 12));
      const ctx = [0, 1].map((d) => w.reduce((s, wj, j) => s + wj * vs[b]![j]![d]!, 0));
      (context.tolist() as number[][])[b]!.forEach((x, d) => expect(x).toBeCloseTo(ctx[d]!, 12));
    });
  });

  it("passes gradcheck for inputs and parameters, 2-D and 3-D queries", () => {
    const params = attn.parameters();
    const fn = (q: Tensor, k: Tensor, v: Tensor) => attn.forward(q, k, v, { mask });
    expect(gradcheck((q, k, v, ..._p) => fn(q!, k!, v!), [query, keys, values, ...params]).ok).toBe(true);
    const queries = randn64([2, 4, 3], 14, true);
    expect(gradcheck((q, k, v, ..._p) => fn(q!, k!, v!)[0], [queries, keys, values, ...params]).ok).toBe(true);
  });

  it("gives the same result with precomputed projected keys", () => {
    const [a] = attn.forward(query, keys, values, { mask });
    const [b] = attn.forward(query, keys, values, { mask, projectedKeys: attn.projectKeys(keys) });
    expect(b.tolist()).toEqual(a.tolist());
  });

  it("rejects inputs of the wrong shape", () => {
    expect(() => attn.forward(randn64([2, 4], 1), keys, values)).toThrow(/AdditiveAttention: query must be \(batch, 3\) or \(batch, Lq, 3\) with the keys' batch 2, got \[2,4\]/);
    expect(() => attn.forward(query, randn64([2, 6, 3], 1), randn64([2, 6, 2], 2))).toThrow(/keys must be \(batch, Lk, 4\), got \[2,6,3\]/);
    expect(() => attn.forward(query, keys, values, { projectedKeys: randn64([2, 6, 4], 3) })).toThrow(/projectedKeys must be \(batch, Lk, 5\)/);
  });
});
