import { expect } from "vitest";

/** Equal shapes and |actual - expected| <= atol + rtol·|expected| everywhere; the message names the worst element. */
export function expectAllClose(actual: { shape: readonly number[]; data: ArrayLike<number> }, expected: { shape: readonly number[]; data: ArrayLike<number> }, rtol = 1e-5, atol = 1e-6): void {
  expect([...actual.shape]).toEqual([...expected.shape]);
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const over = Math.abs(actual.data[i]! - expected.data[i]!) - (atol + rtol * Math.abs(expected.data[i]!));
    if (!(over <= excess)) [excess, worst] = [over, i];
  }
  expect(worst === -1 ? "ok" : `element ${worst}: ${actual.data[worst]} vs ${expected.data[worst]}`).toBe("ok");
}
