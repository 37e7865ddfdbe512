import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Generator, getBackend, noGrad, rand, randn, setBackend, tensor, where, type Tensor } from "../src/index";
import { counting, laidOut, type OperandLayout } from "./wasm-counting";
import { wasmKernels } from "../src/backend/wasm";

// The float32 kernels an Adam step runs besides add and mul: sqrt, addcmul_, addcdiv_ (and where).

const initial = getBackend();
afterEach(() => setBackend(initial));

type Layout = Exclude<OperandLayout, "per row">;
const LAYOUTS: Layout[] = ["contiguous", "chunk rows", "bias row", "scalar", "transposed"];

/** A float32 operand that broadcasts to [r, c], stored in the given layout. */
function operand(r: number, c: number, layout: Layout, gen: Generator, positive = false): Tensor {
  return laidOut(r, c, layout, (shape) => (positive ? rand(shape, { generator: gen }).add(0.5) : randn(shape, { generator: gen })));
}

/** A writable [r, c] target: contiguous, rows of a wider buffer, or transposed (the TypeScript path). */
function target(r: number, c: number, layout: Layout, gen: Generator): Tensor {
  return operand(r, c, layout === "bias row" || layout === "scalar" ? "contiguous" : layout, gen);
}

/** x + v·a∘b (or x + v·a/b) in float64 on the TypeScript kernels, and the magnitude of its terms. */
function reference(op: "addcmul" | "addcdiv", x: Tensor, a: Tensor, b: Tensor, v: number): { want: Float64Array; scale: Float64Array } {
  setBackend("js");
  const [x64, a64, b64] = [x, a, b].map((t) => t.to("float64"));
  const term = (op === "addcmul" ? a64!.mul(b64!) : a64!.div(b64!)).mul(v);
  const want = Float64Array.from(x64!.add(term).data());
  const scale = Float64Array.from(x64!.abs().add(term.abs()).data());
  return { want, scale };
}

/** float32 arithmetic: the scalar, the product or quotient and the sum each round once (≤ 4 half-ulps of the terms). */
function expectWithinRounding(got: Tensor, { want, scale }: ReturnType<typeof reference>, what: string): void {
  const g = got.contiguous().data();
  expect(g.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(g[i]! - want[i]!), `${what} [${i}]`).toBeLessThanOrEqual(2.5e-7 * scale[i]!);
}

function apply(op: "addcmul" | "addcdiv", x: Tensor, a: Tensor, b: Tensor, v: number): Tensor {
  const out = x.clone();
  const view = x.isContiguous() ? out : out.T.contiguous().T; // keep a transposed target transposed
  noGrad(() => (op === "addcmul" ? view.addcmul_(a, b, v) : view.addcdiv_(a, b, v)));
  return view;
}

describe.skipIf(!wasmKernels)("float32 sqrt, addcmul, addcdiv and where on WebAssembly", () => {
  const gen = new Generator(41);

  it.each(["addcmul", "addcdiv"] as const)("%s runs in the ternary kernel for dense, row, bias and scalar operands", (op) => {
    for (const [la, lb] of [["contiguous", "contiguous"], ["chunk rows", "bias row"], ["scalar", "contiguous"], ["bias row", "scalar"]] as const) {
      const { run, calls } = counting();
      const x = randn([48, 100], { generator: gen });
      const a = operand(48, 100, la, gen);
      const b = operand(48, 100, lb, gen, op === "addcdiv");
      const out = x.clone();
      run(op, out, [out, a, b], -0.37);
      expect(calls[`${op}F32`], `${op} ${la}, ${lb}`).toBe(1);
      expectWithinRounding(out, reference(op, x, a, b, -0.37), `${op} ${la}, ${lb}`);
    }
  });

  it.each(["addcmul", "addcdiv"] as const)("%s_ agrees with float64 for random shapes and layouts (property)", (op) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 130 }),
        fc.constantFrom(...LAYOUTS),
        fc.constantFrom(...LAYOUTS),
        fc.constantFrom(...LAYOUTS),
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.integer(),
        (r, c, lx, la, lb, v, seed) => {
          const g = new Generator(seed);
          const x = target(r, c, lx, g);
          const a = operand(r, c, la, g);
          const b = operand(r, c, lb, g, op === "addcdiv");
          const want = reference(op, x, a, b, v);
          setBackend("wasm");
          const got = apply(op, x, a, b, v);
          expect(got.shape).toEqual([r, c]);
          expectWithinRounding(got, want, `${op} [${r}, ${c}] ${lx}, ${la}, ${lb}, v = ${v}`);
        },
      ),
      { numRuns: 120 },
    );
  });

  it("addcdiv_ and addcmul_ leave their operands alone and write only the target's view", () => {
    setBackend("wasm");
    const base = randn([32, 1024], { generator: gen });
    const before = base.clone();
    const rows = base.chunk(4, 1)[1]!;
    const m = randn([32, 256], { generator: gen }), d = rand([32, 256], { generator: gen }).add(1);
    const [m0, d0] = [m.clone(), d.clone()];
    noGrad(() => rows.addcdiv_(m, d, 0.5).addcmul_(m, m, 2));
    expect(Array.from(m.data())).toEqual(Array.from(m0.data()));
    expect(Array.from(d.data())).toEqual(Array.from(d0.data()));
    const b = base.tolist() as number[][], o = before.tolist() as number[][], mm = m.tolist() as number[][], dd = d.tolist() as number[][];
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < 1024; j++) {
        if (j < 256 || j >= 512) expect(b[i]![j]).toBe(o[i]![j]);
        else {
          const k = j - 256;
          const want = o[i]![j]! + (0.5 * mm[i]![k]!) / dd[i]![k]! + 2 * mm[i]![k]! * mm[i]![k]!;
          expect(Math.abs(b[i]![j]! - want)).toBeLessThanOrEqual(5e-7 * (Math.abs(o[i]![j]!) + Math.abs(mm[i]![k]!) + 2 * mm[i]![k]! ** 2));
        }
      }
    }
  });

  it("sqrt is correctly rounded, bit for bit the TypeScript kernel, including -0, negatives, infinity and subnormals", () => {
    const { run, calls } = counting();
    const special = [0, -0, -1, Infinity, -Infinity, NaN, 1e-45, 1.5e-39, 2, 3.4e38];
    const values = Float32Array.from({ length: 4099 }, (_, i) => (i < special.length ? special[i]! : Math.exp(gen.normal() * 20)));
    const x = tensor(values);
    const out = tensor(new Float32Array(values.length));
    run("sqrt", out, [x]);
    expect(calls.sqrtF32).toBe(1);
    setBackend("js");
    const want = x.sqrt().data();
    const got = out.data();
    for (let i = 0; i < values.length; i++) expect(Object.is(got[i], want[i]) || got[i] === want[i], `sqrt(${values[i]})`).toBe(true);
    setBackend("wasm");
    const rows = randn([40, 512], { generator: gen }).abs().chunk(2, 1)[1]!;
    const w = rows.sqrt().data();
    setBackend("js");
    expect(Array.from(w)).toEqual(Array.from(rows.sqrt().data()));
  });

  it("where picks b where the condition is nonzero (NaN included) and c at ±0, bit for bit the TypeScript kernel", () => {
    const { run, calls } = counting();
    const n = 2051;
    const cond = tensor(Float32Array.from({ length: n }, (_, i) => [0, -0, 1, NaN, -2, Infinity, 1e-45][i % 7]!));
    const b = randn([n], { generator: gen }), c = randn([n], { generator: gen });
    b.data()[3] = NaN;
    c.data()[0] = -0;
    const out = tensor(new Float32Array(n));
    run("where", out, [cond, b, c]);
    expect(calls.whereF32).toBe(1);
    setBackend("js");
    expect(Array.from(out.data())).toEqual(Array.from(where(cond, b, c).data()));
    const [g, bias] = [randn([64, 300], { generator: gen }), randn([300], { generator: gen })];
    setBackend("wasm");
    const w = where(g.gt(0), bias, 0).data();
    setBackend("js");
    expect(Array.from(w)).toEqual(Array.from(where(g.gt(0), bias, 0).data()));
  });
});
