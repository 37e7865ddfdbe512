import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { functional, Generator, tensor, zeros, type Tensor } from "../src/index";
import { expectAllClose, layoutArb, makeInput, shapeArb } from "./helpers";

const { jacobian, hessian } = functional;

/** Every Tensor of a (nested) jacobian result, in order. */
const leaves = (r: Tensor | Tensor[] | Tensor[][]): Tensor[] => [r].flat(2) as Tensor[];

/** Functions of two inputs a (shape sa) and b (shape sb) with two outputs; each uses broadcasting, reductions or views. */
const FUNCTIONS: ((a: Tensor, b: Tensor) => Tensor[])[] = [
  (a, b) => [a.exp().mul(b.sum()), b.tanh().sum()],
  (a, b) => [a.reshape([-1]).sigmoid().sum().mul(b.flip(b.shape.map((_, d) => d))), a.pow(2).cumsum(0)],
  (a, b) => [a.sin().logSumExp(undefined, false), b.mul(b).add(a.sum()).softmax(b.ndim - 1)],
];

const caseArb = fc.record({
  sa: shapeArb(1, 3),
  sb: shapeArb(1, 3),
  layouts: fc.tuple(layoutArb, layoutArb),
  fn: fc.integer({ min: 0, max: FUNCTIONS.length - 1 }),
  seed: fc.nat(),
});

describe("functional.jacobian: vectorize and strategy", () => {
  it("vectorized reverse-mode (rows) and forward-mode (columns) give the Jacobian of the non-vectorized path, in any layout", () => {
    fc.assert(
      fc.property(caseArb, ({ sa, sb, layouts, fn, seed }) => {
        const gen = new Generator(seed);
        const [a, b] = [makeInput(sa, layouts[0], gen), makeInput(sb, layouts[1], gen)].map((m) => m.use(m.leaf.detach()));
        const f = (x: Tensor, y: Tensor) => FUNCTIONS[fn]!(x, y);
        const plain = leaves(jacobian(f, [a!, b!]));
        const rows = leaves(jacobian(f, [a!, b!], { vectorize: true }));
        const columns = leaves(jacobian(f, [a!, b!], { vectorize: true, strategy: "forward-mode" }));
        plain.forEach((J, k) => {
          expectAllClose(rows[k]!, J, 0, 0);
          expectAllClose(columns[k]!, J, 1e-13, 1e-12);
        });
      }),
      { numRuns: 30 },
    );
  });

  it("forward-mode: zeros for outputs that do not depend on an input, constant outputs and zero-gradient rules; PyTorch's nesting", () => {
    const x = tensor([0.5, -1.5, 2], { dtype: "float64" });
    const y = tensor([[1, 2]], { dtype: "float64" });
    const f = (a: Tensor, b: Tensor) => [a.mul(3), b.sign().add(a.sum()), zeros([2], { dtype: "float64" })];
    const J = jacobian(f, [x, y], { vectorize: true, strategy: "forward-mode" }) as Tensor[][];
    const R = jacobian(f, [x, y]) as Tensor[][];
    expect(J.map((row) => row.map((t) => t.shape))).toEqual([[[3, 3], [3, 1, 2]], [[1, 2, 3], [1, 2, 1, 2]], [[2, 3], [2, 1, 2]]]);
    J.flat().forEach((t, k) => expectAllClose(t, R.flat()[k]!, 0, 0));
    expect(J[1]![1]!.abs().sum().item()).toBe(0);
    expect((jacobian((a: Tensor) => a.exp(), x, { vectorize: true, strategy: "forward-mode" }) as Tensor).shape).toEqual([3, 3]);
    expect((jacobian((a: Tensor) => a.sum(), zeros([0], { dtype: "float64" }), { vectorize: true, strategy: "forward-mode" }) as Tensor).shape).toEqual([0]);
  });

  it("sweeps through the forward: one per output element in reverse-mode, 1 + one per input element in forward-mode", () => {
    const x = tensor([0.3, -0.7], { dtype: "float64" });
    let sweeps = 0;
    const tall = (a: Tensor) => {
      const h = a.tanh();
      h.registerHook(() => void sweeps++);
      return h.reshape([2, 1]).mul(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { dtype: "float64" })).sin();
    };
    const rows = jacobian(tall, x) as Tensor;
    expect(sweeps).toBe(20);
    sweeps = 0;
    const columns = jacobian(tall, x, { vectorize: true, strategy: "forward-mode" }) as Tensor;
    // the recorded backward, then each column's sweep, which reaches h through tanh's saved output
    expect(sweeps).toBe(3);
    expectAllClose(columns, rows, 1e-14, 1e-12);
  });

  it("hessian with a forward-mode outer Jacobian (forward-over-reverse) equals the reverse-over-reverse one", () => {
    const gen = new Generator(3);
    const { leaf: x } = makeInput([2, 3], "permuted", gen);
    const s = (a: Tensor, b: Tensor) => a.exp().mul(b.sum()).sin().sum().add(b.pow(3).sum());
    const b = tensor([0.2, -0.4], { dtype: "float64" });
    const H = hessian(s, [x.detach(), b]) as Tensor[][];
    const F = hessian(s, [x.detach(), b], { vectorize: true, outerJacobianStrategy: "forward-mode" }) as Tensor[][];
    H.flat().forEach((t, k) => expectAllClose(F.flat()[k]!, t, 1e-13, 1e-12));
  });

  it("PyTorch's rules and errors for the options", () => {
    const x = tensor([1, 2], { dtype: "float64" });
    const f = (a: Tensor) => a.exp();
    expect(() => jacobian(f, x, { strategy: "forward-mode" })).toThrow(/functional.jacobian: strategy "forward-mode" is only implemented with vectorize: true/);
    expect(() => jacobian(f, x, { vectorize: true, strategy: "forward-mode", createGraph: true })).toThrow(/createGraph and strategy "forward-mode" are not supported together/);
    expect(() => jacobian(f, x, { strict: true, strategy: "forward-mode" })).toThrow(/strict and strategy "forward-mode" are not supported together/);
    expect(() => jacobian(f, x, { strategy: "forward" as "forward-mode" })).toThrow(/functional.jacobian: strategy must be "reverse-mode" or "forward-mode", got "forward"/);
    expect(() => hessian((a: Tensor) => a.pow(3).sum(), x, { outerJacobianStrategy: "forward-mode" })).toThrow(/functional.hessian: outerJacobianStrategy "forward-mode" is only implemented with vectorize: true/);
    expect(() => hessian((a: Tensor) => a.pow(3).sum(), x, { strategy: "forward-mode" } as object)).toThrow(/functional.hessian: unknown option "strategy"/);
  });
});
