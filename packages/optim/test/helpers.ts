import { tensor, type Tensor } from "@tapegrad/autograd";

export interface RefTensor {
  shape: number[];
  data: number[];
}

export const fromRef = (t: RefTensor, requiresGrad = false): Tensor => tensor(new Float64Array(t.data), { shape: t.shape, requiresGrad });

/** PyTorch keyword names as tapegrad option names: weight_decay -> weightDecay, T_max -> tMax. */
export const camel = (kwargs: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase()), v]));

/** Throws naming the worst element when |a - e| > atol + rtol·|e| anywhere. */
export function expectAllClose(actual: Tensor, expected: RefTensor | Tensor, label: string, rtol = 1e-12, atol = 1e-15): void {
  const exp = Array.isArray((expected as RefTensor).data) ? (expected as RefTensor).data : Array.from((expected as Tensor).data());
  const got = actual.data();
  if (got.length !== exp.length) throw new Error(`${label}: ${got.length} elements, expected ${exp.length}`);
  exp.forEach((e, i) => {
    if (!(Math.abs(got[i]! - e) <= atol + rtol * Math.abs(e))) throw new Error(`${label}: element ${i} is ${got[i]}, expected ${e}`);
  });
}
