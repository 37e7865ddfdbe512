import { describeValue, isTensor, stack, tensor, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";

/** What defaultCollate makes of a batch of T: tensors and numbers stack, structures map. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[] | Record<string, unknown>
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : never;

/** A batch of numbers as a 1-d tensor: int32 when every number is an integer, else float32. */
function numbersToTensor(values: number[], where: string): Tensor {
  const integers = values.every(Number.isInteger);
  const big = values.findIndex((v) => integers && Math.abs(v) > 2 ** 31 - 1);
  if (big >= 0) throw new Error(`defaultCollate: item ${big}${where} is the integer ${values[big]}, outside int32 (there is no int64); put such numbers in a float64 tensor`);
  return tensor(values, { dtype: integers ? "int32" : "float32" });
}

function kindOf(x: unknown): string {
  if (isTensor(x)) return "tensor";
  if (Array.isArray(x)) return "array";
  if (x === null || typeof x !== "object") return x === null ? "null" : typeof x;
  const proto = Object.getPrototypeOf(x) as object | null;
  return proto === Object.prototype || proto === null ? "object" : `a ${x.constructor?.name ?? "class instance"}`;
}

function collateAt(batch: readonly unknown[], where: string): unknown {
  const first = batch[0];
  const k = kindOf(first);
  batch.forEach((item, i) => {
    if (kindOf(item) !== k) throw new Error(`defaultCollate: item ${i}${where} is ${kindOf(item)} but item 0${where} is ${k}`);
  });
  if (k === "tensor") {
    const ts = batch as Tensor[];
    const bad = ts.findIndex((t) => t.shape.join() !== ts[0]!.shape.join() || t.dtype !== ts[0]!.dtype);
    if (bad >= 0) {
      throw new Error(`defaultCollate: item ${bad}${where} is a ${ts[bad]!.dtype} tensor of shape ${fmt(ts[bad]!.shape)} but item 0${where} is ${ts[0]!.dtype} ${fmt(ts[0]!.shape)}; pad variable-length items (padCollate) or pass a collate`);
    }
    return stack(ts, 0);
  }
  if (k === "number") return numbersToTensor(batch as number[], where);
  if (k === "string") return [...(batch as string[])];
  if (k === "array") {
    const arrays = batch as unknown[][];
    const bad = arrays.findIndex((a) => a.length !== arrays[0]!.length);
    if (bad >= 0) throw new Error(`defaultCollate: item ${bad}${where} has ${arrays[bad]!.length} elements but item 0${where} has ${arrays[0]!.length}; every item must have the same size`);
    return arrays[0]!.map((_, j) => collateAt(arrays.map((a) => a[j]), `${where}[${j}]`));
  }
  if (k === "object") {
    const records = batch as Record<string, unknown>[];
    return Object.fromEntries(Object.keys(records[0]!).map((key) => {
      const missing = records.findIndex((r) => !(key in r));
      if (missing >= 0) throw new Error(`defaultCollate: item ${missing}${where} has no key "${key}" that item 0 has`);
      return [key, collateAt(records.map((r) => r[key]), `${where}.${key}`)];
    }));
  }
  throw new Error(`defaultCollate: cannot collate ${k}${where}; expected tensors, numbers, strings, arrays or objects of these`);
}

/**
 * torch.utils.data's default_collate: tensors are stacked along a new dim 0, numbers become a 1-d
 * tensor, strings are kept as a list, and arrays (tuples) and objects are collated element-wise
 * (key-wise), so a batch of [x, y] pairs becomes [stack of x, stack of y].
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  if (!Array.isArray(batch)) throw new Error(`defaultCollate: batch must be an array of items, got ${describeValue(batch)}`);
  if (batch.length === 0) throw new Error("defaultCollate: expected a non-empty batch");
  return collateAt(batch, "") as Collated<T>;
}
