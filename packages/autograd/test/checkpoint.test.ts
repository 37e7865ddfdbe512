import { describe, expect, it } from "vitest";
import { checkpoint, Generator, grad, gradcheck, gradgradcheck, manualSeed, noGrad, rand, tensor, where, type Tensor } from "../src/index";

function randomTensor(shape: number[], gen: Generator, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => gen.normal()), { shape, requiresGrad });
}

/** Dropout from the default generator: a different mask on every call unless the state is restored. */
const dropout = (t: Tensor, p: number) => where(rand(t.shape, { dtype: "float64" }).ge(p), t.div(1 - p), 0);

const gen = new Generator(11);
const W1 = randomTensor([5, 4], gen);
const W2 = randomTensor([3, 5], gen);
const block = (x: Tensor, w1: Tensor, w2: Tensor) => dropout(x.matmul(w1.T).tanh(), 0.3).matmul(w2.T).sigmoid();

/** x -> loss with or without the checkpoint; returns the gradients of x, W1 and W2. */
function gradients(x: Tensor, useCheckpoint: boolean): Tensor[] {
  manualSeed(5);
  const h = useCheckpoint ? checkpoint(block, x.mul(2), W1, W2) : block(x.mul(2), W1, W2);
  const loss = dropout(h, 0.5).pow(2).sum();
  return grad(loss, [x, W1, W2]);
}

describe("checkpoint", () => {
  it("gives the same gradients as the plain run, bit for bit, dropout included", () => {
    const x = randomTensor([6, 4], gen);
    const plain = gradients(x, false);
    const checked = gradients(x, true);
    checked.forEach((g, i) => expect(Array.from(g.data())).toEqual(Array.from(plain[i]!.data())));
    // the masks matter: another seed gives other gradients
    manualSeed(6);
    const other = grad(dropout(block(x.mul(2), W1, W2), 0.5).pow(2).sum(), [x])[0]!;
    expect(Array.from(other.data())).not.toEqual(Array.from(plain[0]!.data()));
  });

  it("records one node and keeps none of fn's intermediate results", () => {
    const x = randomTensor([6, 4], gen);
    const out = checkpoint(block, x, W1, W2);
    expect(out.gradFn!.name).toBe("checkpoint");
    expect(out.gradFn!.edges.map((e) => e!.leaf)).toEqual([x, W1, W2]);
  });

  it("parameters may be read from the closure when they are passed as well", () => {
    const x = randomTensor([6, 4], gen);
    const closure = (t: Tensor, _w1: Tensor, _w2: Tensor) => block(t, W1, W2);
    manualSeed(1);
    const expected = grad(block(x, W1, W2).sum(), [x, W1, W2]);
    manualSeed(1);
    const got = grad(checkpoint(closure, x, W1, W2).sum(), [x, W1, W2]);
    got.forEach((g, i) => expect(Array.from(g.data())).toEqual(Array.from(expected[i]!.data())));
  });

  it("a tensor that requires grad and is not an input makes the backward throw (its gradient would be lost)", () => {
    const x = randomTensor([6, 4], gen);
    const leaky = checkpoint((t: Tensor) => block(t, W1, W2), x);
    expect(() => leaky.sum().backward()).toThrow(/checkpoint: fn uses a tensor that requires grad \(shape \[3, 5\]\) without taking it as an input/);
    const hidden = W1.mul(2);
    const nonLeaf = checkpoint((t: Tensor) => t.matmul(hidden.T), x);
    expect(() => nonLeaf.sum().backward()).toThrow(/checkpoint: fn uses a tensor computed outside it \(by 'mul', shape \[5, 4\]\)/);
  });

  it("with createGraph: second derivatives equal the plain ones and pass gradgradcheck", () => {
    const x = randomTensor([2, 4], gen);
    const f = (t: Tensor, w: Tensor) => t.matmul(w.T).tanh().pow(3);
    const second = (useCheckpoint: boolean) => {
      const y = useCheckpoint ? checkpoint(f, x, W1) : f(x, W1);
      const [gx] = grad(y.sum(), [x], { createGraph: true });
      return grad(gx!.pow(2).sum(), [x, W1]);
    };
    const plain = second(false);
    second(true).forEach((g, i) => expect(Array.from(g.data())).toEqual(Array.from(plain[i]!.data())));
    const small = randomTensor([3, 2], gen);
    expect(gradgradcheck((t, w) => checkpoint(f, t!, w!), [randomTensor([2, 2], gen), small]).ok).toBe(true);
    // third order recomputes a recompute
    expect(gradgradcheck((t) => grad(checkpoint(f, t!, small).sum(), [t!], { createGraph: true })[0]!, [randomTensor([2, 2], gen)]).ok).toBe(true);
  });

  it("several outputs (one unused, one returned twice), nested checkpoints and non-tensor arguments", () => {
    const x = randomTensor([3, 4], gen);
    const pair = (t: Tensor, scale: number, w: Tensor) => {
      const h = checkpoint((u: Tensor, v: Tensor) => u.matmul(v.T).tanh(), t, w);
      return [h.mul(scale), h.exp(), h.mul(scale)];
    };
    const fn = (t: Tensor, w: Tensor) => {
      const [a, , c] = checkpoint(pair, t, 1.5, w);
      return a!.mul(c!).sum();
    };
    expect(gradcheck(fn, [x, W1]).ok).toBe(true);
    const outs = checkpoint((t: Tensor) => [t, t], x);
    expect(outs[0]).not.toBe(outs[1]);
  });

  it("with no input requiring grad (or under noGrad) fn just runs", () => {
    const x = randomTensor([6, 4], gen, false);
    const out = checkpoint((t: Tensor) => t.matmul(W1.T), x);
    expect(out.gradFn!.name).not.toBe("checkpoint");
    out.sum().backward();
    expect(W1.grad).not.toBeNull();
    W1.grad = null;
  });

  it("an input changed in place before the backward makes it throw", () => {
    const x = randomTensor([6, 4], gen);
    const base = x.mul(1);
    const out = checkpoint((t: Tensor, w: Tensor) => t.matmul(w.T), base, W1);
    noGrad(() => base.add_(1));
    expect(() => out.sum().backward()).toThrow(/backward of 'checkpoint': saved tensor 'input0' \(shape \[6, 4\]\) was modified by an in-place operation/);
    expect(() => checkpoint((_t: Tensor) => 3 as unknown as Tensor, x)).toThrow(/checkpoint: fn must return a Tensor or an array of Tensors, but it is number/);
  });
});
