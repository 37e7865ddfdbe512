import fc from "fast-check";
import { expect } from "vitest";
import { Generator, grad, gradcheck, tensor, type Tensor } from "../src/index";

/** How a test input is laid out in memory. "expanded" inputs are expanded inside the checked fn. */
export const LAYOUTS = ["contiguous", "permuted", "offset", "flipped", "expanded"] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface Range {
  low: number;
  high: number;
}
export const ANY: Range = { low: -2, high: 2 };
export const POSITIVE: Range = { low: 0.5, high: 2 };

function uniform(n: number, gen: Generator, range: Range): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = range.low + (range.high - range.low) * gen.random();
  return out;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A float64 leaf of `shape` laid out as asked, plus `use`, which turns the leaf into the tensor
 * the op sees (the identity except for "expanded", whose leaf has size 1 on the expanded dims).
 */
export function makeInput(shape: readonly number[], layout: Layout, gen: Generator, range: Range = ANY): { leaf: Tensor; use: (t: Tensor) => Tensor } {
  const nd = shape.length;
  const identity = (t: Tensor) => t;
  const leafOf = (base: Tensor, view: (b: Tensor) => Tensor) => view(base).detach().requiresGrad_();
  switch (layout) {
    case "contiguous":
      return { leaf: tensor(uniform(numel(shape), gen, range), { shape: [...shape], requiresGrad: true }), use: identity };
    case "permuted": {
      // stored with the dims reversed, read back through a permutation
      const reversed = [...shape].reverse();
      const base = tensor(uniform(numel(shape), gen, range), { shape: reversed });
      return { leaf: leafOf(base, (b) => b.permute(reversed.map((_, i) => nd - 1 - i))), use: identity };
    }
    case "offset": {
      // every dim twice as long plus one, read from position 1 with step 2
      const big = shape.map((s) => 2 * s + 1);
      const base = tensor(uniform(numel(big), gen, range), { shape: big });
      return { leaf: leafOf(base, (b) => shape.reduce((t, s, d) => t.slice(d, 1, 1 + 2 * s, 2), b)), use: identity };
    }
    case "flipped": {
      const base = tensor(uniform(numel(shape), gen, range), { shape: [...shape] });
      return { leaf: leafOf(base, (b) => (nd === 0 ? b : b.flip(shape.map((_, d) => d)))), use: identity };
    }
    case "expanded": {
      // dims of size > 1 at even positions are stored once and expanded (stride 0)
      const stored = shape.map((s, d) => (d % 2 === 0 ? 1 : s));
      const leaf = tensor(uniform(numel(stored), gen, range), { shape: stored, requiresGrad: true });
      return { leaf, use: (t) => t.expand([...shape]) };
    }
  }
}

export const dimSize = fc.integer({ min: 1, max: 3 });
export const shapeArb = (minDims = 0, maxDims = 3) => fc.array(dimSize, { minLength: minDims, maxLength: maxDims });
export const layoutArb = fc.constantFrom(...LAYOUTS);

/** A shape that broadcasts to `out`: some leading dims dropped, some dims set to 1. */
export function broadcastableTo(out: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s)));
}

/** n shapes that broadcast together (to a shape of up to 3 dims). */
export const broadcastShapesArb = (n: number) => shapeArb().chain((out) => fc.tuple(...Array.from({ length: n }, () => broadcastableTo(out))));

/** One shape with at least one dim, a dim of it (possibly negative) and keepdim. */
export const shapeDimArb = shapeArb(1, 3).chain((shape) =>
  fc.record({ shape: fc.constant(shape), dim: fc.integer({ min: -shape.length, max: shape.length - 1 }), keepdim: fc.boolean() }),
);

export interface Case<A> {
  shapes: number[][];
  arg: A;
}

export interface CheckOptions {
  range?: Range | Range[];
  runs?: number;
  atol?: number;
  rtol?: number;
  eps?: number;
}

/** One op under test: generated cases and the function of the inputs that applies the op. */
export interface OpSpec<A = any> {
  cases: fc.Arbitrary<Case<A>>;
  fn: (inputs: Tensor[], arg: A) => Tensor | Tensor[];
  opts: CheckOptions;
}
export type OpSpecs = Record<string, OpSpec | OpSpec[]>;

export function spec<A>(cases: fc.Arbitrary<Case<A>>, fn: (inputs: Tensor[], arg: A) => Tensor | Tensor[], opts: CheckOptions = {}): OpSpec<A> {
  return { cases, fn, opts };
}

type Made = ReturnType<typeof makeInput>;

/** Runs `body` on generated cases, each input made with a generated layout and values. */
function forAllInputs<A>(s: OpSpec<A>, body: (made: Made[], c: Case<A>) => void): void {
  const { cases, opts } = s;
  const arb = cases.chain((c) =>
    fc.record({ c: fc.constant(c), layouts: fc.array(layoutArb, { minLength: c.shapes.length, maxLength: c.shapes.length }), seed: fc.integer({ min: 0, max: 2 ** 31 }) }),
  );
  fc.assert(
    fc.property(arb, ({ c, layouts, seed }) => {
      const gen = new Generator(seed);
      const range = (i: number) => (Array.isArray(opts.range) ? opts.range[i]! : opts.range ?? ANY);
      body(c.shapes.map((shape, i) => makeInput(shape, layouts[i]!, gen, range(i))), c);
    }),
    { numRuns: opts.runs ?? 20 },
  );
}

/**
 * The one-line op test: for generated shapes, layouts and values, the package's gradcheck
 * (float64, central differences) must agree with the tape.
 */
export function checkGrad(s: OpSpec): void {
  forAllInputs(s, (made, c) => {
    const fn = (...leaves: Tensor[]) => s.fn(leaves.map((l, i) => made[i]!.use(l)), c.arg);
    const result = gradcheck(fn, made.map((m) => m.leaf), { atol: s.opts.atol ?? 1e-6, rtol: s.opts.rtol ?? 1e-5, eps: s.opts.eps });
    if (!result.ok) throw new Error(`gradcheck failed: ${JSON.stringify(result.worst)} (maxAbsError ${result.maxAbsError})`);
  });
}

/**
 * Second order: gradcheck of x -> vᵀJ(x) for a fixed random v, so every backward rule must
 * itself be differentiable (createGraph) and its own gradient right.
 */
export function checkGradGrad(s: OpSpec): void {
  forAllInputs({ ...s, opts: { ...s.opts, runs: s.opts.runs ?? 8 } }, (made, c) => {
    const vjp = (...leaves: Tensor[]) => {
      const outs = [s.fn(leaves.map((l, i) => made[i]!.use(l)), c.arg)].flat().filter((o) => o.requiresGrad);
      if (outs.length === 0) return [];
      const gen = new Generator(99);
      const v = outs.map((o) => tensor(uniform(o.numel, gen, ANY), { shape: o.shape }));
      return grad(outs, leaves, { gradOutputs: v, createGraph: true, allowUnused: true }).filter((g): g is Tensor => g !== null);
    };
    const result = gradcheck(vjp, made.map((m) => m.leaf), { atol: s.opts.atol ?? 1e-5, rtol: s.opts.rtol ?? 1e-4, eps: s.opts.eps });
    if (!result.ok) throw new Error(`second-order gradcheck failed: ${JSON.stringify(result.worst)} (maxAbsError ${result.maxAbsError})`);
  });
}

/** The op gives the same outputs on strided, expanded, offset and flipped inputs as on contiguous copies. */
export function checkLayouts(s: OpSpec): void {
  forAllInputs(s, (made, c) => {
    const strided = made.map((m) => m.use(m.leaf.detach()));
    for (const t of strided) t.requiresGrad = true;
    const copies = strided.map((t) => tensor(t.data(), { shape: t.shape, requiresGrad: true }));
    const asList = (o: Tensor | Tensor[]) => (Array.isArray(o) ? o : [o]);
    const expected = asList(s.fn(copies, c.arg));
    asList(s.fn(strided, c.arg)).forEach((out, k) => expectAllClose(out, expected[k]!, 1e-12, 1e-12));
  });
}

/** Cases made of shapes only. */
export const shapesOnly = (arb: fc.Arbitrary<number[][]>): fc.Arbitrary<Case<null>> => arb.map((shapes) => ({ shapes, arg: null }));

/** Asserts same shape and |a - b| <= atol + rtol |b| everywhere. */
export function expectAllClose(actual: Tensor, expected: Tensor | number[], atol = 1e-12, rtol = 1e-12): void {
  const exp = Array.isArray(expected) ? expected : Array.from(expected.data());
  if (!Array.isArray(expected)) expect(actual.shape).toEqual(expected.shape);
  const got = Array.from(actual.data());
  expect(got.length).toBe(exp.length);
  got.forEach((v, i) => {
    const e = exp[i]!;
    if (Number.isNaN(e) && Number.isNaN(v)) return;
    if (!(Math.abs(v - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`element ${i}: got ${v}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  });
}
