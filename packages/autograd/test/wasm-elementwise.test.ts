import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, randn, tensor, type Tensor } from "../src/index";
import type { ElementwiseOp } from "../src/backend/backend";
import { jsKernels } from "../src/backend/js";
import { counting, laidOut, type OperandLayout } from "./wasm-counting";
import { wasmKernels } from "../src/backend/wasm";

// The float32 WebAssembly elementwise kernels against the TypeScript kernel and float64: every
// operand layout the wasm path takes (dense, rows of a chunk, a bias row, a value per row, a
// scalar), and the accuracy and edge values of exp, tanh and sigmoid.

/** The TypeScript kernel into a fresh contiguous [r, c] output. */
function reference(op: ElementwiseOp, r: number, c: number, inputs: Tensor[], s0 = 0): Float32Array {
  const out = tensor(new Float32Array(r * c)).reshape([r, c]);
  jsKernels.elementwise(op, out, inputs.map((t) => t.broadcastView([r, c])), s0);
  return out.data() as Float32Array;
}

type Layout = Exclude<OperandLayout, "transposed">;
const LAYOUTS: Layout[] = ["contiguous", "chunk rows", "bias row", "per row", "scalar"];

/** A float32 operand that broadcasts to [r, c], stored in the given layout (away from 0, for div). */
function operand(r: number, c: number, layout: Layout, gen: Generator): Tensor {
  return laidOut(r, c, layout, (shape) => {
    const t = randn(shape, { generator: gen });
    return t.add(t.sign().mul(0.25));
  });
}

/** Correctly rounded in float32 on both backends, so bit for bit equal. */
const EXACT: ReadonlySet<string> = new Set(["add", "sub", "mul", "div"]);

/** Bit for bit for the correctly rounded ops, else within float32 rounding of the operations. */
function expectMatches(op: string, got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = EXACT.has(op) ? Object.is(got[i], want[i]) : Math.abs(got[i]! - want[i]!) <= 3e-7 * (Math.abs(want[i]!) + 1);
    if (!ok) expect(got[i], `${what} [${i}]`).toBe(want[i]);
  }
}

const BINARY = ["add", "sub", "mul", "div", "addScaled", "tanhGrad", "sigmoidGrad"] as const;

describe.skipIf(!wasmKernels)("float32 elementwise kernels on WebAssembly", () => {
  const gen = new Generator(57);

  it.each(BINARY)("%s with a value per row (strides [1, 0]) runs in wasm and matches the TypeScript kernel", (op) => {
    for (const [r, c] of [[2048, 65], [33, 130], [300, 7]] as const) {
      for (const perRowFirst of [false, true]) {
        const { run, calls } = counting();
        const perRow = operand(r, c, "per row", gen), dense = operand(r, c, "contiguous", gen);
        const inputs = perRowFirst ? [perRow, dense] : [dense, perRow];
        const out = tensor(new Float32Array(r * c)).reshape([r, c]);
        run(op, out, inputs, -0.37);
        expect(calls[`${op}F32`], `${op} [${r}, ${c}]`).toBe(1);
        expectMatches(op, out.data(), reference(op, r, c, inputs, -0.37), `${op} [${r}, ${c}] per row ${perRowFirst ? "first" : "second"}`);
      }
    }
  });

  it("binary kernels agree with the TypeScript kernel for random shapes and operand layouts (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BINARY),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 140 }),
        fc.constantFrom(...LAYOUTS),
        fc.constantFrom(...LAYOUTS),
        fc.integer(),
        (op, r, c, la, lb, seed) => {
          const g = new Generator(seed);
          const a = operand(r, c, la, g), b = operand(r, c, lb, g);
          const out = tensor(new Float32Array(r * c)).reshape([r, c]);
          counting().run(op, out, [a, b], 0.7);
          expectMatches(op, out.data(), reference(op, r, c, [a, b], 0.7), `${op} [${r}, ${c}] ${la}, ${lb}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes only the target's elements, the rows of a wider buffer included, and leaves the inputs alone", () => {
    const { run, calls } = counting();
    const base = randn([40, 4 * 67], { generator: gen });
    const before = Float32Array.from(base.data());
    const target = base.chunk(4, 1)[2]!;
    const col = randn([40, 1], { generator: gen }), dense = randn([40, 67], { generator: gen });
    const [col0, dense0] = [Float32Array.from(col.data()), Float32Array.from(dense.data())];
    run("mul", target, [dense, col]);
    expect(calls.mulF32).toBe(1);
    expect(col.data()).toEqual(col0);
    expect(dense.data()).toEqual(dense0);
    const b = base.data();
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 4 * 67; j++) {
        const k = j - 2 * 67;
        const want = k >= 0 && k < 67 ? Math.fround(dense0[i * 67 + k]! * col0[i]!) : before[i * 4 * 67 + j]!;
        expect(b[i * 4 * 67 + j], `[${i}, ${j}]`).toBe(want);
      }
    }
  });

  /** float32 values spread over [lo, hi], dense near 0, with the given extra values. */
  function sweep(lo: number, hi: number, extra: number[] = []): Float32Array {
    const values = [...extra];
    for (let i = 0; i <= 20000; i++) values.push(lo + ((hi - lo) * i) / 20000);
    for (let e = -40; e <= 4; e += 0.01) values.push(Math.exp(e), -Math.exp(e));
    return Float32Array.from(values.filter((v) => v >= lo && v <= hi));
  }

  const FUNCTIONS = {
    exp: { f: Math.exp, range: [-87.3, 88.72] },
    tanh: { f: Math.tanh, range: [-12, 12] },
    sigmoid: { f: (v: number) => 1 / (1 + Math.exp(-v)), range: [-87, 30] },
  } as const;

  it.each(["exp", "tanh", "sigmoid"] as const)("%s is within 2e-7 relative of float64 over its range", (op) => {
    const { f, range } = FUNCTIONS[op];
    // around tanh's switch from the polynomial (|x| <= 0.5625), exp's overflow and sigmoid's subnormal results
    const x = tensor(sweep(range[0], range[1], [0.5624, 0.5625, 0.5626, -0.5625, 88.5, 88.7, -86.9]));
    const { run, calls } = counting();
    const out = tensor(new Float32Array(x.numel));
    run(op, out, [x]);
    expect(calls[`${op}F32`]).toBe(1);
    const xs = x.data(), got = out.data();
    for (let i = 0; i < xs.length; i++) {
      const want = f(xs[i]!);
      if (!(Math.abs(got[i]! - want) <= 2e-7 * Math.abs(want))) expect(got[i], `${op}(${xs[i]})`).toBe(want);
    }
  });

  it("keeps the exact values at ±0, ±Inf, NaN and past overflow: exp, tanh and sigmoid", () => {
    const special = [0, -0, Infinity, -Infinity, NaN, 88.8, 100, -88, -100, 1000, -1000, 1e-30, -1e-30, 1e-45, -1e-45];
    const want: Record<string, number[]> = {
      exp: [1, 1, Infinity, 0, NaN, Infinity, Infinity, 0, 0, Infinity, 0, 1, 1, 1, 1],
      tanh: [0, -0, 1, -1, NaN, 1, 1, -1, -1, 1, -1, 1e-30, -1e-30, 1e-45, -1e-45],
      sigmoid: [0.5, 0.5, 1, 0, NaN, 1, 1, Math.fround(1 / (1 + Math.exp(88))), 0, 1, 0, 0.5, 0.5, 0.5, 0.5],
    };
    const x = tensor(Float32Array.from({ length: 256 }, (_, i) => special[i % special.length]!));
    for (const op of ["exp", "tanh", "sigmoid"] as const) {
      const { run, calls } = counting();
      const out = tensor(new Float32Array(256));
      run(op, out, [x]);
      expect(calls[`${op}F32`]).toBe(1);
      const got = out.data();
      for (let i = 0; i < 256; i++) {
        const w = Math.fround(want[op]![i % special.length]!);
        const what = `${op}(${special[i % special.length]})`;
        // a subnormal result: within rounding at its 1.4e-45 spacing
        if (op === "sigmoid" && special[i % special.length] === -88) expect(Math.abs(got[i]! - w), what).toBeLessThanOrEqual(2e-7 * w + 1.5e-45);
        else expect(Object.is(got[i], w), `${what} = ${got[i]}, want ${w}`).toBe(true);
      }
    }
  });
});
