import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import * as first from "../src/index";
import { COPY } from "../src/core/copy";

describe("two copies of the package in one process", () => {
  it("the copy's recorded version is the package's", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(COPY.version).toBe(pkg.version);
    expect(COPY.location).toMatch(/copy\.ts/);
  });

  it("a tensor of one copy given to an op of the other raises, naming both copies, instead of losing gradients", async () => {
    vi.resetModules();
    const second = await import("../src/index");
    expect(second.Tensor).not.toBe(first.Tensor);
    const w = first.tensor([1, 2], { requiresGrad: true });
    const x = second.tensor([3, 4]);
    expect(() => w.mul(x)).toThrow(/mul: this tensor was made by another copy of @tapegrad\/autograd \(0\.1\.0, loaded from .*\) than this op \(0\.1\.0, loaded from .*\)/);
    expect(() => second.exp(w)).toThrow(/exp: this tensor was made by another copy/);
    expect(() => second.cat([x, w as unknown as typeof x])).toThrow(/cat: this tensor was made by another copy/);
    expect(w.grad).toBeNull();
    // each copy on its own still works
    w.mul(first.tensor([3, 4])).sum().backward();
    expect(w.grad!.tolist()).toEqual([3, 4]);
  });
});
