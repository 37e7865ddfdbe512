import { describe, expect, it, vi } from "vitest";
import { enableGrad, grad, isGradEnabled, linear, manualSeed, noGrad, randn, tensor, type Tensor } from "../src/index";
import { expectAllClose } from "./helpers";
import { kernels } from "../src/backend/backend";

const f64 = (data: number[], requiresGrad = true) => tensor(data, { dtype: "float64", requiresGrad });

describe("tape: backward", () => {
  it("weights the outputs with gradOutput", () => {
    const x = f64([1, -2, 3]);
    x.mul(x).backward(f64([1, 10, 100], false));
    expectAllClose(x.grad!, [2, -40, 600]);
  });

  it("accumulates into leaves across backward calls and across uses of one tensor", () => {
    const x = f64([0.5, -1.5]);
    x.mul(x).add(x).sum().backward(); // d/dx (x² + x) = 2x + 1, fan-out handled by accumulation
    expectAllClose(x.grad!, [2, -2]);
    x.mul(3).sum().backward();
    expectAllClose(x.grad!, [5, 1]);
    const first = x.grad!;
    x.sum().backward();
    expect(x.grad).toBe(first); // accumulated in place, as PyTorch does
    expectAllClose(x.grad!, [6, 2]);
  });

  it("retainGraph keeps the graph for a second backward; without it a second backward is a clear error", () => {
    const x = f64([2]);
    const y = x.mul(x).tanh().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    const once = 4 * (1 - Math.tanh(4) ** 2);
    expectAllClose(x.grad!, [2 * once], 1e-15);
    expect(() => y.backward()).toThrow(/backward: trying to backward through the graph a second time \(through '(sum|tanh)'\).*retainGraph: true/);
  });

  it("releases what nodes saved after a backward without retainGraph", () => {
    const x = f64([1, 2]);
    const h = x.exp();
    const y = h.mul(x).sum();
    const nodes = [y.gradFn!, h.gradFn!];
    expect(nodes.every((n) => n.backwardFn !== null)).toBe(true);
    y.backward();
    expect(nodes.every((n) => n.backwardFn === null)).toBe(true);
    const kept = x.exp().sum();
    kept.backward(undefined, { retainGraph: true });
    expect(kept.gradFn!.backwardFn).not.toBeNull();
  });

  it("flows through detach() as a constant, sharing storage", () => {
    const x = f64([3, -1]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.buf).toBe(x.buf);
    d.mul(x).sum().backward();
    expectAllClose(x.grad!, [3, -1]);
  });
});

describe("tape: a weight used at every step", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`${dtype}: linear's weight gradients from every use are summed by one kernel call (one product over the concatenated batch)`, () => {
      manualSeed(11);
      const W = randn([6, 5], { dtype, requiresGrad: true });
      const xs = [0, 1, 2, 3].map(() => randn([3, 5], { dtype }));
      const gs = [0, 1, 2, 3].map(() => randn([3, 6], { dtype }));
      const outs = xs.map((x) => linear(x, W));
      const loss = outs.reduce((acc: Tensor | null, y, t) => { const term = y.mul(gs[t]!).sum(); return acc ? acc.add(term) : term; }, null)!;
      const matmul = vi.spyOn(kernels, "matmul"), matmulSum = vi.spyOn(kernels, "matmulSum");
      loss.backward();
      const sums = matmulSum.mock.calls.map((call) => call[0].map(([a, b]) => `${a.shape.join("x")}·${b.shape.join("x")}`));
      const products = matmul.mock.calls.length;
      matmul.mockRestore();
      matmulSum.mockRestore();
      expect(sums).toEqual([["6x3·3x5", "6x3·3x5", "6x3·3x5", "6x3·3x5"]]); // Σ Gₜᵀ xₜ in one kernel call
      expect(products).toBe(0);
      const expected = noGrad(() => gs.reduce((acc: Tensor | null, g, t) => { const p = g.T.matmul(xs[t]!); return acc ? acc.add(p) : p; }, null)!);
      expectAllClose(W.grad!, expected, dtype === "float64" ? 1e-12 : 1e-5);
      // a second backward adds into .grad, and the first result was not aliased by the tape
      const first = W.grad!.clone();
      const again = xs.map((x, t) => linear(x, W).mul(gs[t]!).sum()).reduce((a, b) => a.add(b));
      again.backward();
      expectAllClose(W.grad!, first.mul(2), dtype === "float64" ? 1e-12 : 1e-5);
    });
  }

  it("products and plain gradients reaching one weight in any order add up (float64, exact to 1e-12)", () => {
    manualSeed(13);
    const W = randn([4, 3], { dtype: "float64", requiresGrad: true });
    const x1 = randn([5, 3], { dtype: "float64" }), x2 = randn([2, 3], { dtype: "float64" });
    // W reaches the loss through a plain op before, between and after its two uses in linear
    const loss = W.mul(W).sum().add(linear(x1, W).sum()).add(W.sum().mul(3)).add(linear(x2, W).pow(2).sum()).add(W.exp().sum());
    loss.backward();
    const expected = noGrad(() => {
      const y2 = x2.matmul(W.T);
      return W.mul(2).add(x1.sum(0, true).expand([4, 3])).add(3).add(y2.mul(2).T.matmul(x2)).add(W.exp());
    });
    expectAllClose(W.grad!, expected, 1e-12);
  });

  for (const dtype of ["float64", "float32"] as const) {
    it(`${dtype}: a bias row's gradients from every use are one product 1ᵀ·G, added to its other gradients`, () => {
      manualSeed(14);
      const W = randn([6, 5], { dtype, requiresGrad: true });
      const b = randn([6], { dtype, requiresGrad: true });
      const xs = [0, 1, 2].map(() => randn([4, 5], { dtype }));
      const gs = [0, 1, 2].map(() => randn([4, 6], { dtype }));
      // b also reaches the loss through a plain op, so a tensor gradient meets the products
      const loss = xs.map((x, t) => linear(x, W, b).mul(gs[t]!).sum()).reduce((acc, y) => acc.add(y)).add(b.pow(2).sum());
      const matmulSum = vi.spyOn(kernels, "matmulSum");
      loss.backward();
      const sums = matmulSum.mock.calls.map((call) => call[0].map(([x, y]) => `${x.shape.join("x")}·${y.shape.join("x")}`));
      matmulSum.mockRestore();
      expect(sums).toContainEqual(["1x4·4x6", "1x4·4x6", "1x4·4x6"]); // Σₜ 1ᵀ Gₜ in one kernel call
      expect(b.grad!.shape).toEqual([6]);
      // by hand: the column sums of every G, plus 2b
      const expected = b.detach().mul(2).tolist() as number[];
      for (const g of gs) (g.tolist() as number[][]).forEach((row) => row.forEach((v, j) => (expected[j]! += v)));
      expectAllClose(b.grad!, tensor(expected, { dtype }), dtype === "float64" ? 1e-12 : 1e-5);
    });
  }

  it("a bias's gradient reaches a hook, and grad() returns it, with the bias's shape", () => {
    manualSeed(15);
    const b = randn([3], { dtype: "float64", requiresGrad: true });
    const x = randn([5, 2], { dtype: "float64" }), W = randn([3, 2], { dtype: "float64" });
    const seen: number[][] = [];
    b.registerHook((g) => void seen.push(g.shape));
    const [gb] = grad([linear(x, W, b).mul(tensor([1, 2, 3], { dtype: "float64" })).sum()], [b]);
    expect(seen).toEqual([[3]]);
    expectAllClose(gb!, tensor([5, 10, 15], { dtype: "float64" }), 1e-12);
  });

  it("with createGraph the weight's gradient stays differentiable (no in-place sum)", () => {
    manualSeed(12);
    const W = randn([4, 3], { dtype: "float64", requiresGrad: true });
    const x = randn([2, 3], { dtype: "float64" });
    const y = linear(x, W).add(linear(x.mul(2), W)).pow(2).sum();
    const [gW] = grad([y], [W], { createGraph: true });
    expect(gW!.requiresGrad).toBe(true);
    // y = sum((3 x Wᵀ)²), so dy/dW = 2 · 3 · (3 x Wᵀ)ᵀ x = 18 (x Wᵀ)ᵀ x
    const expected = noGrad(() => x.matmul(W.T).mul(18).T.matmul(x));
    expectAllClose(gW!, expected, 1e-12);
  });
});

describe("tape: grad()", () => {
  it("returns gradients without touching .grad, and weights several outputs", () => {
    const x = f64([1, 2]);
    const w = f64([3, 4]);
    const [gx, gw] = grad([x.mul(w), x.sum()], [x, w], { gradOutputs: [f64([1, -1], false), f64([2], false).reshape([])] });
    expectAllClose(gx!, [3 + 2, -4 + 2]);
    expectAllClose(gw!, [1, -2]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it("gives gradients of non-leaf inputs", () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    const [gh] = grad(h.mul(h).sum(), h);
    expectAllClose(gh!, [4, 8]);
  });

  it("needs allowUnused to return null for an input the outputs do not depend on", () => {
    const x = f64([1]);
    const unused = f64([5]);
    expect(() => grad(x.mul(2).sum(), [x, unused])).toThrow(/grad: input 1 \(shape \[1\]\) was not used in computing the outputs; pass \{ allowUnused: true \}/);
    const [gx, gu] = grad(x.mul(2).sum(), [x, unused], { allowUnused: true });
    expectAllClose(gx!, [2]);
    expect(gu).toBeNull();
  });
});

describe("grad mode", () => {
  it("noGrad records nothing; enableGrad records again inside it", () => {
    const x = f64([1]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return enableGrad(() => x.mul(2));
    });
    expect(isGradEnabled()).toBe(true);
    expect(z.requiresGrad).toBe(true);
    expect(z.gradFn!.name).toBe("mul");
  });

  it("restores grad mode when fn throws", () => {
    expect(() => noGrad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });
});

describe("hooks", () => {
  it("on a non-leaf: see the gradient and may replace it before it flows on", () => {
    const x = f64([1, 2]);
    const y = x.mul(3);
    const seen: Tensor[] = [];
    y.registerHook((g) => void seen.push(g));
    y.registerHook((g) => g.mul(10));
    y.mul(y).sum().backward();
    expectAllClose(seen[0]!, [6, 12]); // d(y²)/dy = 2y
    expectAllClose(x.grad!, [180, 360]); // 10 · 2y · 3
  });

  it("on a leaf: replace what is accumulated into .grad; remove() detaches them", () => {
    const x = f64([1, 2]);
    const handle = x.registerHook((g) => g.add(1));
    x.mul(x).sum().backward();
    expectAllClose(x.grad!, [3, 5]);
    handle.remove();
    x.grad = null;
    x.mul(x).sum().backward();
    expectAllClose(x.grad!, [2, 4]);
  });

  it("run for grad() too, on leaf and non-leaf inputs, and change what it returns", () => {
    const x = f64([1, 2]);
    x.registerHook((g) => g.mul(-1));
    const h = x.mul(2);
    h.registerHook((g) => g.add(100));
    const [gx, gh] = grad(h.sum(), [x, h]);
    expectAllClose(gh!, [101, 101]);
    expectAllClose(gx!, [-202, -202]);
  });

  it("cannot be registered on a tensor that does not require grad", () => {
    expect(() => f64([1], false).registerHook((g) => g)).toThrow(/registerHook: cannot register a hook on a tensor that does not require grad/);
  });
});
