import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cat, checkpoint, customOp, full, gather, getBackend, grad, indexSelect, linear, ones, randint, randn, setBackend, stack, tensor, zeros, type OpContext, type Tensor } from "../src/index";
import { reusableBytes } from "../src/backend/wasm/allocator";

// The wasm backend reuses a finished backward's large temporaries (bench README item 30).
// [100, 100] float32 is 40 KB: above the 32 KB carved from shared blocks, so each such buffer
// is an ArrayBuffer of its own that a backward can hand back.
const SHAPE = [100, 100];
const initial = getBackend();
beforeAll(() => setBackend("wasm"));
afterAll(() => setBackend(initial));

/** Allocates and fills many buffers of SHAPE's size: they take any buffer waiting for reuse. */
function churn(value: number): Tensor[] {
  return Array.from({ length: 40 }, () => full(SHAPE, value).mul(1));
}

describe("a backward's large temporaries are reused", () => {
  it("hands back a backward's gradient buffers; a reused buffer is zero-filled again", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    x.mul(3).exp().mul(2).sum().backward();
    const waiting = reusableBytes();
    expect(waiting).toBeGreaterThanOrEqual(2 * 40_000);
    const taken = Array.from({ length: 10 }, () => zeros(SHAPE));
    expect(reusableBytes()).toBeLessThan(waiting);
    for (const t of taken) expect(t.data().every((v) => v === 0)).toBe(true);
  });

  it("keeps the buffer that becomes .grad out of reuse", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    const expected = Array.from(x.detach().mul(2).data());
    x.mul(x).sum().backward(); // d/dx Σx² = 2x, a buffer of the backward adopted as x.grad
    churn(7);
    x.mul(4).sum().backward(); // accumulates 4 into the same .grad
    churn(9);
    expect(Array.from(x.grad!.data())).toEqual(expected.map((v) => Math.fround(v + 4)));
  });

  it("keeps what grad() returns out of reuse", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    const [g] = grad([x.mul(3).exp().sum()], [x]);
    const expected = Array.from(x.detach().mul(3).exp().mul(3).data());
    churn(5);
    expect(Array.from(g!.data())).toEqual(expected);
  });

  it("keeps every gradient of a backward that ran a hook (the hook may hold it)", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    const y = x.mul(2);
    const seen: Tensor[] = [];
    y.registerHook((g) => void seen.push(g));
    zeros(SHAPE); // nothing of an earlier test's size waits
    y.mul(5).exp().sum().backward();
    expect(reusableBytes()).toBe(0);
    churn(3);
    expect(Array.from(seen[0]!.data())).toEqual(Array.from(y.detach().mul(5).exp().mul(5).data()));
  });

  it("keeps every gradient of a backward through a custom op (its backward may hold them)", () => {
    let kept: Tensor | null = null;
    const twice = customOp({
      name: "testTwiceKeepingGrad",
      forward: (_ctx: OpContext, x: Tensor) => x.mul(2),
      backward(_ctx, g) {
        kept = g;
        return [g.mul(2)];
      },
    });
    const x = ones(SHAPE, { requiresGrad: true });
    twice(x).mul(tensor(3)).exp().sum().backward();
    expect(reusableBytes()).toBe(0);
    churn(11);
    expect(kept!.data().every((v) => v === Math.fround(3 * Math.exp(6)))).toBe(true);
  });

  it("reuses nothing of a backward that ran a checkpointed segment (the user's function ran again)", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    let inner: Tensor | null = null;
    const y = checkpoint((a: Tensor) => (inner = a.mul(2).exp()), x);
    y.sum().backward();
    expect(reusableBytes()).toBe(0);
    const value = Array.from(inner!.data());
    churn(13);
    expect(Array.from(inner!.data())).toEqual(value);
  });

  it("ops write every element of an output taken from a reused buffer", () => {
    const a = randn(SHAPE), b = randn(SHAPE), gates = randn([100, 400]);
    const rows = randint(0, 100, [100]);
    const outputs = () =>
      [a.matmul(b), linear(a, b, b.select(0, 1)), a.add(b), a.mul(b.select(0, 2)), a.exp(), cat([a, b]), stack([a, b], 1), a.softmax(1), a.logSoftmax(0), gather(a, 1, rows.reshape([100, 1]).expand(SHAPE).contiguous()), indexSelect(a, 0, rows), a.T.contiguous(), gates.sigmoid()].map((t) => Array.from(t.data()));
    const fresh = outputs();
    for (const shape of [SHAPE, [200, 100], [100, 400], [100, 200]]) {
      const x = randn(shape, { requiresGrad: true });
      x.mul(3).exp().mul(x).sum().backward();
    }
    expect(reusableBytes()).toBeGreaterThan(0);
    expect(outputs()).toEqual(fresh);
  });

  it("reuses the blocks a backward carved small buffers from, except those a .grad views", () => {
    const small = [60, 100]; // 24 KB: a view into a shared 256 KB block
    const leaves = Array.from({ length: 30 }, () => randn(small, { requiresGrad: true }));
    let loss = leaves[0]!.tanh().sum();
    for (const [i, p] of leaves.entries()) if (i > 0) loss = loss.add(p.mul(i).tanh().sum());
    loss.backward(); // 30 gradients of 24 KB fill blocks of their own at the end of the backward
    expect(reusableBytes()).toBeGreaterThanOrEqual(2 * 256 * 1024);
    const grads = leaves.map((p) => Array.from(p.grad!.data()));
    const taken = Array.from({ length: 200 }, () => full(small, 5).mul(1)); // takes every reused block
    expect(taken.every((t) => t.data().every((v) => v === 5))).toBe(true);
    expect(leaves.map((p) => Array.from(p.grad!.data()))).toEqual(grads);
    expect(Array.from(zeros(small).data()).every((v) => v === 0)).toBe(true);
  });

  it("drops buffers that nothing claimed by the next backward (sizes not asked for again)", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    x.mul(3).exp().sum().backward();
    expect(reusableBytes()).toBeGreaterThanOrEqual(2 * 40_000);
    const y = randn([120, 100], { requiresGrad: true }); // 48 KB: another size
    y.mul(3).exp().sum().backward();
    const waiting = reusableBytes();
    expect(waiting % 48_000).toBe(0);
    zeros(SHAPE); // no 40 KB buffer is left to take
    expect(reusableBytes()).toBe(waiting);
    zeros([120, 100]); // a 48 KB one is
    expect(reusableBytes()).toBe(waiting - 48_000);
  });
});
