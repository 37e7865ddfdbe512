import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, randn, type Tensor } from "@tapegrad/autograd";
import { copyOf, layoutArb, viewOf } from "./cases/layouts";
import { LAYER_SPECS, LOSS_SPECS, type Family, type NnSpec } from "./cases/specs";

const ALL: Record<string, NnSpec> = { ...LOSS_SPECS, ...LAYER_SPECS };
const FAMILIES: Family[] = ["loss", "linear", "conv", "pool", "norm", "embedding", "recurrent", "attention", "dropout"];
const MAX_INPUTS = 4;

interface Result {
  out: Tensor;
  inputGrads: Tensor[];
  paramGrads: Tensor[];
}

/** Runs the spec on these inputs with a fresh module, and backpropagates a fixed random cotangent. */
function runSpec(spec: NnSpec, s: unknown, inputs: Tensor[], seed: number): Result {
  const differentiable = (t: Tensor, i: number) => t.dtype === "float64" && !spec.constant?.includes(i);
  const leaves = inputs.map((t, i) => (differentiable(t, i) ? t.detach().requiresGrad_() : t));
  leaves.forEach((l, i) => expect(l.strides).toEqual(inputs[i]!.strides));
  const module = spec.module?.(s);
  const out = spec.run(module, leaves, s);
  out
    .mul(randn(out.shape, { dtype: "float64", generator: new Generator(seed + 1) }))
    .sum()
    .backward();
  return {
    out,
    inputGrads: leaves.filter(differentiable).map((l) => l.grad!),
    paramGrads: (module?.parameters() ?? []).map((p) => p.grad!),
  };
}

/** |a - b| <= 1e-12 + 1e-10 |b| everywhere (summation order may differ with the layout), NaN where NaN. */
function expectSame(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const [a, b] = [actual.data(), expected.data()];
  b.forEach((e, i) => {
    if (Number.isNaN(e) && Number.isNaN(a[i]!)) return;
    if (!(Math.abs(a[i]! - e) <= 1e-12 + 1e-10 * Math.abs(e))) throw new Error(`${what}: element ${i} is ${a[i]} on strided inputs, ${e} on contiguous copies`);
  });
}

describe("losses and layers on transposed, stepped (offset), flipped and expanded inputs: the values and gradients of contiguous copies", () => {
  for (const family of FAMILIES) {
    const names = Object.keys(ALL).filter((n) => ALL[n]!.family === family);
    it(`${family}: ${names.join(", ")}`, () => {
      const arb = fc
        .constantFrom(...names)
        .chain((name) =>
          fc.record({ name: fc.constant(name), s: ALL[name]!.sizes, layouts: fc.array(layoutArb, { minLength: MAX_INPUTS, maxLength: MAX_INPUTS }), seed: fc.nat() })
        );
      fc.assert(
        fc.property(arb, ({ name, s, layouts, seed }) => {
          const spec = ALL[name]!;
          const views = spec.inputs(s, new Generator(seed)).map((t, i) => viewOf(t, layouts[i]!));
          const strided = runSpec(spec, s, views, seed);
          const contiguous = runSpec(spec, s, views.map(copyOf), seed);
          expectSame(strided.out, contiguous.out, `${name} output`);
          strided.inputGrads.forEach((g, i) => expectSame(g, contiguous.inputGrads[i]!, `${name} gradient of input ${i}`));
          strided.paramGrads.forEach((g, i) => expectSame(g, contiguous.paramGrads[i]!, `${name} gradient of parameter ${i}`));
        }),
        { numRuns: 12 * names.length }
      );
    });
  }

  it("every spec is in a family, and the views are really strided", () => {
    expect(Object.values(ALL).every((s) => FAMILIES.includes(s.family))).toBe(true);
    const t = randn([2, 3], { dtype: "float64" });
    for (const layout of ["transposed", "stepped", "flipped"] as const) {
      const v = viewOf(t, layout);
      expect(v.tolist()).toEqual(t.tolist());
      expect(v.strides.join() !== "3,1" || v.offset !== 0).toBe(true);
    }
    expect(viewOf(t, "expanded").strides).toEqual([0, 1]);
  });
});
