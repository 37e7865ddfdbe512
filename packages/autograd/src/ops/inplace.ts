import { kernels, type ElementwiseOp } from "../backend/backend";
import { mode } from "../core/mode";
import { fmt, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { operands, type Operand } from "./pointwise";
import { checkNumber, checkOperand } from "../core/validate";

/**
 * In-place updates for optimizers and initializers. They are not recorded on the tape: under
 * grad mode they refuse tensors that take part in it. Each bumps the tensor's version counter,
 * so a backward that saved the old value throws instead of using the new one.
 */
function prepare(op: string, target: Tensor, ...others: Operand[]): Tensor[] {
  others.forEach((o) => checkOperand(op, o));
  if (mode.grad && (target.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad))) {
    throw gradTargetError(op, target);
  }
  if (target.shape.some((s, d) => s > 1 && target.strides[d] === 0)) {
    throw new Error(`${op}: the target (shape ${fmt(target.shape)}, strides ${fmt(target.strides)}) has several elements in one memory location (an expanded view); write to a contiguous() copy instead`);
  }
  const tensors = others.map((o) => operands(op, target, o)[1]);
  for (const t of tensors) t.broadcastView(target.shape, op);
  // an operand reading the target's memory in another order (x.copy_(x.flip(0))) is read from a copy
  return tensors.map((t) => (t.buf === target.buf && !sameView(t, target) ? t.copyContiguous() : t));
}

const VIEW_OPS: ReadonlySet<string> = new Set(["reshape", "permute", "expand", "slice", "flip"]);

/** What an in-place op under grad mode was refused for, in PyTorch's words. */
function gradTargetError(op: string, t: Tensor): Error {
  const fix = "wrap it in noGrad() or use the out-of-place op";
  if (!t.requiresGrad) return new Error(`${op}: in-place operation with an operand that requires grad (target shape ${fmt(t.shape)}); in-place ops are not recorded on the tape; ${fix}`);
  let node = t.gradFn;
  let leafBase = t.isLeaf;
  while (node && VIEW_OPS.has(node.name)) {
    leafBase ||= node.edges[0]?.leaf != null;
    node = node.edges[0]?.node ?? null;
  }
  const what = t.isLeaf ? "a leaf tensor" : t.gradFn && VIEW_OPS.has(t.gradFn.name) ? `a view ('${t.gradFn.name}') of a ${leafBase ? "leaf " : ""}tensor` : `a tensor (output of '${t.gradFn!.name}')`;
  return new Error(`${op}: ${what} that requires grad (shape ${fmt(t.shape)}) is being used in an in-place operation; ${fix}`);
}

function sameView(a: Tensor, b: Tensor): boolean {
  return a.offset === b.offset && sameShape(a.shape, b.shape) && sameShape(a.strides, b.strides);
}

function run(op: ElementwiseOp, target: Tensor, inputs: Tensor[], s0 = 0, s1 = 0): Tensor {
  kernels.elementwise(op, target, inputs.map((t) => t.broadcastView(target.shape)), s0, s1);
  target.bumpVersion();
  return target;
}

export function add_(x: Tensor, other: Operand, alpha = 1): Tensor {
  return run("addScaled", x, [x, ...prepare("add_", x, other)], alpha);
}
export function sub_(x: Tensor, other: Operand, alpha = 1): Tensor {
  return run("addScaled", x, [x, ...prepare("sub_", x, other)], -alpha);
}
export function mul_(x: Tensor, other: Operand): Tensor {
  return run("mul", x, [x, ...prepare("mul_", x, other)]);
}
export function div_(x: Tensor, other: Operand): Tensor {
  return run("div", x, [x, ...prepare("div_", x, other)]);
}
export function copy_(x: Tensor, src: Operand): Tensor {
  const [s] = prepare("copy_", x, src);
  if (src instanceof Tensor && src.dtype !== x.dtype) throw new Error(`copy_: dtype mismatch: ${x.dtype} and ${src.dtype}`);
  return run("copy", x, [s!]);
}
export function fill_(x: Tensor, value: number): Tensor {
  checkNumber("fill_", "value", value);
  prepare("fill_", x);
  return run("fill", x, [], value);
}
export function zero_(x: Tensor): Tensor {
  prepare("zero_", x);
  return run("fill", x, [], 0);
}
export function clamp_(x: Tensor, min?: number, max?: number): Tensor {
  if (min !== undefined) checkNumber("clamp_", "min", min);
  if (max !== undefined) checkNumber("clamp_", "max", max);
  if (Number.isNaN(min) || Number.isNaN(max)) return fill_(x, NaN); // as clamp: a NaN bound gives NaN everywhere
  prepare("clamp_", x);
  return run("clamp", x, [x], min ?? -Infinity, max ?? Infinity);
}
/** x += value * a * b */
export function addcmul_(x: Tensor, a: Tensor, b: Tensor, value = 1): Tensor {
  return run("addcmul", x, [x, ...prepare("addcmul_", x, a, b)], value);
}
/** x += value * a / b */
export function addcdiv_(x: Tensor, a: Tensor, b: Tensor, value = 1): Tensor {
  return run("addcdiv", x, [x, ...prepare("addcdiv_", x, a, b)], value);
}
export function sqrt_(x: Tensor): Tensor {
  prepare("sqrt_", x);
  return run("sqrt", x, [x]);
}
export function maximum_(x: Tensor, other: Operand): Tensor {
  return run("maximum", x, [x, ...prepare("maximum_", x, other)]);
}
