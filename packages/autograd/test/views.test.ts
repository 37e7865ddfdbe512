import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arange, chunk, noGrad, randn, split, tensor, unbind, type Tensor } from "../src/index";
import { shapeArb, shapeDimArb } from "./helpers";

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const range = (shape: number[]) => tensor(Float64Array.from({ length: numel(shape) }, (_, i) => i), { shape });

/** View ops over generated shapes: each entry builds a view of x. */
const viewCase = fc.oneof(
  shapeArb().chain((shape) => fc.constantFrom<[string, (x: Tensor) => Tensor]>(
    ["reshape", (x) => x.reshape([-1])],
    ["view", (x) => x.view([...x.shape].reverse().length ? [numel(x.shape)] : [])],
    ["T", (x) => x.T],
    ["unsqueeze", (x) => x.unsqueeze(0)],
    ["squeeze", (x) => x.squeeze()],
    ["detach", (x) => x.detach()],
    ["flip all", (x) => x.flip(x.shape.map((_, d) => d))],
  ).map((v) => ({ shape, name: v[0], view: v[1] }))),
  shapeArb().chain((shape) =>
    fc.shuffledSubarray(shape.map((_, d) => d), { minLength: shape.length, maxLength: shape.length }).map((p) => ({ shape, name: `permute ${p}`, view: (x: Tensor) => x.permute(p) })),
  ),
  shapeDimArb.chain(({ shape, dim }) =>
    fc.record({ start: fc.integer({ min: -3, max: 3 }), end: fc.integer({ min: -3, max: 4 }), step: fc.integer({ min: 1, max: 3 }), which: fc.nat(4) }).map(({ start, end, step, which }) => {
      const size = shape[dim < 0 ? dim + shape.length : dim]!;
      const views: [string, (x: Tensor) => Tensor][] = [
        [`slice(${dim}, ${start}, ${end}, ${step})`, (x) => x.slice(dim, start, end, step)],
        [`select(${dim}, ${which % size})`, (x) => x.select(dim, which % size)],
        [`narrow(${dim}, ${which % size}, 1)`, (x) => x.narrow(dim, which % size, 1)],
        [`split piece ${which}`, (x) => split(x, step, dim)[Math.min(which, Math.ceil(size / step) - 1)]!],
        [`unbind piece`, (x) => unbind(x, dim)[which % size]!],
        [`chunk piece`, (x) => chunk(x, step, dim)[0]!],
        [`transpose then flip`, (x) => x.transpose(dim, 0).flip(0).slice(-1, 0, undefined, step)],
      ];
      return { shape, name: views[which % views.length]![0], view: views[which % views.length]![1] };
    }),
  ),
);

describe("views", () => {
  it("share storage and version counter with their base, and writes go through to it", () => {
    fc.assert(
      fc.property(viewCase, ({ shape, view }) => {
        const x = range(shape);
        const v = view(x);
        expect(v.buf).toBe(x.buf);
        // which flat position of x each element of the view reads, from the same view of a position map
        const positions = Array.from(view(range(shape)).data());
        const markers = tensor(Float64Array.from(positions, (_, k) => -1 - k), { shape: v.shape });
        const before = x.version;
        noGrad(() => v.copy_(markers));
        expect(x.version).toBe(before + 1);
        expect(v.version).toBe(x.version);
        const expected = Array.from({ length: numel(shape) }, (_, i) => i);
        positions.forEach((p, k) => (expected[p] = -1 - k));
        expect(Array.from(x.data())).toEqual(expected);
        expect(Array.from(v.data())).toEqual(Array.from(markers.data()));
      }),
      { numRuns: 200 },
    );
  });

  it("read the elements PyTorch's indexing names", () => {
    const x = arange(24, { dtype: "float64" }).reshape([2, 3, 4]);
    expect(x.permute([2, 0, 1]).tolist()).toEqual(
      Array.from({ length: 4 }, (_, k) => Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => i * 12 + j * 4 + k))),
    );
    expect(x.slice(2, 1, undefined, 2).tolist()).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(x.select(1, -1).tolist()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    expect(x.narrow(2, 1, 2).select(0, 1).tolist()).toEqual([[13, 14], [17, 18], [21, 22]]);
    expect(x.flip([0, 2]).select(0, 0).select(0, 0).tolist()).toEqual([15, 14, 13, 12]);
    expect(x.flip(1).strides).toEqual([12, -4, 1]);
    expect(x.select(0, 0).select(0, 0).unsqueeze(0).expand([3, 4]).strides).toEqual([0, 1]);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(x.transpose(0, 2).select(0, 3).tolist()).toEqual([[3, 15], [7, 19], [11, 23]]);
  });

  it("permute(p) then permute(inverse(p)) gives back x", () => {
    fc.assert(
      fc.property(
        shapeArb(0, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, d) => d), { minLength: shape.length, maxLength: shape.length }))),
        ([shape, p]) => {
          const x = range(shape);
          const inverse = new Array<number>(p.length);
          p.forEach((d, i) => (inverse[d] = i));
          const back = x.permute(p).permute(inverse);
          expect(back.shape).toEqual(x.shape);
          expect(back.strides).toEqual(x.strides);
          expect(Array.from(back.data())).toEqual(Array.from(x.data()));
        },
      ),
    );
  });

  it("view() refuses strides it cannot express, naming the shapes; reshape() copies then", () => {
    const x = randn([2, 3], { dtype: "float64" }).T;
    expect(() => x.view([6])).toThrow(/view: shape \[6\] is not compatible with the strides \[1, 3\] of a tensor of shape \[3, 2\]/);
    const r = x.reshape([6]);
    expect(r.buf).not.toBe(x.buf);
    expect(Array.from(r.data())).toEqual((x.tolist() as number[][]).flat());
    // a view that the strides do allow copies nothing
    const y = randn([4, 6], { dtype: "float64" }).narrow(0, 1, 2);
    const v = y.view([2, 2, 3]);
    expect(v.buf).toBe(y.buf);
    expect(v.offset).toBe(6);
    expect(y.reshape([4, 3]).buf).toBe(y.buf);
  });

  it("contiguous() copies only when needed", () => {
    const x = randn([3, 4]);
    expect(x.contiguous()).toBe(x);
    expect(x.narrow(0, 1, 2).contiguous().buf).toBe(x.buf);
    const t = x.T.contiguous();
    expect(t.buf).not.toBe(x.buf);
    expect(t.isContiguous()).toBe(true);
    expect(t.tolist()).toEqual(x.T.tolist());
    expect(x.flip(0).isContiguous()).toBe(false);
    expect(x.unsqueeze(1).expand([3, 2, 4]).isContiguous()).toBe(false);
  });
});
