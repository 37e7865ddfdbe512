import { execFileSync } from "node:child_process";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { backend, useBackend, type Backend, type StridedView } from "../src/backend/backend";
import { TensorGradSum } from "../src/backend/grad-sum";
import { createWasmKernels, wasmBackend } from "../src/backend/wasm";
import { backgroundProductSum, threadPool } from "../src/backend/wasm/matmul";
import { MatmulPool } from "../src/backend/wasm/pool";
import { isResident, releaseResident } from "../src/backend/wasm/resident";
import { linear, persistentData, setBackend, getBackend, tensor, type Tensor } from "../src/index";

// The pool is created on first use, so this file runs with two threads whatever the environment says.
process.env.TAPEGRAD_THREADS = "2";

const single = createWasmKernels({ threads: false })!;
/** A copy of t in the storage the wasm backend gives a persistent tensor (a Parameter). */
const residentCopy = (t: Tensor) => {
  const out = wasmBackend!.allocate(t.dtype, t.numel, "persistent");
  out.set(t.data());
  return out;
};
const threaded = createWasmKernels()!;

type Dtype = "float32" | "float64";

function random(n: number, dtype: Dtype, seed: number): Float32Array | Float64Array {
  const out = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const view = (buf: Float32Array | Float64Array, shape: number[], strides: number[], offset = 0): StridedView => ({ buf, shape, strides, offset });

/** An (r, c) matrix in one of the layouts kernels read through strides. */
function matrix(r: number, c: number, layout: string, dtype: Dtype, seed: number): StridedView {
  switch (layout) {
    case "contiguous":
      return view(random(r * c, dtype, seed), [r, c], [c, 1]);
    case "transposed": // stored (c, r)
      return view(random(r * c, dtype, seed), [r, c], [1, r]);
    case "flipped": // both dims reversed
      return view(random(r * c, dtype, seed), [r, c], [-c, -1], r * c - 1);
    case "strided": // every other row of a wider buffer, from column 3
      return view(random((2 * r + 1) * (c + 40), dtype, seed), [r, c], [2 * (c + 40), 1], c + 40 + 3);
    case "sparse": // a few columns of a very wide buffer (gathered before the product)
      return view(random(r * (c + 4000), dtype, seed), [r, c], [c + 4000, 1], 7);
    default:
      throw new Error(`unknown layout ${layout}`);
  }
}

/** C = A·B in float64 with plain loops, batch dims included. */
function reference(a: StridedView, b: StridedView): Float64Array {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const batches = nd === 3 ? a.shape[0]! : 1;
  const c = new Float64Array(batches * M * N);
  for (let q = 0; q < batches; q++) {
    const oa = a.offset + (nd === 3 ? q * a.strides[0]! : 0), ob = b.offset + (nd === 3 ? q * b.strides[0]! : 0);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.buf[oa + i * a.strides[nd - 2]! + k * a.strides[nd - 1]!]! * b.buf[ob + k * b.strides[nd - 2]! + j * b.strides[nd - 1]!]!;
        c[(q * M + i) * N + j] = s;
      }
    }
  }
  return c;
}

/** Σ aᵢ·bᵢ in float64. */
function referenceSum(pairs: readonly (readonly [StridedView, StridedView])[]): Float64Array {
  const sum = reference(pairs[0]![0], pairs[0]![1]);
  for (const [a, b] of pairs.slice(1)) reference(a, b).forEach((v, j) => (sum[j] += v));
  return sum;
}

function maxError(c: Float32Array | Float64Array, expected: Float64Array): number {
  let m = 0;
  for (let i = 0; i < c.length; i++) m = Math.max(m, Math.abs(c[i]! - expected[i]!));
  return m;
}

/** The product on worker threads (asserting it took the threaded path) and on one thread. */
function both(a: StridedView, b: StridedView, size: number, dtype: Dtype): { threadedC: Float32Array | Float64Array; singleC: Float32Array | Float64Array } {
  const Typed = dtype === "float32" ? Float32Array : Float64Array;
  const threadedC = new Typed(size), singleC = new Typed(size);
  const spy = vi.spyOn(MatmulPool.prototype, "matmul");
  threaded.matmul(a, b, threadedC);
  expect(spy).toHaveReturnedWith(true);
  spy.mockRestore();
  single.matmul(a, b, singleC);
  return { threadedC, singleC };
}

describe("matmul on worker threads", () => {
  beforeAll(async () => {
    const pool = threadPool();
    expect(pool?.threads).toBe(2);
    for (let waited = 0; pool!.workersReady < 1; waited += 10) {
      if (waited > 20_000) throw new Error("the matmul worker did not start within 20 s");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
  afterEach(() => vi.restoreAllMocks());

  for (const dtype of ["float32", "float64"] as const) {
    for (const [layoutA, layoutB] of [["contiguous", "contiguous"], ["transposed", "transposed"], ["strided", "flipped"], ["flipped", "sparse"], ["sparse", "strided"]]) {
      it(`${dtype}, A ${layoutA}, B ${layoutB}: equals the single-threaded product and a float64 reference`, () => {
        // 302 rows: chunks of 76 rows (multiples of the 4-row tile) and a ragged last chunk
        const M = 302, K = 300, N = 200;
        const a = matrix(M, K, layoutA!, dtype, 1), b = matrix(K, N, layoutB!, dtype, 2);
        const { threadedC, singleC } = both(a, b, M * N, dtype);
        expect(threadedC).toEqual(singleC);
        expect(maxError(threadedC, reference(a, b))).toBeLessThan(dtype === "float32" ? 2e-4 : 1e-11);
      });
    }

    for (const [M, layoutA, layoutB] of [[32, "contiguous", "transposed"], [9, "strided", "contiguous"], [37, "transposed", "flipped"]] as const) {
      it(`${dtype}, ${M} rows (A ${layoutA}, B ${layoutB}): C is cut into blocks of columns, ragged at the right edge`, () => {
        // a recurrent step's product: too few rows to split, so threads share the columns
        const K = 260, N = 1001;
        const a = matrix(M, K, layoutA, dtype, 7), b = matrix(K, N, layoutB, dtype, 8);
        const { threadedC, singleC } = both(a, b, M * N, dtype);
        expect(threadedC).toEqual(singleC);
        expect(maxError(threadedC, reference(a, b))).toBeLessThan(dtype === "float32" ? 2e-4 : 1e-11);
      });
    }

    it(`${dtype}, batched with a broadcast B: every matrix of the batch is split into chunks`, () => {
      const batches = 3, M = 150, K = 256, N = 160;
      const a = view(random(batches * M * K, dtype, 3), [batches, M, K], [M * K, K, 1]);
      const b = view(random(K * N, dtype, 4), [batches, K, N], [0, 1, K]); // one transposed B for the whole batch
      const { threadedC, singleC } = both(a, b, batches * M * N, dtype);
      expect(threadedC).toEqual(singleC);
      expect(maxError(threadedC, reference(a, b))).toBeLessThan(dtype === "float32" ? 2e-4 : 1e-11);
    });
  }

  it("the worker computes chunks of large products, and results stay exact while it does", () => {
    const pool = threadPool()!;
    const before = pool.workerChunks;
    const n = 384;
    const a = matrix(n, n, "contiguous", "float32", 5), b = matrix(n, n, "transposed", "float32", 6);
    const { threadedC, singleC } = both(a, b, n * n, "float32");
    expect(threadedC).toEqual(singleC);
    for (let round = 0; round < 200 && pool.workerChunks === before; round++) {
      const c = new Float32Array(n * n);
      threaded.matmul(a, b, c);
      expect(c).toEqual(singleC);
    }
    expect(pool.workerChunks).toBeGreaterThan(before);
  });

  it("a worker asleep after a pause (past its polling time) is woken for the next product", async () => {
    const pool = threadPool()!;
    const n = 384;
    const a = matrix(n, n, "contiguous", "float32", 7), b = matrix(n, n, "contiguous", "float32", 8);
    const { singleC } = both(a, b, n * n, "float32");
    const before = pool.workerChunks;
    for (let round = 0; round < 50 && pool.workerChunks === before; round++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const c = new Float32Array(n * n);
      threaded.matmul(a, b, c);
      expect(c).toEqual(singleC);
    }
    expect(pool.workerChunks).toBeGreaterThan(before);
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: a resident operand (a parameter's storage) is read in place, with the same result as a copy`, () => {
      const K = 300, N = 260;
      const w = random(N * K, dtype, 11);
      const stored = residentCopy(tensor(w, { shape: [N, K], dtype })) as Float32Array | Float64Array;
      expect(isResident(stored)).toBe(true);
      expect(Array.from(stored)).toEqual(Array.from(w)); // a copy...
      w[0] = 123;
      expect(stored[0]).not.toBe(123); // ...that does not alias the source
      const plain = Float64Array.from(stored);
      const a = matrix(32, K, "contiguous", dtype, 12);
      // Wᵀ (a linear layer's weight) and a row block of W starting at an offset, read through strides
      for (const [b, bPlain] of [
        [view(stored, [K, N], [1, K]), view(dtype === "float32" ? Float32Array.from(plain) : plain, [K, N], [1, K])],
        [view(stored, [K, 240], [1, K], 7 * K), view(dtype === "float32" ? Float32Array.from(plain) : plain, [K, 240], [1, K], 7 * K)],
      ] as const) {
        const n = b.shape[1]!;
        const { threadedC } = both(a, b, 32 * n, dtype);
        const reference_ = reference(a, bPlain);
        expect(maxError(threadedC, reference_)).toBeLessThan(dtype === "float32" ? 2e-4 : 1e-11);
      }
    });
  }

  it("a batch-1 step against a resident weight runs as gemv in the shared memory, with bias and accumulation", () => {
    const K = 256, N = 1024;
    const stored = residentCopy(tensor(random(N * K, "float32", 21), { shape: [N, K] })) as Float32Array;
    const plain = Float32Array.from(stored);
    const bias = random(N, "float32", 22) as Float32Array;
    for (const M of [1, 2]) {
      const a = matrix(M, K, "contiguous", "float32", 23 + M);
      const wT = view(stored, [K, N], [1, K]);
      const expected = reference(a, view(plain, [K, N], [1, K]));
      const c = new Float32Array(M * N);
      expect(threadPool()!.gemv(a, wT, c)).toBe(true);
      expect(maxError(c, expected)).toBeLessThan(2e-4);
      // through the kernel: a linear layer's C = bias + x·Wᵀ, then C += x·Wᵀ
      const viaKernel = new Float32Array(M * N);
      threaded.matmul(a, wT, viaKernel, false, view(bias, [M, N], [0, 1]));
      expect(maxError(viaKernel, expected.map((v, i) => v + bias[i % N]!))).toBeLessThan(2e-4);
      threaded.matmul(a, wT, viaKernel, true);
      expect(maxError(viaKernel, expected.map((v, i) => 2 * v + bias[i % N]!))).toBeLessThan(4e-4);
    }
  });

  it("persistent storage follows the backend: shared memory on wasm with threads, a plain array on js", () => {
    const initial = getBackend();
    try {
      setBackend("wasm");
      expect(isResident(persistentData(tensor([1, 2, 3])))).toBe(true);
      setBackend("js");
      const plain = persistentData(tensor([1, 2, 3]));
      expect(isResident(plain)).toBe(false);
      expect(Array.from(plain)).toEqual([1, 2, 3]);
    } finally {
      setBackend(initial);
    }
  });

  it("a product's scratch never overwrites resident storage", () => {
    const stored = residentCopy(tensor(random(4096, "float32", 13), { shape: [64, 64] }));
    const before = Array.from(stored);
    const n = 384;
    const c = new Float32Array(n * n);
    threaded.matmul(matrix(n, n, "contiguous", "float32", 14), matrix(n, n, "transposed", "float32", 15), c);
    expect(Array.from(stored)).toEqual(before);
    // and a block allocated after a product has run sits above nothing the next product uses
    const later = residentCopy(tensor(random(4096, "float32", 16), { shape: [64, 64] }));
    const laterBefore = Array.from(later);
    threaded.matmul(matrix(n, n, "contiguous", "float32", 17), matrix(n, n, "contiguous", "float32", 18), c);
    expect(Array.from(later)).toEqual(laterBefore);
    expect(Array.from(stored)).toEqual(before);
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: matmulSum adds the products of its pairs (a step's Gᵀ, other layouts, into C or onto it) on one thread and on two`, () => {
      const M = 200, N = 136;
      const ks = [32, 5, 64, 1, 40];
      const pairs = ks.map((k, i) => {
        // aᵢ as the transpose of a contiguous k×M block (a step's gradient Gᵀ), or flipped / strided
        const a = i % 2 === 0 ? view(random(k * M, dtype, 20 + i), [M, k], [1, M]) : matrix(M, k, i === 1 ? "flipped" : "strided", dtype, 20 + i);
        const b = i === 3 ? matrix(k, N, "transposed", dtype, 40 + i) : matrix(k, N, "contiguous", dtype, 40 + i);
        return [a, b] as const;
      });
      const expected = referenceSum(pairs);
      const Typed = dtype === "float32" ? Float32Array : Float64Array;
      const tol = dtype === "float32" ? 5e-4 : 1e-11;
      const spy = vi.spyOn(MatmulPool.prototype, "matmulSum");
      for (const kernels of [threaded, single]) {
        const c = new Typed(M * N);
        kernels.matmulSum(pairs, c, false);
        expect(maxError(c, expected)).toBeLessThan(tol);
        const onto = new Typed(M * N).fill(1);
        kernels.matmulSum(pairs, onto, true);
        expect(maxError(onto, expected.map((v) => v + 1))).toBeLessThan(tol);
      }
      expect(spy).toHaveReturnedWith(true); // the threaded kernels took the pool
      spy.mockRestore();
    });
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: C can start from an init view (a broadcast bias row, a strided block): threaded, one thread, one row`, () => {
      const K = 260, N = 300;
      const Typed = dtype === "float32" ? Float32Array : Float64Array;
      const tol = dtype === "float32" ? 2e-4 : 1e-11;
      const bias = random(N, dtype, 50);
      const block = random(40 * (N + 9), dtype, 51);
      for (const M of [32, 1]) {
        const a = matrix(M, K, "contiguous", dtype, 52), b = matrix(K, N, "transposed", dtype, 53);
        const product = reference(a, b);
        for (const init of [view(bias, [M, N], [0, 1]), view(block, [M, N], [N + 9, 1], 5)]) {
          const expected = product.map((v, j) => v + init.buf[init.offset + Math.floor(j / N) * init.strides[0]! + (j % N)]!);
          for (const kernels of [threaded, single]) {
            const c = new Typed(M * N).fill(NaN); // whatever C held is not read
            kernels.matmul(a, b, c, false, init);
            expect(maxError(c, expected)).toBeLessThan(tol);
          }
        }
      }
    });
  }

  for (const dtype of ["float32", "float64"] as const) {
    it(`${dtype}: a background product sum, fed term by term, equals the sum of the products (into C or onto it)`, () => {
      // 300·230 elements: large enough for the background; 20 terms of 32 rows and some of 100
      // and 7 (straddling the 256-row blocks) make full blocks, a partial one and the held term
      const M = 300, N = 230;
      const ks = [...Array.from({ length: 20 }, () => 32), 100, 7, 100, 1];
      const pairs = ks.map((k, i) => {
        const a = i % 3 === 2 ? matrix(M, k, "strided", dtype, 60 + i) : view(random(k * M, dtype, 60 + i), [M, k], [1, M]); // Gᵀ of a step
        const b = i % 4 === 3 ? matrix(k, N, "transposed", dtype, 90 + i) : matrix(k, N, "contiguous", dtype, 90 + i);
        return [a, b] as const;
      });
      const expected = referenceSum(pairs);
      const Typed = dtype === "float32" ? Float32Array : Float64Array;
      const tol = dtype === "float32" ? 1e-3 : 1e-11;
      const submitted = vi.spyOn(MatmulPool.prototype, "submitBackground");
      for (const accumulate of [false, true]) {
        const sum = backgroundProductSum(M, N, dtype)!;
        expect(sum).not.toBeNull();
        for (const [a, b] of pairs) sum.add(a, b);
        const c = new Typed(M * N).fill(accumulate ? 1 : NaN);
        sum.finish(c, accumulate);
        expect(maxError(c, accumulate ? expected.map((v) => v + 1) : expected)).toBeLessThan(tol);
      }
      // 847 rows before the held term: 3 full blocks of 256 in each of the two sums
      expect(submitted).toHaveBeenCalledTimes(6);
      const single_ = new Typed(M * N);
      single.matmulSum(pairs, single_, false);
      expect(maxError(single_, expected)).toBeLessThan(tol);
    });
  }

  it("background sums of two weights fed in turn stay apart, and a single term goes to the threaded product", () => {
    const M = 256, N = 256;
    const terms = (seed: number) => Array.from({ length: 24 }, (_, i) => [view(random(32 * M, "float32", seed + i), [M, 32], [1, M]), matrix(32, N, "contiguous", "float32", seed + 100 + i)] as const);
    const first = terms(200), second = terms(400);
    const sums = [backgroundProductSum(M, N, "float32")!, backgroundProductSum(M, N, "float32")!];
    for (let i = 0; i < 24; i++) {
      sums[0]!.add(...first[i]!);
      sums[1]!.add(...second[i]!);
    }
    for (const [sum, pairs] of [[sums[0]!, first], [sums[1]!, second]] as const) {
      const expected = referenceSum(pairs);
      const c = new Float32Array(M * N);
      sum.finish(c, false);
      expect(maxError(c, expected)).toBeLessThan(1e-3);
    }
    const submitted = vi.spyOn(MatmulPool.prototype, "submitBackground");
    const sum = backgroundProductSum(M, N, "float32")!;
    const [a, b] = [view(random(1600 * M, "float32", 600), [M, 1600], [1, M]), matrix(1600, N, "contiguous", "float32", 601)];
    sum.add(a, b);
    const c = new Float32Array(M * N);
    sum.finish(c, false);
    expect(submitted).not.toHaveBeenCalled();
    expect(maxError(c, reference(a, b))).toBeLessThan(1e-3);
    expect(backgroundProductSum(100, 100, "float32")).toBeNull(); // too small to be worth a thread
  });

  it("a weight used at every step of a sequence gets the same gradient through the background sum as on one thread", () => {
    // linear(h, W) over 20 steps: W's gradient is a sum of 20 products Gₜᵀhₜ
    const run = (next: Backend) => {
      const previous = backend;
      useBackend(next);
      try {
        const W = tensor(random(256 * 256, "float32", 700), { shape: [256, 256], requiresGrad: true });
        let h = tensor(random(32 * 256, "float32", 701), { shape: [32, 256] });
        let loss = h.sum();
        for (let t = 0; t < 20; t++) {
          h = linear(h, W).mul(0.05).tanh();
          loss = loss.add(h.sum());
        }
        loss.backward();
        return W.grad!.data() as Float32Array;
      } finally {
        useBackend(previous);
      }
    };
    const submitted = vi.spyOn(MatmulPool.prototype, "submitBackground");
    const viaWorker = run(wasmBackend!);
    expect(submitted).toHaveBeenCalled();
    const onOneThread = run({ ...wasmBackend!, kernels: single, gradSum: () => new TensorGradSum(null) });
    let worst = 0;
    for (let i = 0; i < viaWorker.length; i++) worst = Math.max(worst, Math.abs(viaWorker[i]! - onOneThread[i]!) / (1 + Math.abs(onOneThread[i]!)));
    expect(worst).toBeLessThan(1e-5);
  });

  it("a released resident block is handed out again", () => {
    const first = residentCopy(tensor(random(5000, "float32", 800))) as Float32Array;
    const at = first.byteOffset;
    releaseResident(first);
    const again = residentCopy(tensor(random(5000, "float32", 801))) as Float32Array;
    expect(again.byteOffset).toBe(at);
  });

  it("int32 tensors are never resident", () => {
    expect(isResident(residentCopy(tensor(Int32Array.from([1, 2, 3]))))).toBe(false);
  });

  it("TAPEGRAD_THREADS=1 means a pool of the calling thread alone (no workers, products still in the shared memory), and a bad value is a clear error", () => {
    const saved = process.env.TAPEGRAD_THREADS;
    try {
      process.env.TAPEGRAD_THREADS = "1";
      const alone = MatmulPool.create()!;
      expect(alone.threads).toBe(1);
      expect(alone.workersReady).toBe(0);
      expect(alone.backgroundAvailable).toBe(false);
      const a = matrix(40, 300, "contiguous", "float32", 31), b = matrix(300, 50, "transposed", "float32", 32);
      const c = new Float32Array(40 * 50);
      expect(alone.matmul(a, b, c)).toBe(true);
      expect(maxError(c, reference(a, b))).toBeLessThan(2e-4);
      process.env.TAPEGRAD_THREADS = "two";
      expect(() => MatmulPool.create()).toThrow(/TAPEGRAD_THREADS must be a positive integer, got "two"/);
    } finally {
      process.env.TAPEGRAD_THREADS = saved;
    }
  });

  it("the workers start under tsx too, whose transform puts __name calls into function sources", () => {
    const script = `import { threadPool } from ${JSON.stringify(new URL("../src/backend/wasm/matmul.ts", import.meta.url).pathname)};
import { matmul, randn } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).pathname)};
const pool = threadPool();
const a = randn([256, 512]), b = randn([512, 512]);
for (let i = 0; i < 5; i++) matmul(a, b);
console.log(pool.workersReady, pool.workerChunks > 0);`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" }).trim();
    expect(out).toBe("1 true");
  });
});
