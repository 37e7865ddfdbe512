export type DType = "float32" | "float64" | "int32";
export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** Buffers up to this many bytes are carved from a shared block instead of getting their own. */
const SMALL_BYTES = 32 * 1024;
const BLOCK_BYTES = 256 * 1024;
let block = new ArrayBuffer(BLOCK_BYTES);
let blockUsed = 0;

/**
 * A zero-filled buffer of `size` elements. V8 creates a typed array with an ArrayBuffer of its
 * own about ten times slower than a view of an existing one, which dominates small ops; so small
 * buffers (up to 32 KB: the activations of an LSTM step with batch 32, hidden 256) are views into
 * 256 KB blocks handed out front to back and never reused (a block is
 * freed when the last tensor viewing it is).
 */
export function allocate(dtype: DType, size: number): TypedArray {
  const Typed = dtype === "float32" ? Float32Array : dtype === "float64" ? Float64Array : Int32Array;
  const bytes = size * Typed.BYTES_PER_ELEMENT;
  if (bytes > SMALL_BYTES) return new Typed(size);
  if (blockUsed + bytes > BLOCK_BYTES) {
    block = new ArrayBuffer(BLOCK_BYTES);
    blockUsed = 0;
  }
  const view = new Typed(block, blockUsed, size);
  blockUsed += (bytes + 7) & ~7; // the next view starts 8-byte aligned (float64)
  return view;
}

export function dtypeOf(array: TypedArray): DType {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  return "int32";
}

export function isFloat(dtype: DType): boolean {
  return dtype !== "int32";
}

export function checkDType(dtype: unknown, op: string): DType {
  if (dtype === "float32" || dtype === "float64" || dtype === "int32") return dtype;
  throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected "float32", "float64" or "int32"`);
}
