import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastShapes, Generator, randn, where, type Tensor } from "../src/index";
import { broadcastShapesArb } from "./helpers";

const BINARY: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow: (a, b) => a.abs().pow(b),
  maximum: (a, b) => a.maximum(b),
  minimum: (a, b) => a.minimum(b),
  gt: (a, b) => a.gt(b),
  le: (a, b) => a.le(b),
  eq: (a, b) => a.eq(b.mul(0)),
  where: (a, b) => where(a.gt(0), a, b),
};

/** The element of x (broadcast to `out`) at the row-major position k of `out`, by plain index arithmetic. */
function broadcastRead(x: Tensor, out: number[], k: number): number {
  const data = x.data();
  let flat = 0;
  let stride = 1;
  for (let d = out.length - 1; d >= 0; d--) {
    const i = k % out[d]!;
    k = Math.floor(k / out[d]!);
    const xd = d - (out.length - x.ndim);
    if (xd >= 0) {
      if (x.shape[xd] !== 1) flat += i * stride;
      stride *= x.shape[xd]!;
    }
  }
  return data[flat]!;
}

describe("broadcasting", () => {
  it("gives the same result as expanding both operands explicitly", () => {
    fc.assert(
      fc.property(broadcastShapesArb(2), fc.integer(), ([sa, sb], seed) => {
        const gen = new Generator(seed);
        const a = randn(sa, { dtype: "float64", generator: gen });
        const b = randn(sb, { dtype: "float64", generator: gen });
        const out = broadcastShapes("test", sa, sb);
        for (const [name, op] of Object.entries(BINARY)) {
          const implicit = op(a, b);
          const explicit = op(a.expand(out), b.expand(out));
          expect(implicit.shape, name).toEqual(explicit.shape);
          expect(Array.from(implicit.data()), name).toEqual(Array.from(explicit.data()));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("reads each operand at the broadcast index (checked against plain index arithmetic)", () => {
    fc.assert(
      fc.property(broadcastShapesArb(2), fc.integer(), ([sa, sb], seed) => {
        const gen = new Generator(seed);
        const a = randn(sa, { dtype: "float64", generator: gen });
        const b = randn(sb, { dtype: "float64", generator: gen });
        const out = broadcastShapes("test", sa, sb);
        const sum = a.add(b);
        expect(sum.shape).toEqual(out);
        const got = sum.data();
        for (let k = 0; k < got.length; k++) expect(got[k]).toBe(broadcastRead(a, out, k) + broadcastRead(b, out, k));
      }),
      { numRuns: 100 },
    );
  });

  it("sums gradients over broadcast dims back to each operand's shape", () => {
    const a = randn([2, 3, 1], { dtype: "float64", requiresGrad: true });
    const b = randn([3, 4], { dtype: "float64", requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad!.shape).toEqual([2, 3, 1]);
    expect(b.grad!.shape).toEqual([3, 4]);
    const bRows = b.sum(1).data();
    const aSum = a.sum(0).data();
    a.grad!.data().forEach((g, k) => expect(g).toBeCloseTo(bRows[k % 3]!, 12));
    b.grad!.data().forEach((g, k) => expect(g).toBeCloseTo(aSum[Math.floor(k / 4)]!, 12));
  });
});
