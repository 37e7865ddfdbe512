import type { ElementwiseOp } from "../backend/backend";
import { fmt } from "../core/shape";
import { Tensor } from "../core/tensor";
import { map, operands, type Operand } from "./pointwise";

/** The divisor of an integer division, checked: PyTorch raises ZeroDivisionError too. */
export function requireNonZero(op: string, b: Tensor): Tensor {
  if (b.dtype !== "int32") return b;
  const data = b.data();
  for (let i = 0; i < data.length; i++) if (data[i] === 0) throw new Error(`${op}: integer division by zero (element ${i} of the divisor, shape ${fmt(b.shape)})`);
  return b;
}

/** a^b of int32 tensors, exact (wrapping on overflow like C); a negative number exponent is an error, as PyTorch. */
export function powInt(a: Operand, b: Operand): Tensor {
  if (typeof b === "number" && b < 0) throw new Error(`pow: integers to negative integer powers are not allowed (exponent ${b}); convert the base with .to("float32")`);
  const [ta, tb] = operands("pow", a, b);
  return map("powInt", [ta, tb]);
}

function integerOnly(op: string, ...ts: Tensor[]): void {
  for (const t of ts) if (t.dtype !== "int32" && t.dtype !== "bool") throw new Error(`${op}: expected int32 or bool tensors, got ${t.dtype} (shape ${fmt(t.shape)})`);
}

function bitwise(op: ElementwiseOp, name: string, boolOk = true) {
  return (a: Operand, b: Operand): Tensor => {
    const [ta, tb] = operands(name, a, b);
    integerOnly(name, ta, tb);
    if (!boolOk && ta.dtype === "bool") throw new Error(`${name}: expected int32 tensors, got bool (shape ${fmt(ta.shape)}); convert with .to("int32")`);
    return map(op, [ta, tb]);
  };
}

/** a & b elementwise (int32, or bool: logical and). */
export const bitwiseAnd = bitwise("bitwiseAnd", "bitwiseAnd");
/** Elementwise bitwise OR of int32 or bool tensors (logical for bool), broadcasting. */
export const bitwiseOr = bitwise("bitwiseOr", "bitwiseOr");
/** Elementwise bitwise XOR of int32 or bool tensors (logical for bool), broadcasting. */
export const bitwiseXor = bitwise("bitwiseXor", "bitwiseXor");
/** a << b on int32; like PyTorch on x86 (and JavaScript), the shift count is taken modulo 32. */
export const bitwiseLeftShift = bitwise("shiftLeft", "bitwiseLeftShift", false);
/** a >> b (arithmetic, sign-filling) on int32; the shift count is taken modulo 32. */
export const bitwiseRightShift = bitwise("shiftRight", "bitwiseRightShift", false);

/** ~x on int32; logical not on bool. */
export function bitwiseNot(x: Tensor): Tensor {
  integerOnly("bitwiseNot", x);
  return map(x.dtype === "bool" ? "logicalNot" : "bitwiseNot", [x]);
}
