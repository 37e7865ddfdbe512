import { Tensor, type DType } from "@tapegrad/autograd";
import { fmt } from "./format";

/**
 * The safetensors format, as bytes (no file system, so it runs in a browser too):
 * an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { key: string } }`,
 * then the tensor data, little-endian and row-major, offsets relative to the data's start.
 */
// Every browser and Node has these; declared here because the core compiles without DOM or Node types.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };
declare const TextDecoder: new (label: string, opts: { fatal: boolean }) => { decode(bytes: Uint8Array): string };

const CODES = { float32: "F32", float64: "F64", int32: "I32" } as const;
const DTYPES: Record<string, { dtype: DType; bytes: number }> = {
  F32: { dtype: "float32", bytes: 4 },
  F64: { dtype: "float64", bytes: 8 },
  I32: { dtype: "int32", bytes: 4 },
};

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

function writeElement(view: DataView, at: number, dtype: DType, value: number): void {
  if (dtype === "float32") view.setFloat32(at, value, true);
  else if (dtype === "float64") view.setFloat64(at, value, true);
  else view.setInt32(at, value, true);
}

function readElement(view: DataView, at: number, dtype: DType): number {
  if (dtype === "float32") return view.getFloat32(at, true);
  if (dtype === "float64") return view.getFloat64(at, true);
  return view.getInt32(at, true);
}

/** Serializes tensors (any layout; written contiguous) and optional string metadata. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new Error(`encodeSafetensors: metadata value of ${JSON.stringify(k)} must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error(`encodeSafetensors: "__metadata__" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new Error(`encodeSafetensors: ${JSON.stringify(name)} is not a Tensor`);
    const size = t.numel * DTYPES[CODES[t.dtype]]!.bytes;
    header[name] = { dtype: CODES[t.dtype], shape: t.shape, data_offsets: [offset, offset + size] };
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
    const step = DTYPES[CODES[t.dtype]]!.bytes;
    for (let i = 0; i < data.length; i++, at += step) writeElement(view, at, t.dtype, data[i]!);
  }
  return out;
}

/**
 * Parses and checks a whole safetensors buffer before building any tensor, so a damaged file
 * gives one clear error and nothing else: truncation, a header length past the end, bad JSON,
 * unknown dtypes, shapes that disagree with their byte ranges, ranges outside the data,
 * overlapping ranges, or bytes that no tensor covers.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const fail = (msg: string): never => {
    throw new Error(`decodeSafetensors: ${msg}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) fail(`header length ${headerLength} goes beyond the end of the data (${bytes.length - 8} bytes after the length field); the file is truncated or not safetensors`);
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header must be a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const specs: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Object.values(raw).some((v) => typeof v !== "string")) fail("__metadata__ must map strings to strings");
      metadata = raw as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const info = typeof entry?.dtype === "string" ? DTYPES[entry.dtype] : undefined;
    if (!info) fail(`tensor ${JSON.stringify(name)} has unsupported dtype ${JSON.stringify(entry?.dtype)}; supported: ${Object.keys(DTYPES).join(", ")}`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || shape.some((s) => !Number.isSafeInteger(s) || s < 0)) fail(`tensor ${JSON.stringify(name)} has an invalid shape ${JSON.stringify(shape)}`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
      fail(`tensor ${JSON.stringify(name)} has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end] with 0 <= begin <= end)`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) fail(`tensor ${JSON.stringify(name)} has data_offsets [${begin}, ${end}] beyond the ${dataLength} data bytes (truncated file?)`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * info!.bytes;
    if (end - begin !== expected) {
      fail(`tensor ${JSON.stringify(name)} of shape ${fmt(shape as number[])} and dtype ${entry.dtype} needs ${expected} bytes, but its data_offsets [${begin}, ${end}] cover ${end - begin}`);
    }
    specs.push({ name, dtype: info!.dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  sorted.forEach((s, i) => {
    if (s.begin < covered) fail(`tensors ${JSON.stringify(sorted[i - 1]!.name)} and ${JSON.stringify(s.name)} have overlapping data_offsets`);
    if (s.begin > covered) fail(`bytes [${covered}, ${s.begin}) of the data belong to no tensor`);
    covered = s.end;
  });
  if (covered !== dataLength) fail(`bytes [${covered}, ${dataLength}) of the data belong to no tensor`);

  const tensors: Record<string, Tensor> = {};
  for (const s of specs) {
    const t = Tensor.zeros(s.shape, s.dtype);
    const step = DTYPES[CODES[s.dtype]]!.bytes;
    for (let i = 0, at = dataStart + s.begin; i < t.buf.length; i++, at += step) t.buf[i] = readElement(view, at, s.dtype);
    tensors[s.name] = t;
  }
  return { tensors, metadata };
}
