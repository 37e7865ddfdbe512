import { tensor, type Tensor } from "@tapegrad/autograd";
import { Adagrad, Adam, AdamW, RMSprop, SGD, clipGradNorm } from "@tapegrad/optim";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const vector = (min = -10, max = 10) => fc.array(finite(min, max), { minLength: 1, maxLength: 8 });
const f64 = (values: number[], requiresGrad = false): Tensor => tensor(new Float64Array(values), { requiresGrad });

/** A parameter and a gradient of the same length. */
const paramAndGrad = (gradMin = -10, gradMax = 10) =>
  fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.array(finite(-10, 10), { minLength: n, maxLength: n }), fc.array(finite(gradMin, gradMax), { minLength: n, maxLength: n })));

describe("optimizer properties", () => {
  it("SGD without momentum gives exactly p - lr·g", () => {
    fc.assert(
      fc.property(paramAndGrad(), finite(0, 2), ([p, g], lr) => {
        const w = f64(p, true);
        w.grad = f64(g);
        new SGD([w], { lr }).step();
        expect(Array.from(w.data())).toEqual(p.map((v, i) => v - lr * g[i]!));
      }),
    );
  });

  it("Adam's first step moves each coordinate by about lr, against the gradient", () => {
    const signedAwayFromZero = fc.tuple(finite(1e-3, 1e3), fc.boolean()).map(([m, neg]) => (neg ? -m : m));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.array(finite(-10, 10), { minLength: n, maxLength: n }), fc.array(signedAwayFromZero, { minLength: n, maxLength: n }))),
        finite(1e-4, 1),
        ([p, g], lr) => {
          const w = f64(p, true);
          w.grad = f64(g);
          new Adam([w], { lr }).step();
          Array.from(w.data()).forEach((v, i) => {
            const move = v - p[i]!;
            expect(Math.sign(move)).toBe(-Math.sign(g[i]!));
            expect(Math.abs(Math.abs(move) - lr)).toBeLessThanOrEqual(lr * 1e-4 + 1e-12 * Math.abs(p[i]!));
          });
        },
      ),
    );
  });

  it("a zero gradient leaves parameters unchanged without weight decay, for every optimizer", () => {
    const makers = [
      (w: Tensor) => new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true }),
      (w: Tensor) => new Adam([w], { lr: 0.1, amsgrad: true }),
      (w: Tensor) => new AdamW([w], { lr: 0.1, weightDecay: 0 }),
      (w: Tensor) => new RMSprop([w], { lr: 0.1, momentum: 0.5, centered: true }),
      (w: Tensor) => new Adagrad([w], { lr: 0.1, lrDecay: 0.1 }),
    ];
    fc.assert(
      fc.property(vector(), fc.integer({ min: 0, max: makers.length - 1 }), fc.integer({ min: 1, max: 4 }), (p, k, steps) => {
        const w = f64(p, true);
        const opt = makers[k]!(w);
        for (let s = 0; s < steps; s++) {
          w.grad = f64(p.map(() => 0));
          opt.step();
        }
        expect(Array.from(w.data())).toEqual(p);
      }),
    );
  });
});

describe("clipping properties", () => {
  const normOf = (values: number[], p: number) =>
    p === Infinity ? Math.max(...values.map(Math.abs)) : values.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);

  it("never increases the norm and preserves each gradient's direction", () => {
    fc.assert(
      fc.property(
        fc.array(vector(-100, 100), { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.constant(0), finite(1e-6, 50)), // a subnormal maxNorm would only test rounding of coef·g
        fc.constantFrom<number | "inf">(1, 2, 3, 1.5, "inf"),
        (values, maxNorm, normType) => {
          const p = normType === "inf" ? Infinity : normType;
          const params = values.map((g) => {
            const t = f64(g.map(() => 0), true);
            t.grad = f64(g);
            return t;
          });
          const total = clipGradNorm(params, maxNorm, normType);
          const before = values.flat();
          expect(total).toBeCloseTo(normOf(before, p), 8);
          const after = params.flatMap((t) => Array.from(t.grad!.data()));
          const afterNorm = normOf(after, p);
          expect(afterNorm).toBeLessThanOrEqual(normOf(before, p) * (1 + 1e-12));
          if (total > maxNorm) expect(afterNorm).toBeLessThanOrEqual(maxNorm * (1 + 1e-9));
          // one non-negative factor ≤ 1 for every element
          const scale = total > 0 ? Math.min(1, maxNorm / (total + 1e-6)) : 1;
          after.forEach((v, i) => expect(v).toBeCloseTo(before[i]! * scale, 10));
        },
      ),
    );
  });
});
