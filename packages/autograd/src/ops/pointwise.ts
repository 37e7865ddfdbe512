import type { DType } from "../dtype";
import { defineOp, type OpContext } from "../function";
import { kernels, type ElementwiseOp } from "../kernels";
import { mode } from "../mode";
import { broadcastShapes, fmt, sameShape } from "../shape";
import { Tensor } from "../tensor";
import { sumTo } from "./movement";

export type Operand = Tensor | number;

function requireFloat(op: string, ...xs: Tensor[]): void {
  for (const x of xs) if (x.dtype === "int32") throw new Error(`${op}: expected a float tensor, got int32 (shape ${fmt(x.shape)}); convert with .to("float32")`);
}

/** Runs an elementwise kernel into a new contiguous tensor of the broadcast shape. No tape. */
export function map(op: ElementwiseOp, inputs: readonly Tensor[], dtype: DType = inputs[0]!.dtype, s0 = 0, s1 = 0): Tensor {
  const shape = inputs.every((t) => sameShape(t.shape, inputs[0]!.shape)) ? inputs[0]!.shape : broadcastShapes(op, ...inputs.map((t) => t.shape));
  const out = Tensor.empty(shape, dtype);
  kernels.elementwise(op, out, inputs.map((t) => t.broadcastView(shape)), s0, s1);
  return out;
}

/** Turns a number operand into a 0-d tensor of the other operand's dtype; checks dtypes agree. */
export function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
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

// ---- unary primitives: d(op(x)) given the incoming gradient g, the input x and the output y ----

type UnaryName = "neg" | "exp" | "log" | "sqrt" | "abs" | "tanh" | "sigmoid" | "relu";
type UnaryRule = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

const UNARY_RULES: { [K in UnaryName]: UnaryRule } = {
  neg: (g) => g.neg(), //                                    d(-x) = -dx
  exp: (g, _x, y) => g.mul(y), //                            d e^x = e^x dx
  log: (g, x) => g.div(x), //                                d ln x = dx / x
  sqrt: (g, _x, y) => g.div(y.mul(2)), //                    d √x = dx / (2√x)
  abs: (g, x) => g.mul(sign(x)), //                          d|x| = sign(x) dx
  // tanh and sigmoid: one fused kernel unless the backward itself is being recorded (createGraph)
  tanh: (g, _x, y) => (mode.grad ? g.mul(y.mul(y).neg().add(1)) : map("tanhGrad", [g, y])), //     d tanh x = (1 - tanh² x) dx
  sigmoid: (g, _x, y) => (mode.grad ? g.mul(y.mul(y.neg().add(1))) : map("sigmoidGrad", [g, y])), // dσ = σ (1 - σ) dx
  relu: (g, x) => g.mul(gt(x, 0)), //                        d relu x = [x > 0] dx
};

/** What each rule reads, so that nothing else is kept alive or version-checked. */
const UNARY_SAVES: { [K in UnaryName]: "x" | "y" | null } = {
  neg: null, exp: "y", log: "x", sqrt: "y", abs: "x", tanh: "y", sigmoid: "y", relu: "x",
};

const INT_UNARY: ReadonlySet<UnaryName> = new Set(["neg", "abs", "relu"]);

function unary(name: UnaryName) {
  const rule = UNARY_RULES[name];
  const saves = UNARY_SAVES[name];
  return defineOp({
    name,
    forward(ctx: OpContext, x: Tensor) {
      if (!INT_UNARY.has(name)) requireFloat(name, x);
      const y = map(name, [x]);
      if (saves) ctx.save(saves === "x" ? x : y);
      return y;
    },
    backward(ctx, g) {
      const [t] = ctx.saved;
      return [rule(g, t!, t!)];
    },
  });
}

export const neg = unary("neg");
export const exp = unary("exp");
export const log = unary("log");
export const sqrt = unary("sqrt");
export const abs = unary("abs");
export const tanh = unary("tanh");
export const sigmoid = unary("sigmoid");
export const relu = unary("relu");

// ---- binary primitives with broadcasting: gradients for a and b before summing to their shapes ----

type BinaryName = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";
type BinaryRule = { a: (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => Tensor; b: (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => Tensor };

const BINARY_RULES: { [K in BinaryName]: BinaryRule } = {
  add: { a: (g) => g, b: (g) => g }, //                                    d(a + b) = da + db
  sub: { a: (g) => g, b: (g) => g.neg() }, //                              d(a - b) = da - db
  mul: { a: (g, _a, b) => g.mul(b), b: (g, a) => g.mul(a) }, //            d(ab) = b da + a db
  div: { a: (g, _a, b) => g.div(b), b: (g, a, b) => g.mul(a).div(b.mul(b)).neg() }, // d(a/b) = da/b - a db/b²
  pow: {
    a: (g, a, b) => where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))), //  d(a^b) = b a^(b-1) da (0 where b = 0)
    b: (g, a, _b, y) => g.mul(y).mul(log(where(a.eq(0), 1, a))), //              + a^b ln a db (0 at a = 0)
  },
  maximum: { a: (g, a, b) => g.mul(share(gt(a, b), a.eq(b))), b: (g, a, b) => g.mul(share(gt(b, a), a.eq(b))) }, // ties split
  minimum: { a: (g, a, b) => g.mul(share(lt(a, b), a.eq(b))), b: (g, a, b) => g.mul(share(lt(b, a), a.eq(b))) },
};

function share(wins: Tensor, tie: Tensor): Tensor {
  return wins.add(tie.mul(0.5));
}

const BINARY_SAVES: { [K in BinaryName]: ("a" | "b" | "y")[] } = {
  add: [], sub: [], mul: ["a", "b"], div: ["a", "b"], pow: ["a", "b", "y"], maximum: ["a", "b"], minimum: ["a", "b"],
};

const FLOAT_ONLY: ReadonlySet<BinaryName> = new Set(["div", "pow"]);

function binary(name: BinaryName) {
  const rule = BINARY_RULES[name];
  const saves = BINARY_SAVES[name];
  const slot = { a: saves.indexOf("a"), b: saves.indexOf("b"), y: saves.indexOf("y") };
  const prim = defineOp({
    name,
    forward(ctx: OpContext, a: Tensor, b: Tensor) {
      if (FLOAT_ONLY.has(name)) requireFloat(name, a, b);
      const y = map(name, [a, b]);
      ctx.aShape = a.shape;
      ctx.bShape = b.shape;
      for (const k of saves) ctx.save(k === "a" ? a : k === "b" ? b : y);
      return y;
    },
    backward(ctx, g) {
      const saved = ctx.saved;
      const a = saved[slot.a], b = saved[slot.b], y = saved[slot.y];
      return [
        ctx.needsInputGrad[0] ? sumTo(rule.a(g, a!, b!, y!), ctx.aShape as number[]) : null,
        ctx.needsInputGrad[1] ? sumTo(rule.b(g, a!, b!, y!), ctx.bShape as number[]) : null,
      ];
    },
  });
  return (a: Operand, b: Operand) => prim(...operands(name, a, b));
}

export const add = binary("add");
export const sub = binary("sub");
export const mul = binary("mul");
export const div = binary("div");
export const maximum = binary("maximum");
export const minimum = binary("minimum");
const powTensor = binary("pow");

const powScalar = defineOp({
  name: "powScalar",
  forward(ctx: OpContext, x: Tensor, p: number) {
    requireFloat("pow", x);
    ctx.p = p;
    ctx.save(x);
    return map("powScalar", [x], x.dtype, p);
  },
  backward(ctx, g) {
    const p = ctx.p as number;
    const [x] = ctx.saved;
    return [p === 0 ? g.mul(0) : g.mul(x!.pow(p - 1).mul(p))]; // d x^p = p x^(p-1) dx
  },
});

export function pow(a: Operand, b: Operand): Tensor {
  if (a instanceof Tensor && typeof b === "number") return powScalar(a, b);
  return powTensor(a, b);
}

export const clamp = defineOp({
  name: "clamp",
  forward(ctx: OpContext, x: Tensor, min: number | undefined, max: number | undefined) {
    if (min === undefined && max === undefined) throw new Error(`clamp: give at least one of min and max (tensor of shape ${fmt(x.shape)})`);
    if (min !== undefined && max !== undefined && min > max) throw new Error(`clamp: min ${min} is greater than max ${max}`);
    ctx.save(x);
    Object.assign(ctx, { min, max });
    return map("clamp", [x], x.dtype, min ?? -Infinity, max ?? Infinity);
  },
  backward(ctx, g) {
    const [x] = ctx.saved;
    const min = (ctx.min as number | undefined) ?? -Infinity;
    const max = (ctx.max as number | undefined) ?? Infinity;
    return [g.mul(ge(x!, min).mul(le(x!, max)))]; // passes where min <= x <= max
  },
});

const wherePrim = defineOp({
  name: "where",
  forward(ctx: OpContext, cond: Tensor, a: Tensor, b: Tensor) {
    ctx.save(cond);
    Object.assign(ctx, { aShape: a.shape, bShape: b.shape });
    return map("where", [cond, a, b], a.dtype);
  },
  backward(ctx, g) {
    const [cond] = ctx.saved;
    return [
      null,
      ctx.needsInputGrad[1] ? sumTo(where(cond!, g, 0), ctx.aShape as number[]) : null,
      ctx.needsInputGrad[2] ? sumTo(where(cond!, 0, g), ctx.bShape as number[]) : null,
    ];
  },
});

/** Elementwise choice: a where cond is non-zero, else b (broadcast together). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
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

const castPrim = defineOp({
  name: "cast",
  forward(ctx: OpContext, x: Tensor, dtype: DType) {
    ctx.from = x.dtype;
    return map("copy", [x], dtype);
  },
  backward: (ctx, g) => [g.to(ctx.from as DType)],
});

/** Converts to another dtype (a copy; float -> int32 truncates toward zero). */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  if (dtype === "int32") return map("copy", [x], dtype);
  return castPrim(x, dtype);
}
