import { Tensor } from "@tapegrad/autograd";
import { entriesOf, isWellFormed, record, type Dict } from "./dict";
import { fmt } from "./format";
import { STORED, writerFor, type StorageDType, type StoredDType } from "./safetensors-dtypes";

/**
 * The safetensors format, as bytes (no file system, so it runs in a browser too):
 * an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { key: string } }`,
 * then the tensor data, little-endian and row-major, offsets relative to the data's start.
 * Names are data: any UTF-8 string, `__proto__` included.
 */
// Every browser and Node has these; declared here because the core compiles without DOM or Node types.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new (label: string, opts: { fatal: boolean }) => { decode(bytes: Uint8Array): string };

/** The largest header accepted, as in the reference implementation. */
export const MAX_HEADER_BYTES = 100_000_000;

/** What a safetensors file holds: its tensors and its metadata. */
export interface SafetensorsContents {
  /** A null-prototype object: every name is an own key. */
  tensors: Record<string, Tensor>;
  /** The `__metadata__` strings, or null when the file has none. */
  metadata: Record<string, string> | null;
}

/** Options of {@link encodeSafetensors}. */
export interface EncodeSafetensorsOptions {
  /** Store float tensors as F16 or BF16 (round to nearest, ties to even; overflow to ±inf). */
  dtype?: StorageDType;
}

/** One tensor of a checked header. */
export interface TensorSpec {
  name: string;
  code: string;
  stored: StoredDType;
  shape: number[];
  begin: number;
  end: number;
}

const q = JSON.stringify;

function checkMetadata(metadata: unknown, fn: string): Record<string, string> {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new Error(`${fn}: __metadata__ must be an object of strings to strings, got ${metadata === null ? "null" : Array.isArray(metadata) ? "an array" : typeof metadata}`);
  }
  const entries = entriesOf(metadata as Dict<unknown>, fn, "__metadata__");
  for (const [key, value] of entries) {
    if (typeof value !== "string") throw new Error(`${fn}: __metadata__ must map strings to strings, but ${q(key)} maps to ${value === null ? "null" : typeof value}`);
    if (!isWellFormed(key) || !isWellFormed(value)) throw new Error(`${fn}: __metadata__ entry ${q(key)} is not well-formed Unicode (a lone surrogate cannot be stored as UTF-8)`);
  }
  return record(entries as [string, string][]);
}

/** Serializes tensors (any layout; written contiguous) and optional string metadata. */
export function encodeSafetensors(tensors: Dict<Tensor>, metadata?: Dict<string> | null, opts: EncodeSafetensorsOptions = {}): Uint8Array {
  const fn = "encodeSafetensors";
  for (const key of Object.keys(opts)) if (key !== "dtype") throw new Error(`${fn}: unknown option ${q(key)}; expected dtype`);
  if (opts.dtype !== undefined && opts.dtype !== "float16" && opts.dtype !== "bfloat16") {
    throw new Error(`${fn}: dtype must be "float16" or "bfloat16" (or omitted to keep each tensor's dtype), got ${q(opts.dtype)}`);
  }
  const header = record<unknown>([]);
  if (metadata !== undefined && metadata !== null) header.__metadata__ = checkMetadata(metadata, fn);
  const entries = entriesOf(tensors, fn, "tensors");
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error(`${fn}: "__metadata__" is reserved and cannot name a tensor`);
    if (!isWellFormed(name)) throw new Error(`${fn}: tensor name ${q(name)} is not well-formed Unicode (a lone surrogate cannot be stored as UTF-8)`);
    if (!(t instanceof Tensor)) throw new Error(`${fn}: ${q(name)} is not a Tensor (got ${t === null ? "null" : typeof t})`);
    const writer = writerFor(t.dtype, opts.dtype);
    const size = t.numel * writer.bytes;
    header[name] = { dtype: writer.code, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of entries) {
    const data = t.data();
    const writer = writerFor(t.dtype, opts.dtype);
    for (let i = 0; i < data.length; i++, at += writer.bytes) writer.write(view, at, data[i]!);
  }
  return out;
}

/** The header length N from the first 8 bytes of a file of `total` bytes, checked against the file. */
export function headerLength(first8: Uint8Array, total: number, where: string): number {
  if (total < 8) throw new Error(`${where}: truncated: ${total} bytes is shorter than the 8-byte header length`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new Error(`${where}: header length ${n} is more than the ${MAX_HEADER_BYTES} bytes a safetensors header may have; the file is damaged or not safetensors`);
  if (n > BigInt(total - 8)) throw new Error(`${where}: header length ${n} goes beyond the end of the data (${total - 8} bytes after the length field); the file is truncated or not safetensors`);
  return Number(n);
}

/**
 * Parses and checks a whole header against a data section of `dataLength` bytes, before any
 * tensor is built: bad JSON, unknown dtypes, shapes that disagree with their byte ranges, ranges
 * outside the data, overlapping ranges, bytes that no tensor covers, malformed __metadata__.
 */
export function parseHeader(json: Uint8Array, dataLength: number, where: string): { specs: TensorSpec[]; metadata: Record<string, string> | null } {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header must be a JSON object");
  let metadata: Record<string, string> | null = null;
  const specs: TensorSpec[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(raw, where);
      continue;
    }
    const tensor = `tensor ${q(name)}`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`${tensor} must be described by { dtype, shape, data_offsets }, got ${q(raw)}`);
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const stored = typeof entry.dtype === "string" ? STORED.get(entry.dtype) : undefined;
    if (!stored) fail(`${tensor} has unsupported dtype ${q(entry.dtype)}; supported: ${[...STORED.keys()].join(", ")}`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || shape.some((s) => !Number.isSafeInteger(s) || s < 0)) fail(`${tensor} has an invalid shape ${q(shape)} (expected a list of non-negative integers)`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
      fail(`${tensor} has invalid data_offsets ${q(offsets)} (expected [begin, end] with 0 <= begin <= end)`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) fail(`${tensor} has data_offsets [${begin}, ${end}] beyond the ${dataLength} data bytes (truncated file?)`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * stored!.bytes;
    if (end - begin !== expected) {
      fail(`${tensor} of shape ${fmt(shape as number[])} and dtype ${entry.dtype} needs ${expected} bytes, but its data_offsets [${begin}, ${end}] cover ${end - begin}`);
    }
    specs.push({ name, code: entry.dtype as string, stored: stored!, shape: shape as number[], begin, end });
  }
  const sorted = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  sorted.forEach((s, i) => {
    if (s.begin < covered) fail(`tensors ${q(sorted[i - 1]!.name)} and ${q(s.name)} have overlapping data_offsets`);
    if (s.begin > covered) fail(`bytes [${covered}, ${s.begin}) of the data belong to no tensor`);
    covered = s.end;
  });
  if (covered !== dataLength) fail(`bytes [${covered}, ${dataLength}) of the data belong to no tensor`);
  return { specs, metadata };
}

/** An uninitialized tensor for spec; a size the runtime cannot allocate is an error naming the tensor. */
export function allocateTensor(spec: TensorSpec, where: string): Tensor {
  try {
    return Tensor.zeros(spec.shape, spec.stored.dtype);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const elements = spec.shape.reduce((a, b) => a * b, 1);
    throw new Error(`${where}: tensor ${q(spec.name)} of shape ${fmt(spec.shape)} (${spec.code}, ${elements} elements) is too large to allocate as ${spec.stored.dtype} (${e.message})`, { cause: e });
  }
}

/** Converts spec's bytes (exactly its data_offsets range) into t. */
export function fillTensor(t: Tensor, spec: TensorSpec, bytes: Uint8Array, where: string): Tensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { read, bytes: step, dtype } = spec.stored;
  for (let i = 0, at = 0; i < t.numel; i++, at += step) {
    const v = read(view, at);
    if (dtype === "int32" && !(v >= -2147483648 && v <= 2147483647)) {
      const exact = spec.code === "I64" ? view.getBigInt64(at, true) : v;
      throw new Error(`${where}: tensor ${q(spec.name)} (${spec.code}) has the value ${exact} at element ${i}, which does not fit int32`);
    }
    if (spec.code === "BOOL" && v > 1) throw new Error(`${where}: tensor ${q(spec.name)} (BOOL) has the byte ${v} at element ${i}; a BOOL byte must be 0 or 1`);
    t.buf[i] = v;
  }
  return t;
}

/** Parses and checks a whole safetensors buffer before building any tensor (see parseHeader). */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const where = "decodeSafetensors";
  const n = headerLength(bytes, bytes.length, where);
  const dataStart = 8 + n;
  const { specs, metadata } = parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, where);
  const tensors = record(specs.map((s): [string, Tensor] => [s.name, fillTensor(allocateTensor(s, where), s, bytes.subarray(dataStart + s.begin, dataStart + s.end), where)]));
  return { tensors, metadata };
}
