/** The element types: 32- and 64-bit floats, 32-bit integers, and bool (0/1 bytes). */
export type DType = "float32" | "float64" | "int32" | "bool";
/** The typed arrays that back tensors: Float32Array, Float64Array, Int32Array, Uint8Array (bool). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every {@link DType}. */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export function dtypeOf(array: TypedArray): DType {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  if (array instanceof Uint8Array) return "bool";
  return "int32";
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function checkDType(dtype: unknown, op: string): DType {
  if (dtype === "float32" || dtype === "float64" || dtype === "int32" || dtype === "bool") return dtype;
  throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected "float32", "float64", "int32" or "bool"`);
}
