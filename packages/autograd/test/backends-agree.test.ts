import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  backendAvailable, fusedGruCell, fusedLstmCell, Generator, getBackend, linear, setBackend, tensor, type DType, type Tensor,
} from "../src/index";

// Every fast path behind the wasm backend (SIMD kernels, fused cells, threaded products, the
// background weight-gradient sum) against the js reference backend: the same computation,
// forward and backward, on random shapes and layouts large enough to take the fast paths.

const initial = getBackend();
afterEach(() => setBackend(initial));

type Layout = "contiguous" | "transposed" | "offset" | "flipped";
const layoutArb = fc.constantFrom<Layout>("contiguous", "transposed", "offset", "flipped");

/** A [rows, cols] leaf laid out as asked, filled from seed (same values on either backend). */
function matrix(rows: number, cols: number, layout: Layout, dtype: DType, seed: number): Tensor {
  const g = new Generator(seed);
  const values = (n: number) => Float64Array.from({ length: n }, () => 2 * g.random() - 1);
  let t: Tensor;
  if (layout === "transposed") t = tensor(values(rows * cols), { shape: [cols, rows], dtype }).T;
  else if (layout === "offset") t = tensor(values((rows + 1) * (cols + 2)), { shape: [rows + 1, cols + 2], dtype }).slice(0, 1).slice(1, 1, cols + 1);
  else if (layout === "flipped") t = tensor(values(rows * cols), { shape: [rows, cols], dtype }).flip([0, 1]);
  else t = tensor(values(rows * cols), { shape: [rows, cols], dtype });
  return t.detach().requiresGrad_();
}

/** Runs build on the given backend; returns its outputs and the gradients of its leaves for a fixed output weighting. */
function run(backend: "js" | "wasm", build: () => { leaves: Tensor[]; out: Tensor }): Float64Array[] {
  setBackend(backend);
  const { leaves, out } = build();
  const weight = matrix(out.shape[0]!, out.shape[1]!, "contiguous", out.dtype, 99);
  out.mul(weight.detach()).sum().backward();
  return [out, ...leaves.map((l) => l.grad!)].map((t) => Float64Array.from(t.data()));
}

function expectAgree(build: () => { leaves: Tensor[]; out: Tensor }, dtype: DType): void {
  const reference = run("js", build);
  const fast = run("wasm", build);
  const rtol = dtype === "float32" ? 2e-4 : 1e-10;
  reference.forEach((ref, k) => {
    expect(fast[k]!.length).toBe(ref.length);
    const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    expect(Number.isFinite(scale)).toBe(true);
    ref.forEach((v, i) => {
      if (!(Math.abs(fast[k]![i]! - v) <= rtol * scale)) throw new Error(`result ${k}, element ${i}: wasm ${fast[k]![i]}, js ${v}`);
    });
  });
}

const dtypes: DType[] = ["float32", "float64"];

describe.skipIf(!backendAvailable("wasm"))("the wasm backend agrees with the js reference", () => {
  for (const dtype of dtypes) {
    it(`${dtype}: elementwise ops with broadcasting, sums and softmax over any layout`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 30, max: 90 }), fc.integer({ min: 30, max: 90 }), layoutArb, layoutArb, fc.integer(), (r, c, la, lb, seed) => {
          expectAgree(() => {
            const a = matrix(r, c, la, dtype, seed), b = matrix(1, c, lb, dtype, seed + 1), s = matrix(r, 1, "contiguous", dtype, seed + 2);
            const y = a.mul(b).add(s).tanh().sub(a.sigmoid().mul(0.5)).exp().add(a.softmax(1)).add(a.logSoftmax(0).div(4)).add(a.sum(0, true).div(r));
            return { leaves: [a, b, s], out: y.mul(y).add(1).sqrt() };
          }, dtype);
        }),
        { numRuns: 8 },
      );
    });

    it(`${dtype}: matmul with transposed, offset and flipped operands, threaded above the size threshold`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 20, max: 300 }), fc.integer({ min: 20, max: 200 }), fc.integer({ min: 20, max: 300 }), layoutArb, layoutArb, fc.integer(), (m, k, n, la, lb, seed) => {
          expectAgree(() => {
            const a = matrix(m, k, la, dtype, seed), b = matrix(k, n, lb, dtype, seed + 1);
            return { leaves: [a, b], out: a.matmul(b) };
          }, dtype);
        }),
        { numRuns: 6 },
      );
    });

    it(`${dtype}: a weight used at every step of a sequence (linear, fused LSTM and GRU cells, the background gradient sum)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.constantFrom(64, 256), fc.integer({ min: 2, max: 6 }), fc.integer(), (batch, hidden, steps, seed) => {
          expectAgree(() => {
            const wih = matrix(4 * hidden, 32, "contiguous", dtype, seed), whh = matrix(4 * hidden, hidden, "contiguous", dtype, seed + 1);
            const gih = matrix(3 * hidden, 32, "contiguous", dtype, seed + 2), ghh = matrix(3 * hidden, hidden, "contiguous", dtype, seed + 3);
            let h = matrix(batch, hidden, "contiguous", dtype, seed + 4).detach(), c = h.mul(0.5), hg = h;
            for (let t = 0; t < steps; t++) {
              const x = matrix(batch, 32, "contiguous", dtype, seed + 10 + t).detach();
              [h, c] = fusedLstmCell(linear(x, wih).add(linear(h, whh)), c);
              hg = fusedGruCell(linear(x, gih), linear(hg, ghh), hg);
            }
            return { leaves: [wih, whh, gih, ghh], out: h.add(c).add(hg) };
          }, dtype);
        }),
        { numRuns: 4 },
      );
    });
  }
});
