import { describe, expect, it } from "vitest";
import { Generator, zeros } from "@tapegrad/autograd";
import { GRU, init } from "@tapegrad/nn";

const values = (t: { data(): ArrayLike<number> }) => Array.from(t.data());
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

describe("init", () => {
  it("uniform_ stays in [a, b) and covers it; the same generator seed gives the same numbers", () => {
    const v = values(init.uniform_(zeros([2000], { dtype: "float64" }), -2, 3, { generator: new Generator(1) }));
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v)).toBeLessThan(3);
    expect(Math.abs(mean(v) - 0.5)).toBeLessThan(0.1);
    expect(values(init.uniform_(zeros([2000], { dtype: "float64" }), -2, 3, { generator: new Generator(1) }))).toEqual(v);
  });

  it("normal_ has the requested mean and std", () => {
    const v = values(init.normal_(zeros([20000], { dtype: "float64" }), 3, 0.5, { generator: new Generator(2) }));
    expect(Math.abs(mean(v) - 3)).toBeLessThan(0.02);
    expect(Math.abs(std(v) - 0.5)).toBeLessThan(0.02);
  });

  it("xavierUniform_ and kaimingUniform_ use PyTorch's bounds", () => {
    const w = zeros([30, 50, 2], { dtype: "float64" }); // fanIn 100, fanOut 60
    const xb = Math.sqrt(6 / 160) * 2;
    const xv = values(init.xavierUniform_(w, 2, { generator: new Generator(3) }));
    expect(Math.max(...xv.map(Math.abs))).toBeLessThanOrEqual(xb);
    expect(Math.max(...xv.map(Math.abs))).toBeGreaterThan(0.98 * xb);
    const kb = Math.sqrt(2) * Math.sqrt(3 / 100); // relu gain, fanIn
    const kv = values(init.kaimingUniform_(w, { nonlinearity: "relu", generator: new Generator(4) }));
    expect(Math.max(...kv.map(Math.abs))).toBeLessThanOrEqual(kb);
    expect(Math.max(...kv.map(Math.abs))).toBeGreaterThan(0.98 * kb);
    const fb = Math.sqrt(2 / (1 + 5)) * Math.sqrt(3 / 60); // leaky_relu with a = √5, fanOut
    const fv = values(init.kaimingUniform_(w, { a: Math.sqrt(5), mode: "fanOut", generator: new Generator(5) }));
    expect(Math.max(...fv.map(Math.abs))).toBeLessThanOrEqual(fb);
    expect(Math.max(...fv.map(Math.abs))).toBeGreaterThan(0.98 * fb);
    expect(() => init.xavierUniform_(zeros([3]))).toThrow(/at least 2 dims, got shape \[3\]/);
  });

  it.each([[4, 7], [7, 4], [5, 5]])("orthogonal_ gives orthonormal rows or columns (%i x %i), scaled by gain", (rows, cols) => {
    const q = init.orthogonal_(zeros([rows, cols], { dtype: "float64" }), 1.5, { generator: new Generator(6) });
    const gram = rows <= cols ? q.matmul(q.T) : q.T.matmul(q);
    const n = Math.min(rows, cols);
    const g = values(gram);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(g[i * n + j]! - (i === j ? 2.25 : 0))).toBeLessThan(1e-12);
  });

  it("zeros_ and constant_ fill; initializers accept parameters that require grad", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3 });
    for (const p of gru.parameters()) init.zeros_(p);
    expect(gru.parameters().every((p) => values(p).every((v) => v === 0))).toBe(true);
    expect(values(init.constant_(zeros([2]), 1.5))).toEqual([1.5, 1.5]);
  });

  it("recurrent layers start from U(±1/√hidden)", () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 16, numLayers: 2, generator: new Generator(7) });
    const all = gru.parameters().flatMap(values);
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.24);
  });
});
