import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Generator, getBackend, rand, randn, setBackend, tensor, zeros, type Tensor } from "../src/index";
import { Arena, instantiate, type WasmExports } from "../src/backend/wasm/instance";
import { wasmReduce } from "../src/backend/wasm/reduce";
import { wasmKernels } from "../src/backend/wasm";

const initial = getBackend();
afterEach(() => setBackend(initial));

/** The sum of the float64 copy of x on the TypeScript kernels, and the sum of |x| (the scale of rounding error). */
function reference(x: Tensor, dims: number[], keepdim = false): { sum: Float64Array; magnitude: Float64Array } {
  setBackend("js");
  const x64 = x.to("float64");
  const sum = Float64Array.from(x64.sum(dims, keepdim).data());
  const magnitude = Float64Array.from(x64.abs().sum(dims, keepdim).data());
  return { sum, magnitude };
}

/** Each float32 sum is the float64 sum rounded once (1 ulp), up to float64 reordering error. */
function expectRoundedSum(got: ArrayLike<number>, { sum, magnitude }: ReturnType<typeof reference>, what: string): void {
  expect(got.length, what).toBe(sum.length);
  for (let i = 0; i < sum.length; i++) {
    expect(Math.abs(got[i]! - sum[i]!), `${what} [${i}]`).toBeLessThanOrEqual(1.2e-7 * Math.abs(sum[i]!) + 1e-13 * magnitude[i]! + 1e-38);
  }
}

type Layout = "contiguous" | "permuted" | "row slice" | "strided" | "flipped" | "expanded";
const LAYOUTS: Layout[] = ["contiguous", "permuted", "row slice", "strided", "flipped", "expanded"];

/** A float32 tensor of the given shape stored in the given layout. */
function stored(shape: number[], layout: Layout, gen: Generator): Tensor {
  const nd = shape.length;
  switch (layout) {
    case "contiguous":
      return randn(shape, { generator: gen });
    case "permuted": {
      const order = shape.map((_, d) => nd - 1 - d);
      return randn([...shape].reverse(), { generator: gen }).permute(order);
    }
    case "row slice": // innermost contiguous, rows not adjacent
      return randn([...shape.slice(0, -1), shape[nd - 1]! + 5], { generator: gen }).narrow(nd - 1, 2, shape[nd - 1]!);
    case "strided": // every dim steps by 2
      return shape.reduce((t, s, d) => t.narrowView(d, 1, s, 2), randn(shape.map((s) => 2 * s), { generator: gen }));
    case "flipped":
      return randn(shape, { generator: gen }).flip([0]);
    case "expanded":
      return randn([1, ...shape.slice(1)], { generator: gen }).expand(shape);
  }
}

/** wasm kernels over their own arena whose exports count the calls of the sum kernels. */
function countingArena(): { arena: Arena; calls: { rows: number; columns: number } } {
  const exports = instantiate()!.exports;
  const calls = { rows: 0, columns: 0 };
  const counted: WasmExports = {
    ...exports,
    memory: exports.memory,
    sumRowsF32: (...a) => (calls.rows++, exports.sumRowsF32(...a)),
    sumColumnsF32: (...a) => (calls.columns++, exports.sumColumnsF32(...a)),
  };
  return { arena: new Arena(counted), calls };
}

function wasmSum(arena: Arena, x: Tensor, dims: number[]): Float32Array | Float64Array {
  const count = x.shape.filter((_, d) => !dims.includes(d)).reduce((a, b) => a * b, 1);
  const out = x.dtype === "float64" ? new Float64Array(count) : new Float32Array(count);
  wasmReduce(arena, "sum", x, dims, out);
  return out;
}

describe.skipIf(!wasmKernels)("float32 sums on WebAssembly", () => {
  const gen = new Generator(31);

  it.each([
    ["a bias gradient: [1600, 1024] over its rows", [1600, 1024], [0], "contiguous", "columns"],
    ["column sums of a batch of matrices", [3, 300, 40], [1], "contiguous", "columns"],
    ["column sums of rows that are not adjacent", [500, 64], [0], "row slice", "columns"],
    ["column sums through a flipped view", [400, 40], [0], "flipped", "columns"],
    ["column sums of an expanded tensor", [400, 40], [0], "expanded", "columns"],
    ["a whole-tensor sum (the mean of a loss)", [1600, 256], [0, 1], "contiguous", "rows"],
    ["a whole-tensor sum of a transposed view", [300, 70], [0, 1], "permuted", "rows"],
    ["row sums", [100, 300], [1], "contiguous", "rows"],
    ["row sums of rows that are not adjacent", [100, 300], [1], "row slice", "rows"],
    ["row sums over the last two dims", [7, 30, 40], [1, 2], "contiguous", "rows"],
    ["row sums of a transposed view (its columns)", [64, 100], [0], "permuted", "rows"],
  ] as const)("runs %s in the kernel, to float32 rounding of the float64 sum", (what, shape, dims, layout, kernel) => {
    const { arena, calls } = countingArena();
    const x = stored([...shape], layout, gen);
    const got = wasmSum(arena, x, [...dims]);
    expect(calls[kernel], what).toBeGreaterThan(0);
    expectRoundedSum(got, reference(x, [...dims]), what);
  });

  it("leaves float64, max, min and layouts without contiguous rows to the TypeScript kernel", () => {
    const { arena, calls } = countingArena();
    const x64 = randn([200, 300], { dtype: "float64", generator: gen });
    setBackend("js");
    expect(Array.from(wasmSum(arena, x64, [0]))).toEqual(Array.from(x64.sum(0).data()));
    const strided = stored([60, 50], "strided", gen);
    const got = wasmSum(arena, strided, [0]);
    expectRoundedSum(got, reference(strided, [0]), "strided both ways");
    const values = new Float32Array(300), indices = new Int32Array(300);
    const x = randn([200, 300], { generator: gen });
    wasmReduce(arena, "max", x, [0], values, indices);
    setBackend("js");
    const [v, i] = x.max(0);
    expect(Array.from(values)).toEqual(Array.from(v.data()));
    expect(Array.from(indices)).toEqual(Array.from(i.data()));
    expect(calls).toEqual({ rows: 0, columns: 0 });
  });

  it("sums 1e6 elements to within one float32 rounding of the exact sum", () => {
    setBackend("wasm");
    for (const x of [randn([1_000_000], { generator: gen }), rand([1_000_000], { generator: gen }), randn([1000, 1000], { generator: gen }).add(3)]) {
      const data = x.data();
      let s = 0, c = 0; // Neumaier-compensated float64 sum: exact here to far below float32 resolution
      for (const v of data) {
        const t = s + v;
        c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
        s = t;
      }
      const exact = s + c;
      expect(Math.abs(x.sum().item() - exact)).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -24 * 1.01);
      expect(Math.abs(x.mean().item() - exact / data.length)).toBeLessThanOrEqual(Math.abs(exact / data.length) * 2 ** -23);
    }
  });

  it("propagates NaN and infinities and keeps -0 sums at +0 like the TypeScript kernel", () => {
    const data = randn([64, 100], { generator: gen }).data(); // a copy, edited before x is made from it
    data[5] = NaN; // column 5
    data[100 * 3 + 7] = Infinity; // column 7
    data[100 * 4 + 7] = Infinity;
    data[100 * 9 + 8] = Infinity; // column 8: inf - inf
    data[100 * 10 + 8] = -Infinity;
    const x = tensor(data).reshape([64, 100]);
    setBackend("js");
    expect(x.sum(0).data()[5]).toBeNaN();
    expect(x.sum(0).data()[7]).toBe(Infinity);
    expect(x.sum(0).data()[8]).toBeNaN();
    for (const [dims, what] of [[[0], "columns"], [[1], "rows"], [[0, 1], "whole"]] as const) {
      setBackend("wasm");
      const w = Array.from(x.sum([...dims]).data());
      setBackend("js");
      expect(w, what).toEqual(Array.from(x.sum([...dims]).data()));
    }
    setBackend("wasm");
    expect(Object.is(zeros([4096]).neg().sum().item(), 0)).toBe(true);
  });

  it("agrees with the float64 sum for random shapes, dims and layouts (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...LAYOUTS),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        fc.integer(),
        (shape, layout, reduceDim, keepdim, seed) => {
          if (shape.length === 1) shape = [shape[0]! * 97];
          const x = stored(shape, layout, new Generator(seed));
          const dims = shape.map((_, d) => d).filter((d) => reduceDim[d]);
          setBackend("wasm");
          const got = x.sum(dims, keepdim);
          expect(got.dtype).toBe("float32");
          expectRoundedSum(got.data(), reference(x, dims, keepdim), `${layout} [${shape}] over [${dims}]`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
