import { calls } from "../core/calls";
import { checkSameCopy } from "../core/copy";
import { isFloat, type DType } from "../core/dtype";
import { primitive, rule } from "../core/op";
import { kernels, type ElementwiseOp } from "../backend/backend";
import { broadcastShapes, fmt, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { powInt } from "./integer";
import { checkInt32Values, checkNumber, checkOperand, checkTensor } from "../core/validate";
import { sumTo } from "./movement";
import type { RuleTable } from "./primitives";

export type Operand = Tensor | number;
type Unary = (x: Tensor) => Tensor;

export function requireFloat(op: string, ...xs: Tensor[]): void {
  for (const x of xs) if (!isFloat(x.dtype)) throw new Error(`${op}: expected a float tensor, got ${x.dtype} (shape ${fmt(x.shape)}); convert with .to("float32")`);
}

/** Runs an elementwise kernel into a new contiguous tensor of the broadcast shape. No tape. */
export function map(op: ElementwiseOp, inputs: readonly Tensor[], dtype: DType = inputs[0]!.dtype, s0 = 0, s1 = 0): Tensor {
  const shape = inputs.every((t) => sameShape(t.shape, inputs[0]!.shape)) ? inputs[0]!.shape : broadcastShapes(op, ...inputs.map((t) => t.shape));
  const out = Tensor.zeros(shape, dtype);
  kernels.elementwise(op, out, inputs.map((t) => t.broadcastView(shape)), s0, s1);
  calls.listener?.({ op, args: [inputs, dtype, s0, s1], outputs: [out] });
  return out;
}

/**
 * Turns a number operand into a 0-d tensor of the other operand's dtype and checks dtypes agree.
 * A bool tensor is promoted as in PyTorch: to the other tensor's dtype, to int32 beside an
 * integer number, to float32 beside any other number.
 */
export function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  checkSameCopy(op, a);
  checkSameCopy(op, b);
  checkOperand(op, a);
  checkOperand(op, b);
  if (typeof a === "number" && typeof b === "number") throw new Error(`${op}: at least one operand must be a tensor`);
  if (a instanceof Tensor && b instanceof Tensor && a.dtype !== b.dtype) {
    if (a.dtype === "bool") a = a.to(b.dtype);
    else if (b.dtype === "bool") b = b.to(a.dtype);
  }
  const number = typeof a === "number" ? a : typeof b === "number" ? b : undefined;
  if (number !== undefined) {
    const promoted = Number.isInteger(number) ? "int32" : "float32";
    if (a instanceof Tensor && a.dtype === "bool") a = a.to(promoted);
    if (b instanceof Tensor && b.dtype === "bool") b = b.to(promoted);
  }
  const dtype = (a instanceof Tensor ? a : (b as Tensor)).dtype;
  if (dtype === "int32" && typeof number === "number" && !Number.isInteger(number)) {
    const t = (a instanceof Tensor ? a : b) as Tensor;
    throw new Error(`${op}: cannot combine an int32 tensor (shape ${fmt(t.shape)}) with the non-integer number ${number}; convert the tensor with .to("float32")`);
  }
  const ta = a instanceof Tensor ? a : Tensor.scalar(a, dtype);
  const tb = b instanceof Tensor ? b : Tensor.scalar(b, dtype);
  if (ta.dtype !== tb.dtype) {
    throw new Error(`${op}: dtype mismatch: ${ta.dtype} (shape ${fmt(ta.shape)}) and ${tb.dtype} (shape ${fmt(tb.shape)}); convert one with .to()`);
  }
  return [ta, tb];
}

// ---- the rules: forward, saves and backward of each primitive ----

const INT_UNARY: ReadonlySet<string> = new Set(["neg", "abs", "relu", "sign", "floor", "ceil", "round", "trunc"]);

/** A unary primitive: saves what its rule reads of x and y = op(x); `fast` is one fused kernel. */
export function unary<S>(name: ElementwiseOp, saves: (x: Tensor, y: Tensor) => S, backward: (s: S, g: Tensor) => Tensor, fast?: (s: S, g: Tensor) => Tensor) {
  return rule({
    forward(x: Tensor): [Tensor, S] {
      if (!INT_UNARY.has(name) || x.dtype === "bool") requireFloat(name, x);
      const y = map(name, [x]);
      return [y, saves(x, y)];
    },
    backward: (s: S, g: Tensor) => [backward(s, g)],
    fastBackward: fast && ((s: S, g: Tensor) => [fast(s, g)]),
  });
}

const FLOAT_ONLY: ReadonlySet<string> = new Set(["div", "pow"]);

/** A broadcasting binary primitive: da and db are the gradients before summing to a's and b's shapes. */
export function binary<S>(name: ElementwiseOp, saves: (a: Tensor, b: Tensor, y: Tensor) => S, da: (s: S, g: Tensor) => Tensor, db: (s: S, g: Tensor) => Tensor, floatOnly = FLOAT_ONLY.has(name)) {
  return rule({
    forward(a: Tensor, b: Tensor): [Tensor, S & { aShape: number[]; bShape: number[] }] {
      if (floatOnly) requireFloat(name, a, b);
      else if (a.dtype === "bool") throw new Error(`${name}: both operands are bool (shapes ${fmt(a.shape)} and ${fmt(b.shape)}); convert one with .to("int32") or .to("float32"), or use the bitwise ops`);
      const y = map(name, [a, b]);
      return [y, { ...saves(a, b, y), aShape: a.shape, bShape: b.shape }];
    },
    backward: (s: S & { aShape: number[]; bShape: number[] }, g: Tensor, needs: readonly boolean[]) => [
      needs[0] ? sumTo(da(s, g), s.aShape) : null,
      needs[1] ? sumTo(db(s, g), s.bShape) : null,
    ],
  });
}

export const none = () => ({});
export const input = (x: Tensor) => ({ x });
export const output = (_x: Tensor, y: Tensor) => ({ y });
export const operandsAB = (a: Tensor, b: Tensor) => ({ a, b });
/** g for an operand of maximum/minimum unless it loses, half of it at a tie (both get all of it beside a NaN, as PyTorch). */
const share = (g: Tensor, loses: Tensor, tie: Tensor) => where(loses, 0, where(tie, g.mul(0.5), g));

const rules = {
  neg: unary("neg", none, (_, g) => g.neg()), //                                        d(-x) = -dx
  exp: unary("exp", output, ({ y }, g) => g.mul(y)), //                                 d e^x = e^x dx
  log: unary("log", input, ({ x }, g) => g.div(x)), //                                  d ln x = dx / x
  sqrt: unary("sqrt", output, ({ y }, g) => g.div(y.mul(2))), //                        d √x = dx / (2√x)
  abs: unary("abs", input, ({ x }, g) => g.mul(x.sign())), //                            d|x| = sign(x) dx
  tanh: unary("tanh", output, ({ y }, g) => g.mul(y.mul(y).neg().add(1)), ({ y }, g) => map("tanhGrad", [g, y])), // d tanh x = (1 - tanh² x) dx
  sigmoid: unary("sigmoid", output, ({ y }, g) => g.mul(y.mul(y.neg().add(1))), ({ y }, g) => map("sigmoidGrad", [g, y])), // dσ = σ (1 - σ) dx
  relu: unary("relu", input, ({ x }, g) => where(le(x, 0), 0, g)), //                   d relu x = [x > 0] dx (and dx at NaN, as PyTorch)
  add: binary("add", none, (_, g) => g, (_, g) => g), //                                d(a + b) = da + db
  sub: binary("sub", none, (_, g) => g, (_, g) => g.neg()), //                          d(a - b) = da - db
  mul: binary("mul", operandsAB, ({ b }, g) => g.mul(b), ({ a }, g) => g.mul(a)), //    d(ab) = b da + a db
  div: binary("div", operandsAB, ({ b }, g) => g.div(b), ({ a, b }, g) => g.mul(a.div(b).div(b)).neg()), // d(a/b) = da/b - (a/b)/b db
  pow: binary(
    "pow",
    (a, b, y) => ({ a, b, y }),
    ({ a, b }, g) => where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))), //                d(a^b) = b a^(b-1) da (0 where b = 0)
    ({ a, b, y }, g) => where(a.eq(0).bitwiseAnd(b.ge(0)), 0, g.mul(y).mul(log(a))), //   + a^b ln a db (0 at a = 0 when b >= 0)
  ),
  maximum: binary("maximum", operandsAB, ({ a, b }, g) => share(g, lt(a, b), a.eq(b)), ({ a, b }, g) => share(g, lt(b, a), a.eq(b))), // ties split
  minimum: binary("minimum", operandsAB, ({ a, b }, g) => share(g, gt(a, b), a.eq(b)), ({ a, b }, g) => share(g, gt(b, a), a.eq(b))),
  powScalar: rule({
    forward(x: Tensor, p: number) {
      requireFloat("pow", x);
      return [map("powScalar", [x], x.dtype, p), { x, p }];
    },
    backward: ({ x, p }, g: Tensor) => [p === 0 ? g.mul(0) : g.mul(x.pow(p - 1).mul(p))], // d x^p = p x^(p-1) dx
  }),
  clamp: rule({
    forward(x: Tensor, min: number | undefined, max: number | undefined) {
      if (min === undefined && max === undefined) throw new Error(`clamp: give at least one of min and max (tensor of shape ${fmt(x.shape)})`);
      if (min !== undefined) checkNumber("clamp", "min", min);
      if (max !== undefined) checkNumber("clamp", "max", max);
      if (Number.isNaN(min) || Number.isNaN(max)) return [map("copy", [x]).fill_(NaN), { x, min: NaN, max: NaN }]; // a NaN bound makes every element NaN, as in PyTorch
      if (min !== undefined && max !== undefined && min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
      return [map("clamp", [x], x.dtype, min ?? -Infinity, max ?? Infinity), { x, min: min ?? -Infinity, max: max ?? Infinity }];
    },
    backward: ({ x, min, max }, g: Tensor) => [g.mul(ge(x, min)).mul(le(x, max))], // passes where min <= x <= max
  }),
  where: rule({
    forward: (cond: Tensor, a: Tensor, b: Tensor) => [map("where", [cond, a, b], a.dtype), { cond, aShape: a.shape, bShape: b.shape }],
    backward: ({ cond, aShape, bShape }, g: Tensor, needs) => [
      null,
      needs[1] ? sumTo(where(cond, g, 0), aShape) : null,
      needs[2] ? sumTo(where(cond, 0, g), bShape) : null,
    ],
  }),
  cast: rule({
    forward: (x: Tensor, dtype: DType) => [map("copy", [x], dtype), { from: x.dtype }],
    backward: ({ from }, g: Tensor) => [g.to(from)],
  }),
} satisfies RuleTable<"pointwise">;

/** Elementwise -x. */
export const neg: Unary = primitive("neg", rules.neg);
/** Elementwise e^x. */
export const exp: Unary = primitive("exp", rules.exp);
/** Elementwise natural logarithm. */
export const log: Unary = primitive("log", rules.log);
/** Elementwise square root. */
export const sqrt: Unary = primitive("sqrt", rules.sqrt);
/** Elementwise absolute value. */
export const abs: Unary = primitive("abs", rules.abs);
/** Elementwise hyperbolic tangent. */
export const tanh: Unary = primitive("tanh", rules.tanh);
/** Elementwise logistic sigmoid 1 / (1 + e^-x). */
export const sigmoid: Unary = primitive("sigmoid", rules.sigmoid);
/** Elementwise max(x, 0). */
export const relu: Unary = primitive("relu", rules.relu);
/** Elementwise clamp into [min, max]; pass undefined for no bound. */
export const clamp: (x: Tensor, min: number | undefined, max: number | undefined) => Tensor = primitive("clamp", rules.clamp);

/** A binary primitive that also takes a number for either operand. */
function withOperands(name: string, prim: (a: Tensor, b: Tensor) => Tensor) {
  return (a: Operand, b: Operand) => prim(...operands(name, a, b));
}

/**
 * Elementwise a + b with broadcasting; either may be a number.
 *
 * @example
 * ```ts
 * add(tensor([[1], [2]]), tensor([10, 20])).tolist(); // [[11, 21], [12, 22]]
 * ```
 */
export const add = withOperands("add", primitive("add", rules.add));
/** Elementwise a - b with broadcasting; either may be a number. */
export const sub = withOperands("sub", primitive("sub", rules.sub));
/** Elementwise a · b with broadcasting; either may be a number. */
export const mul = withOperands("mul", primitive("mul", rules.mul));
export const div = withOperands("div", primitive("div", rules.div));
/** Elementwise maximum with broadcasting (NaN if either is NaN). */
export const maximum = withOperands("maximum", primitive("maximum", rules.maximum));
/** Elementwise minimum with broadcasting (NaN if either is NaN). */
export const minimum = withOperands("minimum", primitive("minimum", rules.minimum));
const powTensor = withOperands("pow", primitive("pow", rules.pow));
const powScalar: (x: Tensor, p: number) => Tensor = primitive("powScalar", rules.powScalar);

/** Elementwise a ** b with broadcasting; exact on int32 (a negative number exponent throws there). */
export function pow(a: Operand, b: Operand): Tensor {
  if ([a, b].every((x) => (x instanceof Tensor ? x.dtype === "int32" : Number.isInteger(x)))) return powInt(a, b);
  if (a instanceof Tensor && typeof b === "number") return powScalar(a, b);
  return powTensor(a, b);
}

const wherePrim: (cond: Tensor, a: Tensor, b: Tensor) => Tensor = primitive("where", rules.where);

/** Elementwise choice: a where cond is non-zero, else b (broadcast together). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkTensor("where", "cond", cond);
  if (typeof a === "number" && typeof b === "number") a = Tensor.scalar(a, isFloat(cond.dtype) ? cond.dtype : "float32");
  const [ta, tb] = operands("where", a, b);
  broadcastShapes("where", cond.shape, ta.shape, tb.shape);
  return wherePrim(cond, ta, tb);
}

// ---- without gradient: comparisons give a bool mask ----

function comparison(op: "gt" | "lt" | "ge" | "le" | "eq" | "ne") {
  return (a: Operand, b: Operand): Tensor => map(op, operands(op, a, b), "bool");
}

/** Elementwise a > b as a bool tensor (broadcasting; not differentiable). */
export const gt = comparison("gt");
/** Elementwise a < b as a bool tensor. */
export const lt = comparison("lt");
/** Elementwise a >= b as a bool tensor. */
export const ge = comparison("ge");
/** Elementwise a <= b as a bool tensor. */
export const le = comparison("le");
/** Elementwise a == b as a bool tensor. */
export const eq = comparison("eq");
/** Elementwise a != b as a bool tensor. */
export const ne = comparison("ne");

const castPrim: (x: Tensor, dtype: DType) => Tensor = primitive("cast", rules.cast);

/** Converts to another dtype (a copy; float -> int32 truncates toward zero; -> bool is x != 0). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  if (dtype === "bool") return map("toBool", [x], dtype);
  if (dtype === "int32" && isFloat(x.dtype)) checkInt32Values("to", x.data());
  if (!isFloat(dtype) || !isFloat(x.dtype)) return map("copy", [x], dtype);
  return castPrim(x, dtype);
}
