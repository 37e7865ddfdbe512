import type { DType } from "@tapegrad/autograd";
import { BF16, F16, decodeBits, encodeBits } from "./halffloat";

/** How a safetensors dtype is stored, and the tapegrad dtype it is read into. */
export interface StoredDType {
  bytes: number;
  dtype: DType;
  read(view: DataView, at: number): number;
}

/**
 * Readable dtypes. Floats keep their precision (F16 and BF16 widen exactly to float32); integers
 * become int32 (I64 only if the value fits); BOOL becomes a float32 0/1 mask, the form the
 * comparison ops give and the one that multiplies into activations.
 */
export const STORED: ReadonlyMap<string, StoredDType> = new Map<string, StoredDType>([
  ["F64", { bytes: 8, dtype: "float64", read: (v, at) => v.getFloat64(at, true) }],
  ["F32", { bytes: 4, dtype: "float32", read: (v, at) => v.getFloat32(at, true) }],
  ["F16", { bytes: 2, dtype: "float32", read: (v, at) => decodeBits(v.getUint16(at, true), F16) }],
  ["BF16", { bytes: 2, dtype: "float32", read: (v, at) => decodeBits(v.getUint16(at, true), BF16) }],
  ["I64", { bytes: 8, dtype: "int32", read: (v, at) => Number(v.getBigInt64(at, true)) }],
  ["I32", { bytes: 4, dtype: "int32", read: (v, at) => v.getInt32(at, true) }],
  ["I16", { bytes: 2, dtype: "int32", read: (v, at) => v.getInt16(at, true) }],
  ["I8", { bytes: 1, dtype: "int32", read: (v, at) => v.getInt8(at) }],
  ["U8", { bytes: 1, dtype: "int32", read: (v, at) => v.getUint8(at) }],
  ["BOOL", { bytes: 1, dtype: "float32", read: (v, at) => v.getUint8(at) }],
]);

/** What encodeSafetensors may store float tensors as, besides their own dtype. */
export type StorageDType = "float16" | "bfloat16";

interface Writer {
  code: string;
  bytes: number;
  write(view: DataView, at: number, value: number): void;
}

const WRITERS: Record<DType | StorageDType, Writer> = {
  float64: { code: "F64", bytes: 8, write: (v, at, x) => v.setFloat64(at, x, true) },
  float32: { code: "F32", bytes: 4, write: (v, at, x) => v.setFloat32(at, x, true) },
  int32: { code: "I32", bytes: 4, write: (v, at, x) => v.setInt32(at, x, true) },
  bool: { code: "BOOL", bytes: 1, write: (v, at, x) => v.setUint8(at, x) },
  float16: { code: "F16", bytes: 2, write: (v, at, x) => v.setUint16(at, encodeBits(x, F16), true) },
  bfloat16: { code: "BF16", bytes: 2, write: (v, at, x) => v.setUint16(at, encodeBits(x, BF16), true) },
};

/** The writer of a tensor: its own dtype, or the requested 16-bit format for float tensors. */
export function writerFor(dtype: DType, storage: StorageDType | undefined): Writer {
  return WRITERS[storage && (dtype === "float32" || dtype === "float64") ? storage : dtype];
}
