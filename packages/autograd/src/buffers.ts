import type { DType, TypedArray } from "./dtype";

/** Buffers up to this many bytes are carved from a shared block instead of getting their own. */
const SMALL_BYTES = 32 * 1024;
const BLOCK_BYTES = 256 * 1024;
let block = new ArrayBuffer(BLOCK_BYTES);
let blockUsed = 0;

/** Large buffers a backward pass has finished with, by byte length, kept for the next allocations. */
const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
/** At most this many bytes wait in `free`; the rest is left to the garbage collector. */
const FREE_LIMIT = 256 * 1024 * 1024;
/** The large buffers allocated since recordAllocations(), or null when nothing records. */
let recorded: ArrayBuffer[] | null = null;
/** Set when a second recording was asked for inside the first (a backward inside a backward). */
let nested = false;

/**
 * A buffer of `size` elements, zero-filled unless `zeroed` is false (the caller writes every
 * element). V8 creates a typed array with an ArrayBuffer of its
 * own about ten times slower than a view of an existing one, which dominates small ops; so small
 * buffers (up to 32 KB: the activations of an LSTM step with batch 32, hidden 256) are views into
 * 256 KB blocks handed out front to back and never reused (a block is freed when the last tensor
 * viewing it is). A large buffer is fresh memory (page faults, and work for the collector) unless
 * one of the same size was released by a backward pass.
 */
export function allocate(dtype: DType, size: number, zeroed = true): TypedArray {
  const Typed = dtype === "float32" ? Float32Array : dtype === "float64" ? Float64Array : Int32Array;
  const bytes = size * Typed.BYTES_PER_ELEMENT;
  if (bytes > SMALL_BYTES) {
    const reused = free.get(bytes)?.pop();
    if (reused) freeBytes -= bytes;
    const array = reused ? (zeroed ? new Typed(reused).fill(0) : new Typed(reused)) : new Typed(size);
    recorded?.push(array.buffer as ArrayBuffer);
    return array;
  }
  if (blockUsed + bytes > BLOCK_BYTES) {
    block = new ArrayBuffer(BLOCK_BYTES);
    blockUsed = 0;
  }
  const view = new Typed(block, blockUsed, size);
  blockUsed += (bytes + 7) & ~7; // the next view starts 8-byte aligned (float64)
  return view;
}

/**
 * Starts recording the large buffers allocated from here on (a backward pass, whose gradient
 * buffers nothing outside it holds once it is over). Returns false, and records nothing, if a
 * recording is already under way.
 */
export function recordAllocations(): boolean {
  if (recorded) {
    nested = true; // the inner backward's .grad buffers are unknown to the outer one: keep them all
    return false;
  }
  recorded = [];
  return true;
}

/**
 * Ends the recording. With `release`, the recorded buffers except `kept` become free for later
 * allocations of the same size (the caller vouches that nothing else views them), and those an
 * earlier release left unclaimed are dropped: sizes nothing asks for again (a batch of another
 * length) do not pile up.
 */
export function endRecording(release: boolean, kept: ReadonlySet<ArrayBufferLike>): void {
  const buffers = recorded ?? [];
  recorded = null;
  if (nested) release = nested = false;
  if (!release) return;
  free.clear();
  freeBytes = 0;
  for (const buffer of buffers) {
    if (kept.has(buffer) || freeBytes + buffer.byteLength > FREE_LIMIT) continue;
    let list = free.get(buffer.byteLength);
    if (!list) free.set(buffer.byteLength, (list = []));
    list.push(buffer);
    freeBytes += buffer.byteLength;
  }
}

/** Bytes of released buffers waiting for reuse (for tests and memory accounting). */
export function releasedBytes(): number {
  return freeBytes;
}
