import { describe, expect, it } from "vitest";
import { functional, grad, Generator, gradcheck, tensor, type Tensor } from "../src/index";
import { expectAllClose } from "./helpers";

const { jacobian, hessian, vjp, jvp, hvp, vhp } = functional;

function randomTensor(shape: number[], gen: Generator): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => gen.normal()), { shape });
}

/** d out_flat / d in_flat by central differences on plain copies: an [numel(out), numel(in)] table. */
function numericJacobian(f: (x: Tensor) => Tensor, x: Tensor, eps = 1e-6): number[][] {
  const base = Array.from(x.data());
  const at = (vals: number[]) => Array.from(f(tensor(Float64Array.from(vals), { shape: x.shape })).data());
  const cols = base.map((_, j) => {
    const plus = [...base], minus = [...base];
    plus[j]! += eps;
    minus[j]! -= eps;
    const a = at(plus), b = at(minus);
    return a.map((v, i) => (v - b[i]!) / (2 * eps));
  });
  return cols[0]!.map((_, i) => cols.map((c) => c[i]!));
}

const gen = new Generator(7);
const W = randomTensor([3, 4], gen);
/** A smooth map R^4 -> R^3. */
const f = (x: Tensor) => W.matmul(x).tanh().mul(x.sum().sigmoid());
/** A smooth scalar function of R^4. */
const s = (x: Tensor) => W.matmul(x.exp()).tanh().pow(2).sum().add(x.pow(3).sum());

describe("functional.jacobian / hessian against finite differences", () => {
  const x = randomTensor([4], gen);

  it("jacobian of a vector function", () => {
    const J = jacobian(f, x) as Tensor;
    expect(J.shape).toEqual([3, 4]);
    expectAllClose(J, numericJacobian(f, x).flat(), 1e-8, 1e-6);
  });

  it("hessian of a scalar function is the jacobian of its gradient, and symmetric", () => {
    const H = hessian(s, x) as Tensor;
    expect(H.shape).toEqual([4, 4]);
    const g = (t: Tensor) => {
      const leaf = t.detach().requiresGrad_();
      return grad(s(leaf), leaf)[0]!;
    };
    expectAllClose(H, numericJacobian(g, x).flat(), 1e-7, 1e-6);
    expectAllClose(H, H.T, 1e-12, 1e-12);
  });

  it("vjp, jvp, hvp and vhp are products with those matrices", () => {
    const J = jacobian(f, x) as Tensor;
    const H = hessian(s, x) as Tensor;
    const u = randomTensor([3], gen), v = randomTensor([4], gen);
    const [out, uJ] = vjp(f, x, u);
    expectAllClose(out as Tensor, f(x), 0, 0);
    expectAllClose(uJ, u.matmul(J), 1e-12, 1e-12);
    expectAllClose(jvp(f, x, v)[1] as Tensor, J.matmul(v), 1e-12, 1e-12);
    expectAllClose(hvp(s, x, v)[1], H.matmul(v), 1e-12, 1e-12);
    expectAllClose(vhp(s, x, v)[1], v.matmul(H), 1e-12, 1e-12);
  });

  it("jacobian with tuples: [output i][input j] of shape out_i ++ in_j", () => {
    const a = randomTensor([2, 3], gen), b = randomTensor([3], gen);
    const g = (p: Tensor, q: Tensor) => [p.matmul(q).exp(), p.sum()];
    const J = jacobian(g, [a, b]) as Tensor[][];
    expect(J.map((row) => row.map((t) => t.shape))).toEqual([[[2, 2, 3], [2, 3]], [[2, 3], [3]]]);
    expectAllClose(J[0]![0]!, numericJacobian((p) => p.matmul(b).exp(), a).flat(), 1e-8, 1e-6);
    expectAllClose(J[0]![1]!, numericJacobian((q) => a.matmul(q).exp(), b).flat(), 1e-8, 1e-6);
    expectAllClose(J[1]![0]!, [1, 1, 1, 1, 1, 1], 0, 0);
    expectAllClose(J[1]![1]!, [0, 0, 0], 0, 0); // independent of b: zeros
    // one tuple level when only the inputs (or only the outputs) are a tuple
    expect((jacobian((p: Tensor, q: Tensor) => p.sum().mul(q.sum()), [a, b]) as Tensor[]).map((t) => t.shape)).toEqual([[2, 3], [3]]);
    expect((jacobian((p: Tensor) => [p.exp(), p.sum()], a) as Tensor[]).map((t) => t.shape)).toEqual([[2, 3, 2, 3], [2, 3]]);
  });

  it("hessian with two inputs, including the cross terms", () => {
    const a = randomTensor([2], gen), b = randomTensor([3], gen);
    // (a0 + a1) * |b|² + Σ a³: d²/da db = 2 b per a entry, d²/db² = 2 (a0 + a1) I, d²/da² = diag(6a)
    const H = hessian((p: Tensor, q: Tensor) => p.sum().mul(q.pow(2).sum()).add(p.pow(3).sum()), [a, b]) as Tensor[][];
    const [a0, a1] = Array.from(a.data()) as [number, number];
    const bs = Array.from(b.data());
    expectAllClose(H[0]![0]!, [6 * a0, 0, 0, 6 * a1], 1e-12, 1e-12);
    expectAllClose(H[0]![1]!, [...bs, ...bs].map((v) => 2 * v), 1e-12, 1e-12);
    expectAllClose(H[1]![0]!, bs.flatMap((v) => [2 * v, 2 * v]), 1e-12, 1e-12);
    expectAllClose(H[1]![1]!, [1, 0, 0, 0, 1, 0, 0, 0, 1].map((v) => 2 * (a0 + a1) * v), 1e-12, 1e-12);
  });
});

describe("functional: PyTorch's semantics", () => {
  const x = tensor([0.5, -1, 2], { dtype: "float64", requiresGrad: true });

  it("results are detached and the inputs untouched; createGraph makes them differentiable", () => {
    const J = jacobian((t: Tensor) => t.pow(3), x) as Tensor;
    expect(J.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
    const Jg = jacobian((t: Tensor) => t.pow(3), x, { createGraph: true }) as Tensor;
    expect(Jg.requiresGrad).toBe(true);
    // d/dx Σ_ij J_ij = d/dx Σ 3x² = 6x
    expectAllClose(grad(Jg.sum(), x)[0]!, [3, -6, 12], 1e-12, 1e-12);
    const [, g] = vjp((t: Tensor) => t.pow(3).sum(), x, undefined, { createGraph: true });
    expectAllClose(grad(g.sum(), x)[0]!, [3, -6, 12], 1e-12, 1e-12);
    const hv = hvp((t: Tensor) => t.pow(4).sum(), x, tensor([1, 1, 1], { dtype: "float64" }), { createGraph: true })[1];
    expectAllClose(grad(hv.sum(), x)[0]!, [12, -24, 48], 1e-12, 1e-12);
  });

  it("createGraph results are differentiable: gradcheck of the jacobian and of hvp", () => {
    const a = tensor([0.3, -0.7], { dtype: "float64", requiresGrad: true });
    const b = tensor([1.1, 0.4, -0.2], { dtype: "float64", requiresGrad: true });
    const v = tensor([0.5, -1, 2], { dtype: "float64" });
    const g = (p: Tensor, q: Tensor) => p.unsqueeze(1).mul(q).tanh();
    expect(gradcheck((p, q) => (jacobian(g, [p!, q!], { createGraph: true }) as Tensor[]), [a, b]).ok).toBe(true);
    expect(gradcheck((p) => hvp((t: Tensor) => t.exp().mul(t).sum(), p!, v, { createGraph: true })[1], [b]).ok).toBe(true);
    expect(gradcheck((p, v) => jvp((t: Tensor) => t.sigmoid().mul(t), p!, v!, { createGraph: true })[1] as Tensor, [a, tensor([2, -1], { dtype: "float64", requiresGrad: true })]).ok).toBe(true);
  });

  it("an input the outputs do not use gets zeros, or an error with strict", () => {
    const y = tensor([1, 2], { dtype: "float64" });
    const fn = (p: Tensor, _q: Tensor) => p.exp();
    const [, [gp, gq]] = vjp(fn, [x, y], tensor([1, 1, 1], { dtype: "float64" }));
    expectAllClose(gp!, Array.from(x.data()).map(Math.exp), 1e-15, 1e-15);
    expectAllClose(gq!, [0, 0], 0, 0);
    expect(() => vjp(fn, [x, y], tensor([1, 1, 1], { dtype: "float64" }), { strict: true })).toThrow(/functional\.vjp: the output of the function is independent of input 1/);
    expect(() => jacobian(fn, [x, y], { strict: true })).toThrow(/output 0 of the function is independent of input 1/);
    expect(() => jacobian((t: Tensor) => tensor([1, 2, 3], { dtype: "float64" }).add(t.detach()), x, { strict: true })).toThrow(/output 0 of the function does not require grad/);
    expect(() => hessian((t: Tensor) => t.sum(), x, { strict: true })).toThrow(/jacobian with respect to input 0 is independent of the input/);
    expectAllClose(hessian((t: Tensor) => t.sum(), x) as Tensor, new Array(9).fill(0), 0, 0);
    expectAllClose(jvp(fn, [x, y], [x.detach(), y])[1] as Tensor, Array.from(x.data()).map((v) => v * Math.exp(v)), 1e-15, 1e-15);
    expect(() => jacobian(fn, [x, y], { strict: true, vectorize: true })).toThrow(/strict and vectorize cannot be combined/);
  });

  it("v: optional only for one single-element tensor, else shapes are checked", () => {
    const one = tensor([2], { dtype: "float64" });
    expectAllClose(vjp((t: Tensor) => t.pow(2), one)[1], [4], 0, 0);
    expectAllClose(jvp((t: Tensor) => t.pow(2).mul(3), one)[1] as Tensor, [12], 0, 0);
    expectAllClose(hvp((t: Tensor) => t.pow(3).sum(), one)[1], [12], 0, 0);
    expect(() => vjp((t: Tensor) => t.pow(2), x)).toThrow(/functional\.vjp: v can only be omitted when the output of the function is a single Tensor with a single element/);
    expect(() => jvp((t: Tensor) => t.sum(), x)).toThrow(/functional\.jvp: v can only be omitted when the input is a single Tensor/);
    expect(() => vjp((t: Tensor) => t.pow(2), x, tensor([1, 2], { dtype: "float64" }))).toThrow(/functional\.vjp: v has shape \[2\], expected \[3\]/);
    expect(() => hvp((t: Tensor) => t.sum(), [x, x], [x])).toThrow(/functional\.hvp: v has 1 tensor\(s\), expected 2/);
    expect(() => hvp((t: Tensor) => t.pow(2), x, x)).toThrow(/functional\.hvp: the function should return a single-element Tensor, got shape \[3\]/);
    expect(() => hessian((t: Tensor) => [t.sum()], x)).toThrow(/functional\.hessian: the function should return a single Tensor, got an array of 1/);
    expect(() => jacobian((t: Tensor) => t, [x, 3 as unknown as Tensor])).toThrow(/functional\.jacobian: inputs must be a Tensor or an array of Tensors, but element 1 is number/);
    expect(() => jacobian((t: Tensor) => t, x, { creatGraph: true } as object)).toThrow(/functional\.jacobian: unknown option "creatGraph"/);
  });

  it("does not mutate or record on the caller's tensors", () => {
    const before = Array.from(x.data());
    hessian((t: Tensor) => t.pow(3).sum(), x);
    jvp((t: Tensor) => t.exp(), x, x.detach());
    expect(Array.from(x.data())).toEqual(before);
    expect(x.grad).toBeNull();
    expect(x.isLeaf).toBe(true);
  });
});
