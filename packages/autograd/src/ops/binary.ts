import { primitive } from "../core/op";
import { Tensor } from "../core/tensor";
import { requireNonZero } from "./integer";
import { binary, div as trueDiv, map, operands, operandsAB, type Operand } from "./pointwise";
import type { RuleTable } from "./primitives";

const zero = (_: unknown, g: Tensor) => Tensor.zeros(g.shape, g.dtype);
const inputsAndOutput = (a: Tensor, b: Tensor, y: Tensor) => ({ a, b, y });
/** 1 / (a² + b²), the shared factor of atan2's gradients. */
const recip = (a: Tensor, b: Tensor) => a.mul(a).add(b.mul(b)).reciprocal();

const rules = {
  atan2: binary("atan2", operandsAB, ({ a, b }, g) => g.mul(b).mul(recip(a, b)), ({ a, b }, g) => g.mul(a.neg()).mul(recip(a, b)), true), // d atan2(a, b) = (b da - a db) / (a² + b²)
  fmod: binary("fmod", operandsAB, (_, g) => g, ({ a, b }, g) => g.mul(div(a, b, { roundingMode: "trunc" })).neg(), true), //   d fmod = da - trunc(a/b) db
  remainder: binary("remainder", operandsAB, (_, g) => g, ({ a, b }, g) => g.mul(div(a, b, { roundingMode: "floor" })).neg(), true), // d rem = da - floor(a/b) db
  hypot: binary("hypot", inputsAndOutput, ({ a, y }, g) => g.mul(a).div(y), ({ b, y }, g) => g.mul(b).div(y), true), //   d hypot = (a da + b db) / hypot
  // d copysign(a, b) = (copysign(a, b) / a) da away from a = 0; b only gives the sign
  copysign: binary("copysign", inputsAndOutput, ({ a, y }, g) => g.mul(where0(a, y.div(a))), zero, true),
  logaddexp: binary("logaddexp", operandsAB, ({ a, b }, g) => g.mul(a.sub(b).sigmoid()), ({ a, b }, g) => g.mul(b.sub(a).sigmoid()), true), // da / (1 + e^(b-a))
  logaddexp2: binary("logaddexp2", operandsAB, ({ a, b }, g) => g.div(b.sub(a).exp2().add(1)), ({ a, b }, g) => g.div(a.sub(b).exp2().add(1)), true), // da / (1 + 2^(b-a))
  // d x log y = log y dx (0 where x = 0 and y <= 0, as PyTorch) + x / y dy
  xlogy: binary("xlogy", operandsAB, ({ a, b }, g) => xlogy(g, b).where(a.eq(0).bitwiseAnd(b.le(0)).bitwiseNot(), 0), ({ a, b }, g) => g.mul(a).div(b), true),
  divTrunc: binary("divTrunc", none2, zero, zero, true),
  divFloor: binary("divFloor", none2, zero, zero, true),
} satisfies RuleTable<"binary">;

function none2() {
  return {};
}

/** t where a != 0, else 0. */
function where0(a: Tensor, t: Tensor): Tensor {
  return t.where(a.ne(0), 0);
}

type Binary = (a: Operand, b: Operand) => Tensor;
function withOperands(name: string, prim: (a: Tensor, b: Tensor) => Tensor, integer?: (a: Tensor, b: Tensor) => Tensor): Binary {
  return (a, b) => {
    const [ta, tb] = operands(name, a, b);
    return integer && ta.dtype === "int32" ? integer(ta, tb) : prim(ta, tb);
  };
}

/** Elementwise atan2(a, b): the angle of the point (b, a), broadcasting. */
export const atan2 = withOperands("atan2", primitive("atan2", rules.atan2));
/** C's fmod: a - trunc(a/b)·b, the sign of a. int32 too (an error for b = 0, as PyTorch). */
export const fmod = withOperands("fmod", primitive("fmod", rules.fmod), (a, b) => map("fmod", [a, requireNonZero("fmod", b)]));
/** Python's modulo: a - floor(a/b)·b, the sign of b (PyTorch's remainder). */
export const remainder = withOperands("remainder", primitive("remainder", rules.remainder), (a, b) => map("remainderInt", [a, requireNonZero("remainder", b)]));
/** x·log(y), 0 where x = 0 unless y is NaN (PyTorch's xlogy). */
export const xlogy = withOperands("xlogy", primitive("xlogy", rules.xlogy));
/** Elementwise sqrt(a² + b²) without overflow, broadcasting. */
export const hypot = withOperands("hypot", primitive("hypot", rules.hypot));
/** Elementwise |a| with the sign of b, broadcasting. */
export const copysign = withOperands("copysign", primitive("copysign", rules.copysign));
/** Elementwise log(e^a + e^b), stable, broadcasting. */
export const logaddexp = withOperands("logaddexp", primitive("logaddexp", rules.logaddexp));
/** Elementwise log2(2^a + 2^b), stable, broadcasting. */
export const logaddexp2 = withOperands("logaddexp2", primitive("logaddexp2", rules.logaddexp2));
const divTrunc = withOperands("div", primitive("divTrunc", rules.divTrunc), (a, b) => map("divTrunc", [a, requireNonZero("div", b)]));
const divFloor = withOperands("div", primitive("divFloor", rules.divFloor), (a, b) => map("divFloorInt", [a, requireNonZero("div", b)]));

/** Options of {@link div}. */
export interface DivOptions {
  /** undefined: true division; "trunc": rounded toward zero; "floor": Python's a // b. Their gradient is zero. */
  roundingMode?: "trunc" | "floor";
}

/** a / b; with a rounding mode also for int32 (dividing an int32 by zero is an error, as PyTorch). */
export function div(a: Operand, b: Operand, opts: DivOptions = {}): Tensor {
  const mode = opts.roundingMode;
  if (mode === undefined) return trueDiv(a, b);
  if (mode === "trunc") return divTrunc(a, b);
  if (mode === "floor") return divFloor(a, b);
  throw new Error(`div: unknown roundingMode ${JSON.stringify(mode)}; expected "trunc", "floor" or undefined`);
}
