import { describe, expect, it } from "vitest";
import { customOp, full, ones, randn, tensor, zeros, type OpContext, type Tensor } from "../src/index";
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
});
