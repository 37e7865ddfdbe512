import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Generator, getBackend, matmul, randn, setBackend, wasmKernels, type BackendName, type Tensor } from "../src/index";

const initial = getBackend();
afterEach(() => setBackend(initial === "custom" ? "auto" : initial));

/** Σ_k a[..., i, k] b[..., k, j] in float64, straight from tolist(): a reference that shares no kernel code. */
function reference(a: Tensor, b: Tensor): number[][] {
  const A = a.tolist() as number[][];
  const B = b.tolist() as number[][];
  return A.map((row) => B[0]!.map((_, j) => row.reduce((s, v, k) => s + v * B[k]![j]!, 0)));
}

function maxDiff(x: number[][], y: number[][]): number {
  let m = 0;
  x.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - y[i]![j]!)))));
  return m;
}

type Layout = "contiguous" | "transposed" | "flipped" | "strided";

/** An (r, c) matrix stored in the given layout. */
function matrix(r: number, c: number, layout: Layout, dtype: "float32" | "float64", gen: Generator): Tensor {
  switch (layout) {
    case "contiguous":
      return randn([r, c], { dtype, generator: gen });
    case "transposed":
      return randn([c, r], { dtype, generator: gen }).T;
    case "flipped":
      return randn([r, c], { dtype, generator: gen }).flip([0, 1]);
    case "strided":
      return randn([2 * r + 1, 3 * c], { dtype, generator: gen }).slice(0, 1, 1 + 2 * r, 2).slice(1, 0, c);
  }
}

const LAYOUTS: Layout[] = ["contiguous", "transposed", "flipped", "strided"];

describe("setBackend", () => {
  it("switches between js and wasm and reports the choice", () => {
    setBackend("js");
    expect(getBackend()).toBe("js");
    setBackend("wasm");
    expect(getBackend()).toBe("wasm");
    setBackend("auto");
    expect(getBackend()).toBe(wasmKernels ? "wasm" : "js");
  });

  it("rejects an unknown backend by name", () => {
    expect(() => setBackend("gpu" as BackendName)).toThrow(/setBackend: unknown backend "gpu"/);
  });
});

describe.each(["js", "wasm"] as const)("matmul on the %s backend", (backend) => {
  it.each(["float32", "float64"] as const)("matches a float64 reference for every operand layout (%s)", (dtype) => {
    setBackend(backend);
    const gen = new Generator(11);
    const tol = dtype === "float64" ? 1e-10 : 2e-4;
    for (const [M, K, N] of [[37, 41, 29], [64, 300, 70], [5, 513, 9], [130, 20, 257]]) {
      for (const la of LAYOUTS) {
        for (const lb of LAYOUTS) {
          const a = matrix(M!, K!, la, dtype, gen);
          const b = matrix(K!, N!, lb, dtype, gen);
          const got = matmul(a, b);
          expect(got.dtype).toBe(dtype);
          expect(got.shape).toEqual([M, N]);
          expect(maxDiff(got.tolist() as number[][], reference(a, b)), `${M}x${K}x${N} ${la}·${lb}`).toBeLessThan(tol * Math.sqrt(K!));
        }
      }
    }
  });

  it("handles batches with broadcast batch dims", () => {
    setBackend(backend);
    const gen = new Generator(12);
    const a = randn([3, 1, 40, 50], { dtype: "float64", generator: gen });
    const b = randn([4, 60, 50], { dtype: "float64", generator: gen }).transpose(-1, -2);
    const got = matmul(a, b);
    expect(got.shape).toEqual([3, 4, 40, 60]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        const want = reference(a.select(0, i).select(0, 0), b.select(0, j));
        expect(maxDiff(got.select(0, i).select(0, j).tolist() as number[][], want)).toBeLessThan(1e-10);
      }
    }
  });

  it("agrees with the reference on random shapes (property)", () => {
    setBackend(backend);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.constantFrom(...LAYOUTS), fc.constantFrom(...LAYOUTS), fc.integer(), (M, K, N, la, lb, seed) => {
        const gen = new Generator(seed);
        const a = matrix(M, K, la, "float64", gen);
        const b = matrix(K, N, lb, "float64", gen);
        expect(maxDiff(matmul(a, b).tolist() as number[][], reference(a, b))).toBeLessThan(1e-10);
      }),
      { numRuns: 60 },
    );
  });

  it("gives exact zeros for an empty inner dimension", () => {
    setBackend(backend);
    const out = matmul(randn([100, 0]), randn([0, 100]));
    expect(out.shape).toEqual([100, 100]);
    expect(out.data().every((v) => v === 0)).toBe(true);
  });
});
