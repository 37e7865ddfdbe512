import { isTensor, tensor, type Tensor } from "@tapegrad/autograd";
import { expect } from "vitest";

export interface RefTensor {
  shape: number[];
  data: number[];
}

export const fromRef = (t: RefTensor, requiresGrad = false): Tensor => tensor(new Float64Array(t.data), { shape: t.shape, requiresGrad });

/** PyTorch keyword names as tapegrad option names: weight_decay -> weightDecay, T_max -> tMax, T_0 -> t0. */
export const camel = (kwargs: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase()), v]));

/** Throws naming the worst element when |a - e| > atol + rtol·|e| anywhere. */
export function expectAllClose(actual: Tensor, expected: RefTensor | Tensor, label: string, rtol = 1e-12, atol = 1e-15): void {
  const exp = Array.isArray((expected as RefTensor).data) ? (expected as RefTensor).data : Array.from((expected as Tensor).data());
  const got = actual.data();
  if (got.length !== exp.length) throw new Error(`${label}: ${got.length} elements, expected ${exp.length}`);
  exp.forEach((e, i) => {
    if (!(Math.abs(got[i]! - e) <= atol + rtol * Math.abs(e))) throw new Error(`${label}: element ${i} is ${got[i]}, expected ${e}`);
  });
}

/**
 * A state dict equals PyTorch's (tensors written as { shape, data }, 0-d tensors as numbers):
 * the same keys everywhere, options equal, numbers and tensors within rtol.
 */
export function expectStateDict(actual: unknown, expected: unknown, label: string, rtol = 1e-12, atol = 1e-15): void {
  if (isTensor(actual)) {
    expect(actual.shape, label).toEqual((expected as RefTensor).shape);
    expectAllClose(actual, expected as RefTensor, label, rtol, atol);
  } else if (typeof actual === "number" && typeof expected === "number") {
    if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) throw new Error(`${label}: ${actual}, PyTorch ${expected}`);
  } else if (Array.isArray(actual)) {
    expect(Array.isArray(expected) && expected.length, label).toBe(actual.length);
    actual.forEach((v, i) => expectStateDict(v, (expected as unknown[])[i], `${label}[${i}]`, rtol, atol));
  } else if (typeof actual === "object" && actual !== null) {
    expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected as object).sort());
    for (const [k, v] of Object.entries(actual)) expectStateDict(v, (expected as Record<string, unknown>)[k], `${label}.${k}`, rtol, atol);
  } else {
    expect(actual, label).toEqual(expected);
  }
}
