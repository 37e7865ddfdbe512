import type { DType } from "../core/dtype";
import { primitive, rule } from "../core/op";
import { kernels, type ElementwiseOp } from "../backend/backend";
import { broadcastShapes, fmt, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { checkInt32Values, checkNumber, checkOperand, checkTensor } from "../core/validate";
import { sumTo } from "./movement";
import type { RuleTable } from "./primitives";

export type Operand = Tensor | number;
type Unary = (x: Tensor) => Tensor;

function requireFloat(op: string, ...xs: Tensor[]): void {
  for (const x of xs) if (x.dtype === "int32") throw new Error(`${op}: expected a float tensor, got int32 (shape ${fmt(x.shape)}); convert with .to("float32")`);
}

/** Runs an elementwise kernel into a new contiguous tensor of the broadcast shape. No tape. */
export function map(op: ElementwiseOp, inputs: readonly Tensor[], dtype: DType = inputs[0]!.dtype, s0 = 0, s1 = 0): Tensor {
  const shape = inputs.every((t) => sameShape(t.shape, inputs[0]!.shape)) ? inputs[0]!.shape : broadcastShapes(op, ...inputs.map((t) => t.shape));
  const out = Tensor.zeros(shape, dtype);
  kernels.elementwise(op, out, inputs.map((t) => t.broadcastView(shape)), s0, s1);
  return out;
}

/** Turns a number operand into a 0-d tensor of the other operand's dtype; checks dtypes agree. */
export function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  checkOperand(op, a);
  checkOperand(op, b);
  if (typeof a === "number" && typeof b === "number") throw new Error(`${op}: at least one operand must be a tensor`);
  const dtype = (a instanceof Tensor ? a : (b as Tensor)).dtype;
  const number = typeof a === "number" ? a : (b as number);
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

const INT_UNARY: ReadonlySet<string> = new Set(["neg", "abs", "relu"]);

/** A unary primitive: saves what its rule reads of x and y = op(x); `fast` is one fused kernel. */
function unary<S>(name: ElementwiseOp, saves: (x: Tensor, y: Tensor) => S, backward: (s: S, g: Tensor) => Tensor, fast?: (s: S, g: Tensor) => Tensor) {
  return rule({
    forward(x: Tensor): [Tensor, S] {
      if (!INT_UNARY.has(name)) requireFloat(name, x);
      const y = map(name, [x]);
      return [y, saves(x, y)];
    },
    backward: (s: S, g: Tensor) => [backward(s, g)],
    fastBackward: fast && ((s: S, g: Tensor) => [fast(s, g)]),
  });
}

const FLOAT_ONLY: ReadonlySet<string> = new Set(["div", "pow"]);

/** A broadcasting binary primitive: da and db are the gradients before summing to a's and b's shapes. */
function binary<S>(name: ElementwiseOp, saves: (a: Tensor, b: Tensor, y: Tensor) => S, da: (s: S, g: Tensor) => Tensor, db: (s: S, g: Tensor) => Tensor) {
  return rule({
    forward(a: Tensor, b: Tensor): [Tensor, S & { aShape: number[]; bShape: number[] }] {
      if (FLOAT_ONLY.has(name)) requireFloat(name, a, b);
      const y = map(name, [a, b]);
      return [y, { ...saves(a, b, y), aShape: a.shape, bShape: b.shape }];
    },
    backward: (s: S & { aShape: number[]; bShape: number[] }, g: Tensor, needs: readonly boolean[]) => [
      needs[0] ? sumTo(da(s, g), s.aShape) : null,
      needs[1] ? sumTo(db(s, g), s.bShape) : null,
    ],
  });
}

const none = () => ({});
const input = (x: Tensor) => ({ x });
const output = (_x: Tensor, y: Tensor) => ({ y });
const operandsAB = (a: Tensor, b: Tensor) => ({ a, b });
/** The gradient share of a in maximum (loses = lt) or minimum (loses = gt): 1, 0 where it loses, half at a tie; NaN takes it all, as in PyTorch. */
const share = (loses: Tensor, tie: Tensor) => loses.add(tie.mul(0.5)).neg().add(1);

const rules = {
  neg: unary("neg", none, (_, g) => g.neg()), //                                        d(-x) = -dx
  exp: unary("exp", output, ({ y }, g) => g.mul(y)), //                                 d e^x = e^x dx
  log: unary("log", input, ({ x }, g) => g.div(x)), //                                  d ln x = dx / x
  sqrt: unary("sqrt", output, ({ y }, g) => g.div(y.mul(2))), //                        d √x = dx / (2√x)
  abs: unary("abs", input, ({ x }, g) => g.mul(sign(x))), //                            d|x| = sign(x) dx
  tanh: unary("tanh", output, ({ y }, g) => g.mul(y.mul(y).neg().add(1)), ({ y }, g) => map("tanhGrad", [g, y])), // d tanh x = (1 - tanh² x) dx
  sigmoid: unary("sigmoid", output, ({ y }, g) => g.mul(y.mul(y.neg().add(1))), ({ y }, g) => map("sigmoidGrad", [g, y])), // dσ = σ (1 - σ) dx
  relu: unary("relu", input, ({ x }, g) => where(le(x, 0), 0, g)), //                    d relu x = [x > 0] dx (NaN passes g, as in PyTorch)
  add: binary("add", none, (_, g) => g, (_, g) => g), //                                d(a + b) = da + db
  sub: binary("sub", none, (_, g) => g, (_, g) => g.neg()), //                          d(a - b) = da - db
  mul: binary("mul", operandsAB, ({ b }, g) => g.mul(b), ({ a }, g) => g.mul(a)), //    d(ab) = b da + a db
  div: binary("div", operandsAB, ({ b }, g) => g.div(b), ({ a, b }, g) => g.mul(a).div(b.mul(b)).neg()), // d(a/b) = da/b - a db/b²
  pow: binary(
    "pow",
    (a, b, y) => ({ a, b, y }),
    ({ a, b }, g) => where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))), //                d(a^b) = b a^(b-1) da (0 where b = 0)
    ({ a, b, y }, g) => g.mul(y).mul(log(where(a.eq(0).mul(b.ge(0)), 1, a))), //         + a^b ln a db (0 at a = 0 when b >= 0, as PyTorch)
  ),
  maximum: binary("maximum", operandsAB, ({ a, b }, g) => g.mul(share(lt(a, b), a.eq(b))), ({ a, b }, g) => g.mul(share(lt(b, a), a.eq(b)))), // ties split
  minimum: binary("minimum", operandsAB, ({ a, b }, g) => g.mul(share(gt(a, b), a.eq(b))), ({ a, b }, g) => g.mul(share(gt(b, a), a.eq(b)))),
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
    backward: ({ x, min, max }, g: Tensor) => [g.mul(ge(x, min).mul(le(x, max)))], // passes where min <= x <= max
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

export const neg: Unary = primitive("neg", rules.neg);
export const exp: Unary = primitive("exp", rules.exp);
export const log: Unary = primitive("log", rules.log);
export const sqrt: Unary = primitive("sqrt", rules.sqrt);
export const abs: Unary = primitive("abs", rules.abs);
export const tanh: Unary = primitive("tanh", rules.tanh);
export const sigmoid: Unary = primitive("sigmoid", rules.sigmoid);
export const relu: Unary = primitive("relu", rules.relu);
export const clamp: (x: Tensor, min: number | undefined, max: number | undefined) => Tensor = primitive("clamp", rules.clamp);

/** A binary primitive that also takes a number for either operand. */
function withOperands(name: string, prim: (a: Tensor, b: Tensor) => Tensor) {
  return (a: Operand, b: Operand) => prim(...operands(name, a, b));
}

export const add = withOperands("add", primitive("add", rules.add));
export const sub = withOperands("sub", primitive("sub", rules.sub));
export const mul = withOperands("mul", primitive("mul", rules.mul));
export const div = withOperands("div", primitive("div", rules.div));
export const maximum = withOperands("maximum", primitive("maximum", rules.maximum));
export const minimum = withOperands("minimum", primitive("minimum", rules.minimum));
const powTensor = withOperands("pow", primitive("pow", rules.pow));
const powScalar: (x: Tensor, p: number) => Tensor = primitive("powScalar", rules.powScalar);

export function pow(a: Operand, b: Operand): Tensor {
  if (a instanceof Tensor && typeof b === "number") return powScalar(a, b);
  return powTensor(a, b);
}

const wherePrim: (cond: Tensor, a: Tensor, b: Tensor) => Tensor = primitive("where", rules.where);

/** Elementwise choice: a where cond is non-zero, else b (broadcast together). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkTensor("where", "cond", cond);
  if (typeof a === "number" && typeof b === "number") a = Tensor.scalar(a, cond.dtype === "int32" ? "float32" : cond.dtype);
  const [ta, tb] = operands("where", a, b);
  broadcastShapes("where", cond.shape, ta.shape, tb.shape);
  return wherePrim(cond, ta, tb);
}

// ---- without gradient: comparisons (1/0 in the operands' dtype) and sign ----

function comparison(op: "gt" | "lt" | "ge" | "le" | "eq" | "ne") {
  return (a: Operand, b: Operand): Tensor => map(op, operands(op, a, b));
}

export const gt = comparison("gt");
export const lt = comparison("lt");
export const ge = comparison("ge");
export const le = comparison("le");
export const eq = comparison("eq");
export const ne = comparison("ne");

export function sign(x: Tensor): Tensor {
  return map("sign", [x]);
}

const castPrim: (x: Tensor, dtype: DType) => Tensor = primitive("cast", rules.cast);

/** Converts to another dtype (a copy; float -> int32 truncates toward zero). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  if (dtype === "int32") {
    checkInt32Values("to", x.data());
    return map("copy", [x], dtype);
  }
  return castPrim(x, dtype);
}
