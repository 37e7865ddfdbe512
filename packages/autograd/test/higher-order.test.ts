import { describe, expect, it } from "vitest";
import { Generator, grad, randn, tensor, type Tensor } from "../src/index";
import { expectAllClose } from "./helpers";

const xs = [-2.5, -0.7, 0, 0.3, 1.9];

describe("higher-order gradients (createGraph)", () => {
  it("second and third derivatives of tanh match their closed forms", () => {
    const x = tensor(xs, { dtype: "float64", requiresGrad: true });
    const t = xs.map(Math.tanh);
    const [d1] = grad(x.tanh().sum(), x, { createGraph: true });
    expectAllClose(d1!, t.map((v) => 1 - v * v), 1e-15, 1e-14);
    const [d2] = grad(d1!.sum(), x, { createGraph: true });
    expectAllClose(d2!, t.map((v) => -2 * v * (1 - v * v)), 1e-15, 1e-14);
    const [d3] = grad(d2!.sum(), x);
    expectAllClose(d3!, t.map((v) => (1 - v * v) * (6 * v * v - 2)), 1e-15, 1e-13);
  });

  it("backward({ createGraph }) leaves a differentiable .grad; a later backward accumulates into it", () => {
    const x = tensor(xs, { dtype: "float64", requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    expectAllClose(x.grad!, xs.map((v) => 3 * v * v), 1e-15, 1e-14);
    x.grad!.sum().backward(); // d/dx Σ 3x² = 6x, added to what .grad held
    expectAllClose(x.grad!.detach(), xs.map((v) => 3 * v * v + 6 * v), 1e-15, 1e-14);
  });

  it("a .grad left by a createGraph backward accumulates correctly in a plain backward", () => {
    const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    x.sum().backward(undefined, { createGraph: true });
    x.sum().backward();
    expectAllClose(x.grad!, [2, 2, 2]);
    x.mul(2).sum().backward();
    expectAllClose(x.grad!, [4, 4, 4]);
  });

  it("a Hessian-vector product matches finite differences of the gradient", () => {
    const gen = new Generator(7);
    const A = randn([4, 3], { dtype: "float64", generator: gen });
    const f = (x: Tensor) => A.matmul(x).tanh().pow(3).sum().add(x.mul(x).sum().log()).add(x.softmax(0).select(0, 1));
    const x0 = randn([3], { dtype: "float64", generator: gen });
    const v = randn([3], { dtype: "float64", generator: gen });
    const x = x0.clone().requiresGrad_();
    const [g] = grad(f(x), x, { createGraph: true });
    const [hv] = grad(g!.mul(v).sum(), x);
    const gradAt = (shift: number) => {
      const p = x0.add(v.mul(shift)).requiresGrad_();
      return grad(f(p), p)[0]!;
    };
    const eps = 1e-5;
    const numerical = gradAt(eps).sub(gradAt(-eps)).div(2 * eps);
    expectAllClose(hv!, numerical, 1e-8, 1e-6);
    expect(Math.max(...Array.from(hv!.data(), Math.abs))).toBeGreaterThan(1e-3);
  });
});
