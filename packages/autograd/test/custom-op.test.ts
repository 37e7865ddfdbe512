import { describe, expect, it } from "vitest";
import { customOp, grad, gradcheck, tensor, type OpContext, type Tensor } from "../src/index";
import { expectAllClose } from "./helpers";

/** x³ with a hand-written backward (written with tensor ops, so it is differentiable). */
const cube = customOp({
  name: "testCube",
  forward(ctx: OpContext, x: Tensor) {
    ctx.save(x);
    return x.mul(x).mul(x);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    return [g.mul(x!.mul(x!).mul(3))];
  },
});

/** A two-output op with a non-tensor argument: (x·scale, sum of x along its last dim). */
const scaleAndSum = customOp({
  name: "testScaleAndSum",
  materializeGrads: false,
  forward(ctx: OpContext, x: Tensor, scale: number) {
    ctx.scale = scale;
    ctx.shape = x.shape;
    return [x.mul(scale), x.sum(-1)];
  },
  backward(ctx, gScaled, gSum) {
    const shape = ctx.shape as number[];
    let g: Tensor | null = gScaled ? gScaled.mul(ctx.scale as number) : null;
    if (gSum) {
      const spread = gSum.unsqueeze(-1).expand(shape);
      g = g ? g.add(spread) : spread;
    }
    return [g];
  },
});

const xs = [-1.5, 0.25, 2];

describe("custom ops (customOp)", () => {
  it("record on the tape and take part in backward with other ops", () => {
    const x = tensor(xs, { dtype: "float64", requiresGrad: true });
    const y = cube(x.mul(2)).sum();
    expect(y.gradFn!.name).toBe("sum");
    y.backward();
    expectAllClose(x.grad!, xs.map((v) => 3 * (2 * v) ** 2 * 2), 1e-14, 1e-14);
  });

  it("forward runs without recording: only the custom op's own node is on the tape", () => {
    const x = tensor(xs, { dtype: "float64", requiresGrad: true });
    const y = cube(x);
    expect(y.gradFn!.name).toBe("testCube");
    expect(y.gradFn!.edges.map((e) => e?.leaf)).toEqual([x]);
  });

  it("give higher-order gradients with createGraph", () => {
    const x = tensor(xs, { dtype: "float64", requiresGrad: true });
    const [d1] = grad(cube(x).sum(), x, { createGraph: true });
    const [d2] = grad(d1!.sum(), x, { createGraph: true });
    const [d3] = grad(d2!.sum(), x);
    expectAllClose(d2!, xs.map((v) => 6 * v), 1e-14);
    expectAllClose(d3!, xs.map(() => 6), 1e-14);
  });

  it("pass gradcheck, and a wrong backward fails it with the worst element", () => {
    const x = tensor([[0.3, -0.7], [1.1, 0.4]], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((t) => cube(t), [x]).ok).toBe(true);
    expect(gradcheck((t) => scaleAndSum(t, 1.5), [x]).ok).toBe(true);
    const wrong = customOp({
      name: "testWrongSquare",
      forward: (ctx: OpContext, t: Tensor) => (ctx.save(t), t.mul(t)),
      backward: (ctx, g) => [g.mul(ctx.saved[0]!)], // should be 2x
    });
    const result = gradcheck((t) => wrong(t), [x]);
    expect(result.ok).toBe(false);
    expect(result.worst!.input).toBe(0);
    expect(result.worst!.analytical * 2).toBeCloseTo(result.worst!.numerical, 6);
  });

  it("with several outputs: an unused output's gradient comes as null when materializeGrads is false", () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
    const [, summed] = scaleAndSum(x, 10);
    summed!.mul(tensor([1, -1], { dtype: "float64" })).sum().backward();
    expectAllClose(x.grad!, [1, 1, -1, -1]);
  });

  it("see which inputs need a gradient, and their saved tensors are version-checked", () => {
    let needs: readonly boolean[] = [];
    const mulOp = customOp({
      name: "testMul",
      forward(ctx: OpContext, a: Tensor, b: Tensor) {
        ctx.save(a, b);
        return a.mul(b);
      },
      backward(ctx, g) {
        needs = ctx.needsInputGrad;
        const [a, b] = ctx.saved;
        return [ctx.needsInputGrad[0] ? g.mul(b!) : null, ctx.needsInputGrad[1] ? g.mul(a!) : null];
      },
    });
    const a = tensor([2], { dtype: "float64", requiresGrad: true });
    const b = tensor([5], { dtype: "float64" });
    mulOp(a, b).sum().backward();
    expect(needs).toEqual([true, false]);
    expectAllClose(a.grad!, [5]);
    const y = mulOp(a, b).sum();
    b.mul_(2);
    expect(() => y.backward()).toThrow(/backward of 'testMul': saved tensor 1 \(shape \[1\]\) was modified by an in-place operation/);
  });

  it("a backward returning a gradient of the wrong shape is a clear error", () => {
    const bad = customOp({ name: "testBadShape", forward: (_ctx: OpContext, t: Tensor) => t.mul(1), backward: (_ctx, g) => [g.sum()] });
    const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
    expect(() => bad(x).sum().backward()).toThrow("backward of 'testBadShape' returned a float64 gradient of shape [] for input 0, expected float64 of shape [2]");
  });
});
