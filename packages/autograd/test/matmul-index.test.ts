import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gather, Generator, indexSelect, linear, tensor, type Tensor } from "../src/index";
import { broadcastableTo, layoutArb, makeInput, shapeArb, shapeDimArb, type Layout } from "./helpers";

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const input = (shape: number[], layout: Layout, seed: number): Tensor => {
  const m = makeInput(shape, layout, new Generator(seed));
  return m.use(m.leaf.detach());
};
/** Element of x at a full index, read from its row-major copy. */
const at = (x: Tensor, data: ArrayLike<number>, index: number[]) => data[index.reduce((p, i, d) => p * x.shape[d]! + i, 0)]!;
const unravel = (k: number, shape: number[]) => {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return index;
};

describe("matmul, linear and indexing equal plain loops", () => {
  for (const [maxSize, runs] of [[9, 200], [40, 30]] as const) it(`matmul: 1-D, 2-D and batched with broadcast batch dims, on any layout (sizes up to ${maxSize})`, () => {
    const size = fc.integer({ min: 1, max: maxSize });
    fc.assert(
      fc.property(
        fc.record({ m: size, k: size, n: size, batch: shapeArb(0, 2), aVec: fc.boolean(), bVec: fc.boolean(), la: layoutArb, lb: layoutArb, seed: fc.integer() })
          .chain((c) => fc.tuple(fc.constant(c), broadcastableTo(c.batch), broadcastableTo(c.batch))),
        ([{ m, k, n, batch, aVec, bVec, la, lb, seed }, ba, bb]) => {
          const a = input(aVec ? [k] : [...ba, m, k], la, seed);
          const b = input(bVec ? [k] : [...bb, k, n], lb, seed + 1);
          const out = a.matmul(b);
          // plain loops over the broadcast batch dims, with 1-D operands promoted as torch.matmul does
          const aBatch = aVec ? [] : ba;
          const bBatch = bVec ? [] : bb;
          const nb = Math.max(aBatch.length, bBatch.length);
          const pad = (s: number[]) => [...Array(nb - s.length).fill(1), ...s];
          const outBatch = pad(aBatch).map((s, d) => Math.max(s, pad(bBatch)[d]!));
          const batchIndex = (own: number[], full: number[]) => pad(own).map((s, d) => (s === 1 ? 0 : full[d]!)).slice(nb - own.length);
          const M = aVec ? 1 : m;
          const N = bVec ? 1 : n;
          const ad = a.data();
          const bd = b.data();
          const expected: number[] = [];
          for (let q = 0; q < numel(outBatch); q++) {
            const full = unravel(q, outBatch);
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                let s = 0;
                for (let t = 0; t < k; t++) {
                  const av = at(a, ad, aVec ? [t] : [...batchIndex(aBatch, full), i, t]);
                  const bv = at(b, bd, bVec ? [t] : [...batchIndex(bBatch, full), t, j]);
                  s += av * bv;
                }
                expected.push(s);
              }
            }
          }
          const shape = [...outBatch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
          expect(out.shape).toEqual(shape);
          const got = out.data();
          expected.forEach((e, i) => expect(Math.abs(got[i]! - e)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(e))));
        },
      ),
      { numRuns: runs },
    );
  });

  it("linear: x Wᵀ + b over the last dim, b none, a row or the output's shape, on any layout", () => {
    const size = fc.integer({ min: 1, max: 12 });
    fc.assert(
      fc.property(
        fc.record({ lead: shapeArb(0, 2), k: size, n: size, bias: fc.constantFrom("none", "row", "full"), lx: layoutArb, lw: layoutArb, lb: layoutArb, seed: fc.integer() }),
        ({ lead, k, n, bias, lx, lw, lb, seed }) => {
          const x = input([...lead, k], lx, seed);
          const w = input([n, k], lw, seed + 1);
          const b = bias === "none" ? null : input(bias === "row" ? [n] : [...lead, n], lb, seed + 2);
          const out = linear(x, w, b);
          expect(out.shape).toEqual([...lead, n]);
          const xd = x.data();
          const wd = w.data();
          const bd = b?.data();
          const got = out.data();
          for (let r = 0; r < numel(lead); r++) {
            for (let j = 0; j < n; j++) {
              let s = bd ? bd[bias === "row" ? j : r * n + j]! : 0;
              for (let t = 0; t < k; t++) s += xd[r * k + t]! * wd[j * k + t]!;
              expect(Math.abs(got[r * n + j]! - s)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(s)));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("gather and indexSelect read the named elements", () => {
    fc.assert(
      fc.property(shapeDimArb, layoutArb, fc.integer(), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), ({ shape, dim }, layout, seed, picks) => {
        const x = input(shape, layout, seed);
        const d = dim < 0 ? dim + shape.length : dim;
        const xd = x.data();
        const indexShape = shape.map((s, i) => (i === d ? 1 + (picks.length % 4) : Math.max(1, s - (picks[0]! % 2))));
        const index = Array.from({ length: numel(indexShape) }, (_, i) => picks[i % picks.length]! % shape[d]!);
        const got = gather(x, dim, tensor(Int32Array.from(index), { shape: indexShape })).data();
        index.forEach((v, k) => {
          const p = unravel(k, indexShape);
          p[d] = v;
          expect(got[k]).toBe(at(x, xd, p));
        });
        const list = picks.slice(0, 5).map((p) => p % shape[d]!);
        const selected = indexSelect(x, dim, tensor(Int32Array.from(list)));
        const outShape = shape.map((s, i) => (i === d ? list.length : s));
        expect(selected.shape).toEqual(outShape);
        const sd = selected.data();
        for (let k = 0; k < sd.length; k++) {
          const p = unravel(k, outShape);
          p[d] = list[p[d]!]!;
          expect(sd[k]).toBe(at(x, xd, p));
        }
      }),
      { numRuns: 200 },
    );
  });
});
