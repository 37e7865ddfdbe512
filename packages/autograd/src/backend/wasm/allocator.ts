import type { TypedArray } from "../../core/dtype";
import type { BackwardScope } from "../backend";
import { REUSED_BYTES_LIMIT, SMALL_BUFFER_BYTES, SMALL_BUFFER_BLOCK_BYTES } from "../tuning";

type TypedConstructor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

let block = new ArrayBuffer(SMALL_BUFFER_BLOCK_BYTES);
let blockUsed = 0;
/** The current block was reused: each view carved from it is cleared first. */
let blockDirty = false;

/** Large buffers and blocks a finished backward allocated and nothing holds any more, by byte length. */
const reusable = new Map<number, ArrayBuffer[]>();
/**
 * The large buffers and blocks allocated since the open backward scope began, up to
 * REUSED_BYTES_LIMIT (recording holds them to the backward's end, which raises the peak by as
 * much), or null outside one. `nested`: a backward ran inside it, so it records nothing more.
 */
let recording: Recording | null = null;
interface Recording {
  buffers: ArrayBuffer[];
  bytes: number;
  nested: boolean;
}

function record(buffer: ArrayBuffer): void {
  if (!recording || recording.nested || recording.bytes + buffer.byteLength > REUSED_BYTES_LIMIT) return;
  recording.buffers.push(buffer);
  recording.bytes += buffer.byteLength;
}

/**
 * A zero-filled buffer of `size` elements for a temporary. V8 creates a typed array with an
 * ArrayBuffer of its own about ten times slower than a view of an existing one, which dominates
 * small ops; so small buffers (the activations of an LSTM step with batch 32, hidden 256) are
 * views into shared blocks handed out front to back (a block is freed when the last tensor
 * viewing it is). A large buffer, and a block, is one a finished backward left (bench README
 * item 30) if there is one, else fresh.
 */
export function allocateTemporary(Typed: TypedConstructor, size: number): TypedArray {
  const bytes = size * Typed.BYTES_PER_ELEMENT;
  if (bytes > SMALL_BUFFER_BYTES) {
    const reused = reusable.get(bytes)?.pop();
    const array = reused ? new Typed(reused).fill(0) : new Typed(size);
    record(array.buffer as ArrayBuffer);
    return array;
  }
  if (blockUsed + bytes > SMALL_BUFFER_BLOCK_BYTES) {
    const reused = reusable.get(SMALL_BUFFER_BLOCK_BYTES)?.pop();
    block = reused ?? new ArrayBuffer(SMALL_BUFFER_BLOCK_BYTES);
    blockDirty = reused !== undefined;
    blockUsed = 0;
    record(block);
  }
  const view = new Typed(block, blockUsed, size);
  if (blockDirty) view.fill(0);
  blockUsed += (bytes + 7) & ~7; // the next view starts 8-byte aligned (float64)
  return view;
}

/**
 * Records the large temporaries and the blocks of small ones a backward allocates; when it ends,
 * those no surviving tensor views become the next allocations of their size (replacing what the last backward left
 * unclaimed, so sizes nothing asks for again do not pile up). A backward inside a backward
 * (checkpointing) records nothing of its own, and makes the outer one reuse nothing.
 */
export function beginBackward(): BackwardScope {
  if (recording) {
    recording.nested = true;
    recording.buffers = [];
    return { end: () => {} };
  }
  const scope: Recording = { buffers: [], bytes: 0, nested: false };
  recording = scope;
  return {
    end(kept) {
      recording = null;
      if (!kept || scope.nested) return;
      // the block still being carved goes on serving allocations after the backward
      const survivors = new Set<ArrayBufferLike>([block]);
      for (const t of kept) survivors.add(t.buf.buffer);
      reusable.clear();
      for (const buffer of scope.buffers) {
        if (survivors.has(buffer)) continue;
        let list = reusable.get(buffer.byteLength);
        if (!list) reusable.set(buffer.byteLength, (list = []));
        list.push(buffer);
      }
    },
  };
}

/** Bytes of large buffers waiting for reuse. */
export function reusableBytes(): number {
  let bytes = 0;
  for (const list of reusable.values()) for (const buffer of list) bytes += buffer.byteLength;
  return bytes;
}

