import { describe, expect, it } from "vitest";
import { cat, customOp, fusedLstmCell, full, gather, indexSelect, linear, ones, randint, randn, stack, tensor, zeros, type OpContext, type Tensor } from "../src/index";
import { releasedBytes } from "../src/buffers";

// [100, 100] float32 is 40 KB: above the 32 KB carved from shared blocks, so each such buffer
// is an ArrayBuffer of its own that a backward pass can release.
const SHAPE = [100, 100];

/** Allocates and fills many buffers of SHAPE's size: they take any released buffer there is. */
function churn(value: number): Tensor[] {
  return Array.from({ length: 40 }, () => full(SHAPE, value).mul(1));
}

describe("large gradient buffers are reused after backward", () => {
  it("releases a backward's gradient buffers; a buffer reused is zero-filled again", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    const before = releasedBytes();
    x.mul(3).exp().mul(2).sum().backward();
    expect(releasedBytes()).toBeGreaterThan(before);
    const taken = Array.from({ length: 10 }, () => zeros(SHAPE));
    expect(releasedBytes()).toBeLessThan(before + 40_000 * 3);
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

  it("keeps every gradient of a backward that ran a hook (the hook may hold it)", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    const y = x.mul(2);
    const seen: Tensor[] = [];
    y.registerHook((g) => void seen.push(g));
    const before = releasedBytes();
    y.mul(5).sum().backward();
    expect(releasedBytes()).toBe(before);
    churn(3);
    expect(seen[0]!.data().every((v) => v === 5)).toBe(true);
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
    const before = releasedBytes();
    twice(x).mul(tensor(3)).exp().sum().backward();
    expect(releasedBytes()).toBe(before);
    churn(11);
    expect(kept!.data().every((v) => v === Math.fround(3 * Math.exp(6)))).toBe(true);
  });

  it("ops write every element of an output taken from a released buffer (no reliance on zeros)", () => {
    const a = randn(SHAPE), b = randn(SHAPE), gates = randn([100, 400]);
    const rows = randint(0, 100, [100]);
    const outputs = () => [
      a.matmul(b), linear(a, b, b.select(0, 1)), a.add(b), a.mul(b.select(0, 2)), a.exp(), cat([a, b]), stack([a, b], 1),
      a.softmax(1), a.logSoftmax(0), gather(a, 1, rows.reshape([100, 1]).expand(SHAPE).contiguous()), indexSelect(a, 0, rows),
      a.T.contiguous(), ...fusedLstmCell(gates, a),
    ].map((t) => Array.from(t.data()));
    const fresh = outputs();
    // release buffers of every output size, holding values that are not zero
    for (const shape of [SHAPE, [200, 100], [100, 400], [100, 100]]) {
      for (let i = 0; i < 4; i++) {
        const x = randn(shape, { requiresGrad: true });
        x.mul(3).exp().mul(x).sum().backward();
      }
    }
    expect(releasedBytes()).toBeGreaterThan(0);
    expect(outputs()).toEqual(fresh);
  });

  it("drops released buffers that nothing claimed by the next release (sizes not asked for again)", () => {
    const x = randn(SHAPE, { requiresGrad: true });
    x.mul(3).exp().sum().backward();
    const first = releasedBytes();
    expect(first).toBeGreaterThanOrEqual(2 * 40_000);
    const y = randn([120, 100], { requiresGrad: true }); // 48 KB: another size
    y.mul(3).exp().sum().backward();
    const waiting = releasedBytes();
    expect(waiting).toBeGreaterThanOrEqual(2 * 48_000);
    zeros(SHAPE); // no 40 KB buffer is left to take
    expect(releasedBytes()).toBe(waiting);
    zeros([120, 100]); // a 48 KB one is
    expect(releasedBytes()).toBe(waiting - 48_000);
  });
});
