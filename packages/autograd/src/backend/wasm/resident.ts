import type { TypedArray } from "../../core/dtype";
import { PAGE, type WasmMemory } from "./instance";
import { RESIDENT_LIMIT_BYTES } from "../tuning";

// Long-lived tensors (a model's parameters) can live in the WebAssembly memory the worker-thread
// matmul runs in (./pool), so a product reads a weight where it is instead of copying it in at
// every step of a sequence. Blocks are handed out from the bottom of that memory, above its first
// page; each product's scratch starts above the last block. A block is reused once the typed
// array viewing it has been garbage-collected.

/** The shared memory may grow to 2 GiB (the threaded module's declared maximum is 32768 pages). */
export const MAX_BYTES = 32768 * PAGE;

interface SharedMemoryApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}

let memory: WasmMemory | null | undefined;
/** The buffers the memory has had (growing a shared memory gives a new, longer one). */
const buffers = new WeakSet<object>();
const free = new Map<number, number[]>();
let end = PAGE;
const released = new FinalizationRegistry<{ at: number; bytes: number }>(({ at, bytes }) => {
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(at);
});

/** The shared memory, created on first use; null where shared WebAssembly memory is unavailable. */
export function sharedMemory(): WasmMemory | null {
  if (memory === undefined) {
    const api = (globalThis as { WebAssembly?: SharedMemoryApi }).WebAssembly;
    try {
      memory = api && typeof SharedArrayBuffer === "function" ? new api.Memory({ initial: 2, maximum: MAX_BYTES / PAGE, shared: true }) : null;
    } catch {
      memory = null;
    }
  }
  return memory;
}

/** The first byte above every resident block: where a product's scratch may start. */
export function residentEnd(): number {
  return end;
}

/** Whether `buf` views the shared memory (its byteOffset is then its address there). */
export function isResident(buf: TypedArray): boolean {
  return buffers.has(buf.buffer);
}

/**
 * A zero-filled array of `length` elements in the shared memory, or null when there is none or
 * the resident region is full.
 */
export function allocateResident(Typed: Float32ArrayConstructor | Float64ArrayConstructor, length: number): Float32Array | Float64Array | null {
  const mem = sharedMemory();
  if (!mem || length === 0) return null;
  const bytes = (length * Typed.BYTES_PER_ELEMENT + 63) & ~63;
  let at = free.get(bytes)?.pop();
  if (at === undefined) {
    if (end + bytes > RESIDENT_LIMIT_BYTES) return null;
    at = end;
    end += bytes;
    if (end > mem.buffer.byteLength) mem.grow(Math.ceil((end - mem.buffer.byteLength) / PAGE));
  }
  const buffer = mem.buffer;
  buffers.add(buffer);
  const view = new Typed(buffer, at, length);
  view.fill(0);
  released.register(view, { at, bytes }, view);
  return view;
}

/** Returns a block from allocateResident for reuse now; `view` must not be used afterwards. */
export function releaseResident(view: Float32Array | Float64Array): void {
  if (!released.unregister(view)) return;
  const bytes = (view.byteLength + 63) & ~63;
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(view.byteOffset);
}
