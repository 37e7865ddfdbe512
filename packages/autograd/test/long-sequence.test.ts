import { describe, expect, it } from "vitest";
import { arange, split, tensor, unbind, type Tensor } from "../src/index";

// T steps of width W: assembling each step's gradient into a full-size zero buffer would be
// T·T·W = 2·10⁹ writes and time out; one node for all pieces does T·W.
const T = 2000;
const W = 512;

function sequence(): Tensor {
  return arange(T * W, { dtype: "float64" }).div(T * W).reshape([T, W]).requiresGrad_();
}

describe("taking every step of a long sequence", () => {
  it("unbind: one node for all pieces, and its backward assembles the gradient once", { timeout: 20_000 }, () => {
    const x = sequence();
    const steps = unbind(x, 0);
    expect(steps).toHaveLength(T);
    expect(new Set(steps.map((s) => s.gradFn)).size).toBe(1);
    let loss = steps[0]!.sum();
    for (let t = 1; t < T; t++) loss = loss.add(steps[t]!.mul(t + 1).sum());
    loss.backward();
    const g = x.grad!.data();
    for (const t of [0, 1, 999, T - 1]) {
      expect(g[t * W]).toBe(t + 1);
      expect(g[t * W + W - 1]).toBe(t + 1);
    }
  });

  it("split along a non-leading dim with some pieces unused", { timeout: 20_000 }, () => {
    const x = sequence().detach().T.requiresGrad_(); // (W, T), steps along dim 1, strided
    const pieces = split(x, 1, 1);
    expect(pieces).toHaveLength(T);
    let loss = pieces[0]!.sum();
    for (let t = 2; t < T; t += 2) loss = loss.add(pieces[t]!.sum());
    loss.backward();
    const g = x.grad!;
    expect(g.shape).toEqual([W, T]);
    const row = Array.from(g.select(0, 7).data());
    expect(row.every((v, t) => v === (t % 2 === 0 ? 1 : 0))).toBe(true);
  });

  it("a recurrence through 2000 steps backpropagates without deep recursion", { timeout: 20_000 }, () => {
    const w = tensor([0.5], { dtype: "float64", requiresGrad: true });
    const xs = unbind(tensor(new Float64Array(T).fill(0.1), { shape: [T, 1] }), 0);
    let h = tensor([0], { dtype: "float64" });
    for (const x of xs) h = x.add(h.mul(w)).tanh();
    h.sum().backward();
    // the same recurrence and its derivative by hand, forward-mode: dh/dw
    let hv = 0;
    let dh = 0;
    for (let t = 0; t < T; t++) {
      const pre = 0.1 + 0.5 * hv;
      const next = Math.tanh(pre);
      dh = (1 - next * next) * (hv + 0.5 * dh);
      hv = next;
    }
    expect(h.item()).toBeCloseTo(hv, 14);
    expect(w.grad!.item()).toBeCloseTo(dh, 12);
  });
});
