import { backend } from "../backend/backend";
import { checkSameCopy } from "./copy";
import type { DType, TypedArray } from "./dtype";
import { Tensor } from "./tensor";

/** The most elements one tensor may hold: V8's limit on the length of a typed array. */
export const MAX_ELEMENTS = 2 ** 32;

/** The op whose forward is running, so that an allocation deep inside can name it. */
export const running = { op: "" };

/** A value as an error message shows it: numbers as written (NaN, Infinity), strings quoted, other things by kind. */
export function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return value.length <= 8 ? `[${value.map(show).join(", ")}]` : `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === "function") return "a function";
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/** An integer in [min, max], or an error naming op, what the number is, and the value given. */
export function checkInt(op: string, what: string, value: unknown, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const lower = min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : min === -Number.MAX_SAFE_INTEGER ? "an integer" : `an integer >= ${min}`;
    const range = max === Number.MAX_SAFE_INTEGER ? lower : `an integer in [${min}, ${max}]`;
    throw new Error(`${op}: ${what} must be ${range}, got ${show(value)}`);
  }
  return value;
}

/** A finite or infinite number (not NaN unless allowed), or an error naming op and the value. */
export function checkNumber(op: string, what: string, value: unknown, allowNaN = true): number {
  if (typeof value !== "number" || (!allowNaN && Number.isNaN(value))) throw new Error(`${op}: ${what} must be a number, got ${show(value)}`);
  return value;
}

/** A Tensor, or an error naming op, the argument and what was given instead. */
export function checkTensor(op: string, what: string, value: unknown): void {
  checkSameCopy(op, value);
  if (!(value instanceof Tensor)) throw new Error(`${op}: ${what} must be a Tensor, got ${show(value)}`);
}

/** The other operand of an elementwise op: a Tensor or a number. */
export function checkOperand(op: string, value: unknown): void {
  checkSameCopy(op, value);
  if (!(value instanceof Tensor) && typeof value !== "number") throw new Error(`${op}: expected a Tensor or a number, got ${show(value)}`);
}

/** A probability such as a dropout rate: a number in [0, 1]. */
export function checkProbability(op: string, what: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new Error(`${op}: ${what} must be a number in [0, 1], got ${show(value)}`);
  return value;
}

/** A list of integers (dims or sizes), checked one by one. */
export function checkIntList(op: string, what: string, value: unknown, min?: number, max?: number): number[] {
  if (!Array.isArray(value)) throw new Error(`${op}: ${what} must be an array of integers, got ${show(value)}`);
  return value.map((v, i) => checkInt(op, `${what}[${i}]`, v, min, max));
}

/** The number of elements of a shape, or an error naming op when no tensor can hold them. */
export function checkElementCount(op: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (d > MAX_ELEMENTS) throw new Error(`${op}: size ${show(d)} in shape [${shape.map(show).join(", ")}] is larger than a tensor can hold (at most ${MAX_ELEMENTS} elements)`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) throw new Error(`${op}: shape [${shape.map(show).join(", ")}] has ${n} elements, more than a tensor can hold (at most ${MAX_ELEMENTS})`);
  return n;
}

/** A buffer for `shape` from the backend; when it cannot be had, a RangeError naming op and the shape instead of V8's. */
export function allocate(op: string, dtype: DType, shape: readonly number[], lifetime: "temporary" | "persistent" = "temporary"): TypedArray {
  const n = checkElementCount(op, shape);
  try {
    return backend.allocate(dtype, n, lifetime);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new RangeError(`${op}: cannot allocate a ${dtype} tensor of shape [${shape.join(", ")}] (${n} elements): ${e.message}`);
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Throws naming op and the value when a value has no int32 counterpart (NaN, ±Infinity, or out of range once truncated, as PyTorch truncates). */
export function checkInt32Values(op: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Math.trunc(v) >= INT32_MIN && Math.trunc(v) <= INT32_MAX)) {
      throw new Error(`${op}: value ${show(v)} (element ${i}) cannot be converted to int32 without overflow (int32 holds [${INT32_MIN}, ${INT32_MAX}])`);
    }
  }
}
