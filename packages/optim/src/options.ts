import { describeValue } from "@tapegrad/autograd";

/** Option checks shared by the optimizers and schedulers; each error names its owner. */

export function requireNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${owner}: ${name} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

export function requireNonNegative(owner: string, name: string, value: unknown): number {
  const v = requireNumber(owner, name, value);
  if (v < 0) throw new Error(`${owner}: ${name} must be >= 0, got ${v}`);
  return v;
}

/** A number in [lo, hi) (or [lo, hi] when closed). */
export function requireInRange(owner: string, name: string, value: unknown, lo: number, hi: number, closed = false): number {
  const v = requireNumber(owner, name, value);
  if (v < lo || (closed ? v > hi : v >= hi)) throw new Error(`${owner}: ${name} must be in [${lo}, ${hi}${closed ? "]" : ")"}, got ${v}`);
  return v;
}

export function requirePositiveInteger(owner: string, name: string, value: unknown): number {
  const v = requireNumber(owner, name, value);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${owner}: ${name} must be a positive integer, got ${v}`);
  return v;
}

export function requireBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new Error(`${owner}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

/** Throws on option names the owner does not know, so a misspelt option is not silently ignored. */
export function rejectUnknownKeys(owner: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new Error(`${owner}: unknown option '${key}'; expected one of ${known.join(", ")}`);
  }
}

/** A pair [a, b] of finite numbers, such as betas or etas. */
export function requirePair(owner: string, name: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) throw new Error(`${owner}: ${name} must be a pair [a, b], got ${JSON.stringify(value)}`);
  return [requireNumber(owner, `${name}[0]`, value[0]), requireNumber(owner, `${name}[1]`, value[1])];
}

/** Adam-style betas: a pair of numbers in [0, 1). */
export function requireBetas(owner: string, betas: unknown): void {
  requirePair(owner, "betas", betas);
  requireInRange(owner, "betas[0]", (betas as number[])[0], 0, 1);
  requireInRange(owner, "betas[1]", (betas as number[])[1], 0, 1);
}

export function requirePositive(owner: string, name: string, value: unknown): number {
  const v = requireNumber(owner, name, value);
  if (v <= 0) throw new Error(`${owner}: ${name} must be > 0, got ${v}`);
  return v;
}
