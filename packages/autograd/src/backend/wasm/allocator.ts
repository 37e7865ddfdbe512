import type { TypedArray } from "../../core/dtype";
import { SMALL_BUFFER_BYTES, SMALL_BUFFER_BLOCK_BYTES } from "../tuning";

let block = new ArrayBuffer(SMALL_BUFFER_BLOCK_BYTES);
let blockUsed = 0;

/**
 * A zero-filled buffer of `size` elements for a temporary. V8 creates a typed array with an
 * ArrayBuffer of its own about ten times slower than a view of an existing one, which dominates
 * small ops; so small buffers (the activations of an LSTM step with batch 32, hidden 256) are
 * views into shared blocks handed out front to back and never reused (a block is freed when the
 * last tensor viewing it is). A large buffer is an array of its own.
 */
export function allocateTemporary(Typed: Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor, size: number): TypedArray {
  const bytes = size * Typed.BYTES_PER_ELEMENT;
  if (bytes > SMALL_BUFFER_BYTES) return new Typed(size);
  if (blockUsed + bytes > SMALL_BUFFER_BLOCK_BYTES) {
    block = new ArrayBuffer(SMALL_BUFFER_BLOCK_BYTES);
    blockUsed = 0;
  }
  const view = new Typed(block, blockUsed, size);
  blockUsed += (bytes + 7) & ~7; // the next view starts 8-byte aligned (float64)
  return view;
}
