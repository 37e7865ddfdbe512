import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Generator, getBackend, grad, randn, setBackend, tensor, type Tensor } from "../src/index";
import { Arena, instantiate } from "../src/backend/wasm/instance";
import { wasmSoftmaxBackward, wasmSoftmaxForward } from "../src/backend/wasm/softmax";
import { wasmKernels } from "../src/backend/wasm";

const initial = getBackend();
afterEach(() => setBackend(initial));

type Layout = "contiguous" | "transposed" | "row slice" | "strided" | "flipped";

/** A float32 tensor of the given shape stored in the given layout. */
function stored(shape: number[], layout: Layout, gen: Generator): Tensor {
  const nd = shape.length;
  switch (layout) {
    case "contiguous":
      return randn(shape, { generator: gen }).mul(4);
    case "transposed":
      return randn([...shape].reverse(), { generator: gen }).mul(4).permute(shape.map((_, d) => nd - 1 - d));
    case "row slice":
      return randn([...shape.slice(0, -1), shape[nd - 1]! + 3], { generator: gen }).mul(4).narrow(nd - 1, 1, shape[nd - 1]!);
    case "strided":
      return shape.reduce((t, s, d) => t.narrowView(d, 1, s, 2), randn(shape.map((s) => 2 * s), { generator: gen }).mul(4));
    case "flipped":
      return randn(shape, { generator: gen }).mul(4).flip([nd - 1]);
  }
}

/** softmax or logSoftmax of x along dim and the gradient of Σ g·y, on one backend. */
function run(backend: "js" | "wasm", x: Tensor, dim: number, log: boolean, g: Tensor): { y: number[]; dx: number[] } {
  setBackend(backend);
  const input = x.detach().requiresGrad_();
  const y = log ? input.logSoftmax(dim) : input.softmax(dim);
  const [dx] = grad(y.mul(g).sum(), input);
  return { y: Array.from(y.data()), dx: Array.from(dx!.data()) };
}

/** Every element within 3e-6 of the reference, relative to `scale` + its magnitude. */
function expectClose(got: number[], want: number[], scale: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  const off = want.findIndex((w, i) => got[i] !== w && !(Math.abs(got[i]! - w) <= 3e-6 * (scale + Math.abs(w))));
  expect(off < 0 ? "all close" : `[${off}]: got ${got[off]}, expected ${want[off]}`, what).toBe("all close");
}

describe.skipIf(!wasmKernels)("float32 softmax and logSoftmax on WebAssembly", () => {
  const gen = new Generator(47);

  it("match the float64 TypeScript kernel over shapes, dims and layouts, forward and backward", () => {
    const layouts: Layout[] = ["contiguous", "transposed", "row slice", "strided", "flipped"];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }).filter((s) => s.reduce((a, b) => a * b, 1) >= 1100),
        fc.nat(), fc.constantFrom(...layouts), fc.boolean(),
        (shape, dimSeed, layout, log) => {
          const dim = dimSeed % shape.length;
          const x = stored(shape, layout, gen);
          const g = randn(shape, { generator: gen });
          const want = run("js", x.to("float64"), dim, log, g.to("float64"));
          const got = run("wasm", x, dim, log, g);
          const what = `${log ? "logSoftmax" : "softmax"} ${JSON.stringify(shape)} dim ${dim} ${layout}`;
          expectClose(got.y, want.y, log ? 16 : 0, `${what} values`);
          expectClose(got.dx, want.dx, 4, `${what} gradient`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("run the WebAssembly kernels for rows of classes, with the upstream gradient broadcast", () => {
    const calls: Record<string, number> = {};
    const exports = instantiate()!.exports;
    const counted = { ...exports, memory: exports.memory, softmaxRowsF32: (...a: Parameters<typeof exports.softmaxRowsF32>) => (calls.forward = (calls.forward ?? 0) + 1, exports.softmaxRowsF32(...a)), softmaxBackwardRowsF32: (...a: Parameters<typeof exports.softmaxBackwardRowsF32>) => (calls.backward = (calls.backward ?? 0) + 1, exports.softmaxBackwardRowsF32(...a)) };
    const arena = new Arena(counted);
    const x = randn([2048, 65], { generator: gen }).mul(3);
    const y = tensor(new Float32Array(x.numel)).reshape([2048, 65]);
    wasmSoftmaxForward(arena, x, y, true);
    const g = tensor(new Float32Array([1])).expand([2048, 65]);
    const dx = tensor(new Float32Array(x.numel)).reshape([2048, 65]);
    wasmSoftmaxBackward(arena, y, g, dx, true);
    expect(calls.forward).toBeGreaterThan(0);
    expect(calls.backward).toBeGreaterThan(0);
    setBackend("js");
    const x64 = x.to("float64");
    expectClose(Array.from(y.data()), Array.from(x64.logSoftmax(1).data()), 16, "values");
    // d/dx Σ logSoftmax(x) = 1 - C·softmax(x)
    expectClose(Array.from(dx.data()), Array.from(x64.softmax(1).mul(-65).add(1).data()), 4, "gradient");
  });

  it("give NaN rows for NaN and +∞ and handle -∞ like the TypeScript kernel", () => {
    const data = randn([256, 8], { generator: gen }).data();
    data[3] = NaN; // row 0
    data[8 + 2] = Infinity; // row 1
    for (let j = 0; j < 8; j++) data[16 + j] = -Infinity; // row 2
    data[24 + 5] = -Infinity; // row 3
    const x = tensor(data).reshape([256, 8]);
    for (const log of [true, false]) {
      setBackend("wasm");
      const got = (log ? x.logSoftmax(1) : x.softmax(1)).tolist() as number[][];
      setBackend("js");
      const want = (log ? x.logSoftmax(1) : x.softmax(1)).tolist() as number[][];
      for (const row of [0, 1, 2]) expect(got[row], `row ${row}`).toEqual(want[row]!.map(() => NaN));
      expect(got[3]![5]).toBe(log ? -Infinity : 0);
      expectClose(got.flat().slice(24), want.flat().slice(24), log ? 16 : 0, "finite rows");
    }
  });
});
