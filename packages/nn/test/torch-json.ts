import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { tensor, type DType, type Tensor } from "@tapegrad/autograd";

/** A tensor in a generator script's JSON; non-finite numbers are the strings "inf", "-inf", "nan". */
export interface JsonTensor {
  shape: number[];
  data: (number | string)[];
}

export function readJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

const decode = (v: number | string): number => (typeof v === "number" ? v : v === "inf" ? Infinity : v === "-inf" ? -Infinity : NaN);

export function fromJson(t: JsonTensor, dtype: DType = "float64", requiresGrad = false): Tensor {
  return tensor(t.data.map(decode), { shape: t.shape, dtype, requiresGrad });
}

/** Elementwise |actual - expected| <= atol + rtol |expected|; non-finite entries must be the same (NaN where NaN). */
export function expectMatches(actual: Tensor | null, expected: JsonTensor, label: string, rtol = 1e-9, atol = 1e-12): void {
  expect(actual, label).not.toBeNull();
  expect(actual!.shape, `${label}: shape`).toEqual(expected.shape);
  const got = actual!.data();
  expected.data.map(decode).forEach((e, i) => {
    const g = got[i]!;
    if (!Number.isFinite(e)) expect(Object.is(g, e) || (Number.isNaN(e) && Number.isNaN(g)), `${label}[${i}]: ${g}, expected ${e}`).toBe(true);
    else expect(Math.abs(g - e), `${label}[${i}]: ${g}, expected ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  });
}
