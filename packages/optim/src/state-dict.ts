import { isTensor, noGrad, type Tensor } from "@tapegrad/autograd";

/**
 * A value in an optimizer's or scheduler's state dict: plain JSON values plus Tensors (copies), so
 * a checkpoint writer can put the tensors in a safetensors file and the rest in JSON.
 */
export type StateValue = Tensor | number | string | boolean | null | StateValue[] | { [key: string]: StateValue };

/** What one state entry must be when loaded: a number, a tensor shaped like its parameter, or that tensor or null. */
export type StateKind = "number" | "tensor" | "tensorOrNull";

export const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const camelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isTensor(value);
}

export function describeValue(value: unknown): string {
  if (isTensor(value)) return `a ${value.dtype} Tensor of shape [${value.shape}]`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** A deep copy: tensors cloned (detached), arrays and objects copied, the rest as is. */
export function copyValue<T>(value: T): T {
  if (isTensor(value)) return noGrad(() => value.detach().clone()) as T;
  if (Array.isArray(value)) return value.map(copyValue) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyValue(v)])) as T;
  return value;
}

/** Throws unless `value` is a float tensor of `shape`; returns a copy in `dtype`. */
export function loadTensor(where: string, value: unknown, shape: readonly number[], dtype: string): Tensor {
  if (!isTensor(value)) throw new Error(`${where}: expected a Tensor of shape [${shape}], got ${describeValue(value)}`);
  if (value.dtype !== "float32" && value.dtype !== "float64") throw new Error(`${where}: expected a float32 or float64 Tensor, got ${value.dtype}`);
  if (value.shape.length !== shape.length || value.shape.some((s, d) => s !== shape[d])) {
    throw new Error(`${where}: expected a Tensor of shape [${shape}], got shape [${value.shape}]`);
  }
  return noGrad(() => (value.dtype === dtype ? value.detach().clone() : value.to(dtype as "float32" | "float64")));
}

export function loadNumber(where: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) throw new Error(`${where}: expected a number, got ${describeValue(value)}`);
  return value;
}

/** Throws on keys outside `known` and on missing `required` keys, naming the first one. */
export function checkKeys(where: string, given: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): void {
  for (const key of Object.keys(given)) {
    if (!required.includes(key) && !optional.includes(key)) throw new Error(`${where}: unexpected key '${key}'; expected ${[...required, ...optional].join(", ")}`);
  }
  for (const key of required) if (!(key in given)) throw new Error(`${where}: missing key '${key}'`);
}
