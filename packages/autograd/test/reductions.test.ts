import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amax, argmax, argmin, Generator, logSumExp, randn, type Tensor } from "../src/index";
import { expectAllClose, makeInput, layoutArb, shapeArb, shapeDimArb } from "./helpers";

/** x's elements grouped by their index outside `dims` (groups and members in row-major order). */
function groups(x: Tensor, dims: number[]): number[][] {
  const data = x.data();
  const keptShape = x.shape.filter((_, d) => !dims.includes(d));
  const out = Array.from({ length: keptShape.reduce((a, b) => a * b, 1) }, () => [] as number[]);
  for (let k = 0; k < data.length; k++) {
    let rest = k;
    const index = new Array<number>(x.ndim);
    for (let d = x.ndim - 1; d >= 0; d--) {
      index[d] = rest % x.shape[d]!;
      rest = Math.floor(rest / x.shape[d]!);
    }
    const group = keptShape.length === 0 ? 0 : index.reduce((acc, i, d) => (dims.includes(d) ? acc : acc * x.shape[d]! + i), 0);
    out[group]!.push(data[k]!);
  }
  return out;
}

const dimsArb = shapeArb(1, 3).chain((shape) =>
  fc.record({ shape: fc.constant(shape), dims: fc.subarray(shape.map((_, d) => d), { minLength: 1 }), keepdim: fc.boolean(), layout: layoutArb, seed: fc.integer() }),
);

const input = (shape: number[], layout: (typeof layoutArb extends fc.Arbitrary<infer L> ? L : never), seed: number) => {
  const m = makeInput(shape, layout, new Generator(seed));
  return m.use(m.leaf.detach());
};

describe("reductions equal plain loops", () => {
  it("sum, mean, amax, logSumExp over any dims, keepdim or not, on any layout", () => {
    fc.assert(
      fc.property(dimsArb, ({ shape, dims, keepdim, layout, seed }) => {
        const x = input(shape, layout, seed);
        const kept = shape.map((s, d) => (dims.includes(d) ? 1 : s));
        const outShape = keepdim ? kept : shape.filter((_, d) => !dims.includes(d));
        const count = dims.reduce((n, d) => n * shape[d]!, 1);
        const members = groups(x, dims);
        const sums = members.map((g) => g.reduce((a, v) => a + v, 0));
        const maxes = members.map((g) => Math.max(...g));
        const expSums = members.map((g) => g.reduce((a, v) => a + Math.exp(v), 0));
        const check = (t: Tensor, expected: number[]) => {
          expect(t.shape).toEqual(outShape);
          expectAllClose(t, expected, 1e-12, 1e-12);
        };
        check(x.sum(dims, keepdim), sums);
        check(x.mean(dims, keepdim), sums.map((s) => s / count));
        check(amax(x, dims, keepdim), maxes);
        check(logSumExp(x, dims, keepdim), expSums.map(Math.log));
      }),
      { numRuns: 200 },
    );
  });

  it("max, min (values and first index), argmax, argmin, softmax over one dim", () => {
    fc.assert(
      fc.property(shapeDimArb, layoutArb, fc.integer(), ({ shape, dim, keepdim }, layout, seed) => {
        const x = input(shape, layout, seed);
        const d = dim < 0 ? dim + shape.length : dim;
        const members = groups(x, [d]);
        const maxes = members.map((g) => Math.max(...g));
        const mins = members.map((g) => Math.min(...g));
        const firstAt = (target: number[]) => members.map((g, k) => g.indexOf(target[k]!));
        const [values, indices] = x.max(dim, keepdim);
        expectAllClose(values, maxes, 0, 0);
        expect(Array.from(indices.data())).toEqual(firstAt(maxes));
        expect(indices.dtype).toBe("int32");
        expect(values.shape).toEqual(keepdim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d));
        const [minValues, minIndices] = x.min(dim, keepdim);
        expectAllClose(minValues, mins, 0, 0);
        expect(Array.from(minIndices.data())).toEqual(firstAt(mins));
        expect(Array.from(argmax(x, dim).data())).toEqual(firstAt(maxes));
        expect(Array.from(argmin(x, dim).data())).toEqual(firstAt(mins));
        expect(x.max().item()).toBe(Math.max(...x.data()));
        expect(x.min().item()).toBe(Math.min(...x.data()));
        expect(argmax(x).item()).toBe(Array.from(x.data()).indexOf(Math.max(...x.data())));
        const softmax = members.map((g) => g.map((v) => Math.exp(v) / g.reduce((a, w) => a + Math.exp(w), 0)));
        const dimLast = [...shape.keys()].filter((i) => i !== d).concat(d);
        expectAllClose(x.softmax(dim).permute(dimLast), softmax.flat(), 1e-12, 1e-12);
        expectAllClose(x.logSoftmax(dim).permute(dimLast), softmax.flat().map(Math.log), 1e-12, 1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it("ties: max/argmax pick the first index, like PyTorch on CPU", () => {
    const x = randn([1], { dtype: "float64" }).expand([5]).contiguous();
    expect(argmax(x).item()).toBe(0);
    const [, i] = x.unsqueeze(0).max(1);
    expect(i.item()).toBe(0);
  });
});
