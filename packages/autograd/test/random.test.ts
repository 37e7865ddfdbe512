import { describe, expect, it } from "vitest";
import { Generator, manualSeed, rand, randint, randn, randperm } from "../src/index";

// An independent xoshiro128** (Blackman & Vigna's reference, in BigInt arithmetic mod 2³²),
// seeded the way random.ts documents: four outputs of splitmix32 (a Weyl step of 0x9e3779b9
// followed by the murmur3 finalizer) starting from the seed.
const M = (1n << 32n) - 1n;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;

function referenceXoshiro(state: bigint[]) {
  const s = [...state];
  return () => {
    const result = (rotl((s[1]! * 5n) & M, 7n) * 9n) & M;
    const t = (s[1]! << 9n) & M;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
    return Number(result);
  };
}

function splitmix32State(seed: number): bigint[] {
  let x = BigInt(seed) & M;
  return Array.from({ length: 4 }, () => {
    x = (x + 0x9e3779b9n) & M;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    return z ^ (z >> 16n);
  });
}

describe("Generator: xoshiro128** seeded through splitmix32", () => {
  it("matches the reference algorithm from a given state (first value worked by hand: rotl(2·5, 7)·9 = 11520)", () => {
    const g = new Generator(0).setState({ s: [1, 2, 3, 4], spare: null });
    const ref = referenceXoshiro([1n, 2n, 3n, 4n]);
    const first = g.nextUint32();
    expect(first).toBe(11520);
    expect(ref()).toBe(11520);
    for (let i = 0; i < 1000; i++) expect(g.nextUint32()).toBe(ref());
  });

  it("matches the reference from a seed, for uniform doubles (53 bits) too", () => {
    for (const seed of [0, 1, 42, 123456789, 2 ** 32 - 1]) {
      const g = new Generator(seed);
      const ref = referenceXoshiro(splitmix32State(seed));
      for (let i = 0; i < 100; i++) expect(g.nextUint32()).toBe(ref());
      const u = g.random();
      expect(u).toBe(((ref() >>> 5) * 2 ** 26 + (ref() >>> 6)) / 2 ** 53);
    }
  });

  it("normals are Box–Muller pairs of its uniforms", () => {
    const g = new Generator(5);
    const ref = new Generator(5);
    const u1 = 1 - ref.random();
    const u2 = ref.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    expect(g.normal()).toBe(r * Math.cos(2 * Math.PI * u2));
    expect(g.normal()).toBe(r * Math.sin(2 * Math.PI * u2));
  });

  it("same seed -> identical numbers; another seed -> different ones", () => {
    const a = randn([50], { generator: new Generator(7), dtype: "float64" }).data();
    const b = randn([50], { generator: new Generator(7), dtype: "float64" }).data();
    const c = randn([50], { generator: new Generator(8), dtype: "float64" }).data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("manualSeed reseeds the default generator", () => {
    manualSeed(99);
    const first = [rand([3]).data(), randn([2, 2]).data(), randint(0, 10, [4]).data()].map((t) => Array.from(t));
    manualSeed(99);
    const again = [rand([3]).data(), randn([2, 2]).data(), randint(0, 10, [4]).data()].map((t) => Array.from(t));
    expect(again).toEqual(first);
  });

  it("getState/setState resume the stream exactly, including a spare normal", () => {
    const g = new Generator(3);
    g.normal();
    const state = g.getState();
    const next = [g.normal(), g.normal(), g.random()];
    g.setState(state);
    expect([g.normal(), g.normal(), g.random()]).toEqual(next);
  });

  it("distributions: rand in [0, 1), randn about N(0, 1), randint in range, randperm a permutation", () => {
    const gen = new Generator(11);
    const u = Array.from(rand([20000], { generator: gen, dtype: "float64" }).data());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 0.5)).toBeLessThan(0.01);
    const n = Array.from(randn([20000], { generator: gen, dtype: "float64" }).data());
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    const k = Array.from(randint(-3, 4, [5000], { generator: gen }).data());
    expect(new Set(k)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(Array.from(randperm(50, { generator: gen }).data()).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
