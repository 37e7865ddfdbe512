import { describe, expect, it } from "vitest";
import { noGrad, tensor, type Tensor } from "../src/index";
import { expectAllClose } from "./helpers";

const f64 = (data: number[], requiresGrad = false) => tensor(data, { dtype: "float64", requiresGrad });
const a = [1.5, -2, 4];
const b = [0.5, 3, -1];

describe("in-place ops", () => {
  const cases: [string, (x: Tensor) => void, number[]][] = [
    ["add_", (x) => x.add_(f64(b), 2), a.map((v, i) => v + 2 * b[i]!)],
    ["sub_", (x) => x.sub_(f64(b)), a.map((v, i) => v - b[i]!)],
    ["mul_", (x) => x.mul_(f64(b)), a.map((v, i) => v * b[i]!)],
    ["div_", (x) => x.div_(2), a.map((v) => v / 2)],
    ["copy_", (x) => x.copy_(f64(b)), b],
    ["fill_", (x) => x.fill_(7), [7, 7, 7]],
    ["zero_", (x) => x.zero_(), [0, 0, 0]],
    ["clamp_", (x) => x.clamp_(-1, 2), [1.5, -1, 2]],
    ["addcmul_", (x) => x.addcmul_(f64(b), f64(b), 0.5), a.map((v, i) => v + 0.5 * b[i]! * b[i]!)],
    ["addcdiv_", (x) => x.addcdiv_(f64(b), f64([2, 4, 8]), -1), a.map((v, i) => v - b[i]! / [2, 4, 8][i]!)],
    ["sqrt_", (x) => x.abs().sqrt_(), a], // on a copy: x itself is unchanged
    ["maximum_", (x) => x.maximum_(0), a.map((v) => Math.max(v, 0))],
  ];
  for (const [name, op, expected] of cases) {
    it(`${name} computes in place and bumps the version counter`, () => {
      const x = f64(a);
      const before = x.version;
      op(x);
      expectAllClose(x, expected, 1e-15);
      if (name !== "sqrt_") expect(x.version).toBe(before + 1);
    });
  }

  it("writes through views and broadcasts the other operand", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    x.T.select(0, 1).add_(10); // column 1
    x.narrow(0, 1, 1).mul_(f64([1, -1, 2]));
    expect(x.tolist()).toEqual([[1, 12, 3], [4, -15, 12]]);
  });

  it("read an operand that overlaps the target in another order as it was before the write", () => {
    const x = tensor([1, 2, 3, 4], { dtype: "float64" });
    x.copy_(x.flip(0));
    expect(x.tolist()).toEqual([4, 3, 2, 1]);
    const m = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    m.add_(m.T);
    expect(m.tolist()).toEqual([[2, 5], [5, 8]]);
    const r = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    r.sub_(r.select(0, 0));
    expect(r.tolist()).toEqual([[0, 0], [2, 2]]);
  });

  it("refuse a target with several elements in one memory location (an expanded view)", () => {
    const x = f64([1]);
    expect(() => x.expand([3]).add_(1)).toThrow("add_: the target (shape [3], strides [0]) has several elements in one memory location (an expanded view)");
    expect(x.tolist()).toEqual([1]);
  });

  it("refuse tensors that require grad while grad mode is on; noGrad allows them", () => {
    const w = f64([1, 2], true);
    expect(() => w.add_(1)).toThrow("add_: a leaf tensor that requires grad (shape [2]) is being used in an in-place operation; wrap it in noGrad()");
    expect(() => f64([0, 0]).copy_(w)).toThrow(/copy_: in-place operation/);
    noGrad(() => w.sub_(f64([1, 1]), 0.5));
    expectAllClose(w, [0.5, 1.5]);
    expect(w.requiresGrad).toBe(true);
  });

  it("a backward through a saved tensor that was changed in place afterwards throws, naming the op", () => {
    const w = f64([1, 2], true);
    const scale = f64([3, 4]);
    const y = w.mul(scale).sum();
    scale.mul_(2);
    expect(() => y.backward()).toThrow(/backward of 'mul': saved tensor 'b' \(shape \[2\]\) was modified by an in-place operation after it was saved \(version 1, expected 0\)/);
  });

  it("catches a change through a view of the saved tensor, and a change of a saved output", () => {
    const w = f64([1, 2, 3], true);
    const base = f64([1, 1, 1]);
    const y = w.mul(base).sum();
    base.narrow(0, 1, 1).zero_();
    expect(() => y.backward()).toThrow(/backward of 'mul'.*modified by an in-place operation/);
    const e = w.exp();
    const z = e.sum();
    noGrad(() => e.add_(1));
    expect(() => z.backward()).toThrow(/backward of 'exp'.*modified by an in-place operation/);
  });

  it("an in-place change of something no backward saved is fine", () => {
    const w = f64([1, 2], true);
    const shift = f64([5, 5]);
    const y = w.add(shift).mul(w).sum(); // add saves its inputs but never reads them
    shift.zero_();
    y.backward();
    expectAllClose(w.grad!, [2 * 1 + 5, 2 * 2 + 5]);
  });
});
