import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Generator, getBackend, matmul, noGrad, randn, setBackend, tensor, type BackendName, type Tensor } from "../src/index";
import { wasmKernels } from "../src/backend/wasm";

const initial = getBackend();
afterEach(() => setBackend(initial));

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
    for (const [M, K, N] of [[37, 41, 29], [64, 300, 70], [5, 513, 9], [130, 20, 257], [1, 300, 70], [2, 257, 1031]]) {
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

describe("float32 elementwise on the wasm backend", () => {
  const gen = new Generator(21);
  /** Runs fn on both backends and returns [wasm, js] results as float64 arrays. */
  function both(fn: () => Tensor): [Float64Array, Float64Array] {
    setBackend("wasm");
    const w = Float64Array.from(fn().data());
    setBackend("js");
    const j = Float64Array.from(fn().data());
    return [w, j];
  }
  function expectClose([w, j]: [Float64Array, Float64Array], rtol: number, what: string, atol = 0): void {
    expect(w.length).toBe(j.length);
    let worst = 0;
    for (let i = 0; i < w.length; i++) {
      if (Number.isNaN(j[i]!)) expect(Number.isNaN(w[i]!), what).toBe(true);
      else worst = Math.max(worst, Math.max(Math.abs(w[i]! - j[i]!) - atol, 0) / Math.max(Math.abs(j[i]!), 1e-30));
    }
    expect(worst, what).toBeLessThan(rtol);
  }

  // rows of a chunk (the gates of a cell), a contiguous block, a broadcast bias row, a scalar
  const x = randn([64, 512], { generator: gen }).mul(4);
  const y = randn([64, 512], { generator: gen });
  const layouts: [string, Tensor, Tensor][] = [
    ["contiguous", x, y],
    ["chunk rows", x.chunk(4, 1)[1]!, y.chunk(4, 1)[2]!],
    ["bias row", x, y.select(0, 3)],
    ["scalar", x, y.select(0, 0).select(0, 0)],
    ["expanded scalar first", y.select(0, 0).select(0, 0).expand([64, 512]), y],
    ["transposed (js path)", x.T, y.T],
  ];

  it.each(["neg", "exp", "tanh", "sigmoid", "relu"] as const)("%s matches the TypeScript kernel to a few ulp", (op) => {
    for (const [name, a] of layouts) expectClose(both(() => a[op]()), 1e-6, `${op} ${name}`);
  });

  it("handles lengths that are not a multiple of the 4 SIMD lanes", () => {
    for (const n of [129, 130, 131, 1025, 1027]) {
      const a = randn([n], { generator: gen }).mul(3);
      const b = randn([n], { generator: gen });
      for (const op of ["exp", "tanh", "sigmoid"] as const) expectClose(both(() => a[op]()), 1e-6, `${op} n=${n}`);
      expectClose(both(() => a.mul(b)), 1e-6, `mul n=${n}`);
    }
  });

  it.each(["add", "sub", "mul", "div"] as const)("%s matches the TypeScript kernel", (op) => {
    for (const [name, a, b] of layouts) expectClose(both(() => a[op](b)), 1e-6, `${op} ${name}`);
  });

  it("computes exp, tanh and sigmoid to float32 accuracy across their range, saturating cleanly", () => {
    setBackend("wasm");
    const n = 8192;
    const xs = Float32Array.from({ length: n }, (_, i) => -60 + (120 * i) / n);
    const t = tensor(xs);
    const cases: [Tensor, (v: number) => number][] = [
      [t.tanh(), Math.tanh],
      [t.sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
      [t.clamp(-80, 80).exp(), (v) => Math.exp(Math.min(Math.max(v, -80), 80))],
      [t.div(1000).tanh(), (v) => Math.tanh(Math.fround(v / 1000))],
    ];
    for (const [got, f] of cases) {
      const g = got.data();
      for (let i = 0; i < n; i++) {
        const want = f(xs[i]!);
        expect(Math.abs(g[i]! - want)).toBeLessThanOrEqual(Math.max(Math.abs(want) * 1e-6, 1e-37));
      }
    }
    const edges = tensor([Infinity, -Infinity, NaN, 100, -100, 0, 1, -1].flatMap((v) => new Array(128).fill(v)));
    const tanh = edges.tanh().data(), sig = edges.sigmoid().data();
    expect([tanh[0], tanh[128], tanh[384], tanh[512], tanh[640]]).toEqual([1, -1, 1, -1, 0]);
    expect(Number.isNaN(tanh[256]!)).toBe(true);
    expect([sig[0], sig[128], sig[384], sig[640]]).toEqual([1, 0, 1, 0.5]);
    expect(sig[512]!).toBeLessThan(1e-38);
  });

  it("fused backward of tanh and sigmoid matches the TypeScript kernel", () => {
    const run = (act: "tanh" | "sigmoid") => () => {
      const leaf = x.detach().requiresGrad_();
      leaf[act]().mul(y).sum().backward();
      return leaf.grad!;
    };
    // 1 - y² and y (1 - y) cancel where the activation saturates: an absolute tolerance there
    expectClose(both(run("tanh")), 1e-5, "tanh backward", 1e-6);
    expectClose(both(run("sigmoid")), 1e-5, "sigmoid backward", 1e-6);
  });

  it("writes in place into a strided target", () => {
    setBackend("wasm");
    const base = randn([32, 1024], { generator: gen });
    const before = base.clone();
    const rows = base.chunk(4, 1)[2]!;
    const add = randn([32, 256], { generator: gen });
    noGrad(() => rows.add_(add));
    const b = base.tolist() as number[][], o = before.tolist() as number[][], a = add.tolist() as number[][];
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 1024; j++) {
        const want = j >= 512 && j < 768 ? Math.fround(o[i]![j]! + a[i]![j - 512]!) : o[i]![j]!;
        expect(b[i]![j]).toBe(want);
      }
    }
  });
});

describe("relaxed SIMD (fused multiply-add) on Node", () => {
  const nameWith = (env: Record<string, string>): string => {
    const script = `import { wasmKernels } from ${JSON.stringify(new URL("../src/backend/wasm/index.ts", import.meta.url).pathname)}; console.log(wasmKernels?.name);`;
    return execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { ...process.env, ...env }, encoding: "utf8" }).trim();
  };

  it("is switched on where the runtime implements it, and TAPEGRAD_RELAXED_SIMD=0 leaves it off", () => {
    if (typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule !== "function") return;
    expect(nameWith({})).toBe("wasm (relaxed SIMD)");
    expect(nameWith({ TAPEGRAD_RELAXED_SIMD: "0" })).toBe("wasm (SIMD)");
  });
});
