import { describe, expect, it } from "vitest";
import { customOp, noGrad, ones, tensor, type OpContext, type Tensor } from "../src/index";

const leaf = () => tensor([1, 2, 3], { requiresGrad: true });

/** Runs a backward expected to fail and checks the leaf received no gradient. */
function expectBackwardRefused(x: Tensor, fn: () => void, message: string): void {
  expect(fn).toThrow(message);
  expect(x.grad).toBeNull();
}

// PyTorch 1.13: "function FBackward returned an incorrect number of gradients (expected 2, got 1)",
// "Function GBackward returned an invalid gradient at index 0 - got [3] but expected shape compatible
// with [2]", "expected Variable or None (got int)". A float64 gradient for a float32 input PyTorch
// casts silently; we refuse it (README, Differences from PyTorch).
describe("customOp: what backward returns is checked against the tensor inputs", () => {
  const make = (backward: (ctx: OpContext, g: Tensor) => unknown) =>
    customOp({ name: "scaleBy2", forward: (_ctx: OpContext, a: Tensor, _b: Tensor) => a.mul(2), backward: backward as (ctx: OpContext, g: Tensor) => Tensor[] });
  it.each<[string, (ctx: OpContext, g: Tensor) => unknown, string]>([
    ["fewer gradients than inputs", (_c, g) => [g.mul(2)], "backward of 'scaleBy2' returned 1 gradient(s), expected 2 (one per tensor input, null where none)"],
    ["more gradients than inputs", (_c, g) => [g.mul(2), null, g], "backward of 'scaleBy2' returned 3 gradient(s), expected 2"],
    ["a gradient of the wrong shape", (_c, g) => [g.sum(), null], "backward of 'scaleBy2' returned a float32 gradient of shape [] for input 0, expected float32 of shape [3]"],
    ["a float64 gradient for a float32 input", (_c, g) => [g.mul(2).to("float64"), null], "backward of 'scaleBy2' returned a float64 gradient of shape [3] for input 0, expected float32 of shape [3]"],
    ["a number", () => [2, null], "backward of 'scaleBy2' returned 2 as the gradient for input 0; expected a Tensor or null"],
    ["an array of numbers", () => [[1, 2, 3], null], "backward of 'scaleBy2' returned [1, 2, 3] as the gradient for input 0; expected a Tensor or null"],
  ])("%s", (_name, backward, message) => {
    const x = leaf();
    const op = make(backward);
    expectBackwardRefused(x, () => op(x, ones([3])).sum().backward(), message);
  });

  it("null for an input that needs no gradient, and tensors of the right shape and dtype, pass", () => {
    const x = leaf();
    make((_c, g) => [g.mul(2), null])(x, ones([3])).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
  });
});

// PyTorch 1.13: a Function whose forward returns a number or a list raises "... must return a
// Tensor or a tuple of Tensors"-like TypeErrors; None is allowed there and refused here.
describe("customOp: what forward returns is checked", () => {
  const make = (forward: (ctx: OpContext, a: Tensor) => unknown) =>
    customOp({ name: "userOp", forward: forward as (ctx: OpContext, a: Tensor) => Tensor, backward: (_ctx, g) => [g] });
  it.each<[string, (ctx: OpContext, a: Tensor) => unknown, string]>([
    ["a number", () => 3, "forward of 'userOp' returned 3; expected a Tensor or a non-empty array of Tensors (one per output)"],
    ["undefined", () => undefined, "forward of 'userOp' returned undefined; expected a Tensor"],
    ["null", () => null, "forward of 'userOp' returned null; expected a Tensor"],
    ["an array of numbers", () => [1, 2, 3], "forward of 'userOp' returned [1, 2, 3], whose output 0 is 1; expected a Tensor or a non-empty array of Tensors"],
    ["a tensor and a number", (_c, a) => [a.mul(2), 5], "forward of 'userOp' returned [a Tensor, 5], whose output 1 is 5; expected"],
    ["an empty array", () => [], "forward of 'userOp' returned []; expected a Tensor or a non-empty array of Tensors"],
    ["a typed array", (_c, a) => a.data(), "forward of 'userOp' returned a Float32Array; expected a Tensor"],
  ])("refuses %s, recorded or not", (_name, forward, message) => {
    const x = leaf();
    expect(() => make(forward)(x)).toThrow(message);
    expect(() => noGrad(() => make(forward)(x))).toThrow(message);
    expect(() => make(forward)(x.detach())).toThrow(message);
  });

  it.each<[string, unknown, string]>([
    ["no definition", undefined, "customOp: expected { name, forward, backward }, got undefined"],
    ["an empty name", { name: "", forward: () => null, backward: () => [] }, 'customOp: name must be a non-empty string, got ""'],
    ["a forward that is not a function", { name: "userOp", forward: 3, backward: () => [] }, "customOp 'userOp': forward must be a function, got 3"],
    ["no backward", { name: "userOp", forward: () => null }, "customOp 'userOp': backward must be a function, got undefined"],
  ])("refuses a definition with %s", (_name, def, message) => {
    expect(() => customOp(def as Parameters<typeof customOp>[0])).toThrow(message);
  });
});

// PyTorch 1.13: "hook '<lambda>' has changed the size of value", "hook '<lambda>' has changed the
// type of value (was torch.FloatTensor got torch.DoubleTensor)", "expected Variable, but hook
// returned 'int'". Returning None (undefined) keeps the gradient.
describe("a hook may return undefined or a tensor of the same shape and dtype", () => {
  it.each<[string, "leaf" | "output", (g: Tensor) => unknown, string]>([
    ["another shape (output)", "output", () => ones([2]), "registerHook: hook 'hostileHook' on output 0 of 'mul' (float32, shape [3]) has changed the size of value: returned shape [2], expected [3]"],
    ["another dtype (output)", "output", (g) => g.to("float64"), "registerHook: hook 'hostileHook' on output 0 of 'mul' (float32, shape [3]) has changed the type of value: returned float64, expected float32"],
    ["a number (output)", "output", () => 3, "registerHook: hook 'hostileHook' on output 0 of 'mul' (float32, shape [3]) returned 3; expected a Tensor or undefined"],
    ["null (output)", "output", () => null, "returned null; expected a Tensor or undefined"],
    ["another shape (leaf)", "leaf", () => ones([3, 1]), "registerHook: hook 'hostileHook' on a leaf tensor (float32, shape [3]) has changed the size of value: returned shape [3, 1], expected [3]"],
    ["a plain array (leaf)", "leaf", () => [1, 2, 3], "registerHook: hook 'hostileHook' on a leaf tensor (float32, shape [3]) returned [1, 2, 3]; expected a Tensor or undefined"],
  ])("refuses %s", (_name, where, result, message) => {
    const x = leaf();
    const y = x.mul(2);
    const hostileHook = (g: Tensor) => result(g) as Tensor;
    (where === "leaf" ? x : y).registerHook(hostileHook);
    expectBackwardRefused(x, () => y.sum().backward(), message);
  });

  it("undefined keeps the gradient; a tensor of the same shape and dtype replaces it", () => {
    const x = leaf();
    const y = x.mul(2);
    y.registerHook(() => undefined);
    y.registerHook((g) => g.mul(10));
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([20, 20, 20]);
  });
});

// PyTorch 1.13: x.add_(1) on a leaf that requires grad: "a leaf Variable that requires grad is being
// used in an in-place operation"; x[0:2].add_(1): "a view of a leaf Variable that requires grad is
// being used in an in-place operation"; under torch.no_grad() both are allowed; x.detach()[0:2].add_(1)
// is allowed and changes x.
describe("in-place rules", () => {
  it.each<[string, (x: Tensor) => unknown, string]>([
    ["the leaf itself", (x) => x.add_(1), "add_: a leaf tensor that requires grad (shape [3]) is being used in an in-place operation; wrap it in noGrad() or use the out-of-place op"],
    ["a view of the leaf", (x) => x.narrow(0, 0, 2).mul_(2), "mul_: a view ('slice') of a leaf tensor that requires grad (shape [2]) is being used in an in-place operation"],
    ["a view of a view of the leaf", (x) => x.narrow(0, 0, 2).flip(0).fill_(0), "fill_: a view ('flip') of a leaf tensor that requires grad (shape [2]) is being used in an in-place operation"],
    ["an op's output", (x) => x.mul(2).zero_(), "zero_: a tensor (output of 'mul') that requires grad (shape [3]) is being used in an in-place operation"],
    ["an operand that requires grad", (x) => ones([3]).copy_(x), "copy_: in-place operation with an operand that requires grad (target shape [3])"],
    ["a string operand", (x) => x.detach().add_("1" as unknown as number), 'add_: expected a Tensor or a number, got "1"'],
  ])("refuses %s outside noGrad, and changes nothing", (_name, fn, message) => {
    const x = leaf();
    expect(() => fn(x)).toThrow(message);
    expect(x.tolist()).toEqual([1, 2, 3]);
    expect(x.version).toBe(0);
  });

  it("allows the leaf and its views under noGrad, and a detached view anywhere, writing through to the leaf", () => {
    const x = leaf();
    noGrad(() => x.narrow(0, 0, 2).mul_(2));
    noGrad(() => x.add_(1));
    x.detach().narrow(0, 2, 1).fill_(0);
    expect(x.tolist()).toEqual([3, 5, 0]);
    expect(x.version).toBe(3);
  });

  // PyTorch 1.13: a view made under no_grad of a leaf that requires grad is itself a leaf that
  // requires grad, and changing it in place with grad mode on raises "A view was created in no_grad
  // mode and is being modified inplace with grad mode enabled". Here such a view does not require
  // grad and behaves like a detach()ed view: the change is allowed and writes through
  // (README, Differences from PyTorch).
  it("a view made under noGrad may be changed in place outside it, like a detached view", () => {
    const x = leaf();
    const v = noGrad(() => x.narrow(0, 0, 2));
    expect([v.requiresGrad, v.isLeaf, v.gradFn]).toEqual([false, true, null]);
    v.add_(1);
    expect(x.tolist()).toEqual([2, 3, 3]);
    expect(x.version).toBe(1);
    x.mul(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    expect(v.mul(2).requiresGrad).toBe(false);
  });

  // PyTorch 1.13: clamp(nan, 1) and clamp(0, nan) give NaN everywhere; clamp of a NaN element is NaN
  it("clamp and clamp_ with a NaN bound give NaN everywhere; a NaN element stays NaN", () => {
    const x = tensor([1, 2, NaN, -5]);
    expect(x.clamp(NaN, 1).tolist()).toEqual([NaN, NaN, NaN, NaN]);
    expect(x.clamp(0, NaN).tolist()).toEqual([NaN, NaN, NaN, NaN]);
    expect(x.clamp(0, 1).tolist()).toEqual([1, 1, NaN, 0]);
    expect(x.clone().clamp_(NaN, 1).tolist()).toEqual([NaN, NaN, NaN, NaN]);
    expect(() => x.clamp("0" as unknown as number, 1)).toThrow('clamp: min must be a number, got "0"');
  });
});

// PyTorch 1.13 float64 gradients: x.max() of [1, 3, 3] -> [0, .5, .5]; x.amax(1) of [[1, 3, 3], [2, 2, 2]]
// -> [[0, .5, .5], [1/3, 1/3, 1/3]]; x.amax((0, 1)) of [[1, 3, 3], [3, 2, 2]] -> [[0, 1/3, 1/3], [1/3, 0, 0]];
// x.amin((0, 1)) of [[1, 3, 1], [3, 2, 2]] -> [[.5, 0, .5], [0, 0, 0]]; x.max(1) values of
// [[1, 3, 3], [2, 2, 2]] -> [[0, 1, 0], [1, 0, 0]] (the index rule).
describe("ties of max, min, amax and amin", () => {
  const third = 1 / 3;
  it.each<[string, number[][], (x: Tensor) => Tensor, number[][]]>([
    ["max()", [[1, 3, 3]], (x) => x.max(), [[0, 0.5, 0.5]]],
    ["min()", [[1, 1, 3]], (x) => x.min(), [[0.5, 0.5, 0]]],
    ["amax(1)", [[1, 3, 3], [2, 2, 2]], (x) => x.amax(1), [[0, 0.5, 0.5], [third, third, third]]],
    ["amax([0, 1])", [[1, 3, 3], [3, 2, 2]], (x) => x.amax([0, 1]), [[0, third, third], [third, 0, 0]]],
    ["amin([0, 1])", [[1, 3, 1], [3, 2, 2]], (x) => x.amin([0, 1]), [[0.5, 0, 0.5], [0, 0, 0]]],
    ["max(1) keeps the index rule", [[1, 3, 3], [2, 2, 2]], (x) => x.max(1)[0], [[0, 1, 0], [1, 0, 0]]],
    ["min(1) keeps the index rule", [[1, 3, 1], [2, 2, 2]], (x) => x.min(1)[0], [[1, 0, 0], [1, 0, 0]]],
  ])("%s", (_name, values, fn, expected) => {
    const x = tensor(values, { dtype: "float64", requiresGrad: true });
    fn(x).sum().backward();
    expect(x.grad!.tolist()).toEqual(expected);
  });
});
