import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

declare const TextEncoder: new () => { encode(text: string): Uint8Array };

/**
 * ONNX messages (onnx.proto, IR version 8) written with @bufbuild/protobuf's binary writer. Only
 * the fields tapegrad fills are here, with the field numbers of the official schema.
 */

/** TensorProto.DataType codes for the element types tapegrad exports. */
export const ELEM_TYPE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;
/** AttributeProto.AttributeType codes. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;

export interface TensorMessage {
  name: string;
  dims: readonly number[];
  dataType: number;
  rawData: Uint8Array;
}
export type AttributeValue = number | string | { floats: readonly number[] } | { ints: readonly number[] } | { strings: readonly string[] } | { float: number };
export interface NodeMessage {
  name: string;
  opType: string;
  input: readonly string[];
  output: readonly string[];
  attributes: Readonly<Record<string, AttributeValue>>;
}
export interface ValueInfoMessage {
  name: string;
  elemType: number;
  dims: readonly (number | string)[];
}
export interface ModelMessage {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  graph: { name: string; nodes: readonly NodeMessage[]; initializers: readonly TensorMessage[]; inputs: readonly ValueInfoMessage[]; outputs: readonly ValueInfoMessage[] };
}

type Write = (w: BinaryWriter) => void;
const LEN = WireType.LengthDelimited;
const message = (w: BinaryWriter, field: number, body: Write) => {
  w.tag(field, LEN).fork();
  body(w);
  w.join();
};

function tensor(w: BinaryWriter, t: TensorMessage): void {
  for (const d of t.dims) w.tag(1, WireType.Varint).int64(d);
  w.tag(2, WireType.Varint).int32(t.dataType);
  w.tag(8, LEN).string(t.name);
  w.tag(9, LEN).bytes(t.rawData);
}

function attribute(w: BinaryWriter, name: string, v: AttributeValue): void {
  w.tag(1, LEN).string(name);
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Error(`exportOnnx: attribute ${name} = ${v} must be an integer (use { float } for a float)`);
    w.tag(3, WireType.Varint).int64(v).tag(20, WireType.Varint).int32(ATTR_TYPE.int);
  } else if (typeof v === "string") w.tag(4, LEN).bytes(new TextEncoder().encode(v)).tag(20, WireType.Varint).int32(ATTR_TYPE.string);
  else if ("float" in v) w.tag(2, WireType.Bit32).float(v.float).tag(20, WireType.Varint).int32(ATTR_TYPE.float);
  else if ("floats" in v) {
    for (const f of v.floats) w.tag(7, WireType.Bit32).float(f);
    w.tag(20, WireType.Varint).int32(ATTR_TYPE.floats);
  } else if ("strings" in v) {
    for (const t of v.strings) w.tag(9, LEN).bytes(new TextEncoder().encode(t));
    w.tag(20, WireType.Varint).int32(ATTR_TYPE.strings);
  } else {
    for (const i of v.ints) w.tag(8, WireType.Varint).int64(i);
    w.tag(20, WireType.Varint).int32(ATTR_TYPE.ints);
  }
}

function node(w: BinaryWriter, n: NodeMessage): void {
  for (const i of n.input) w.tag(1, LEN).string(i);
  for (const o of n.output) w.tag(2, LEN).string(o);
  w.tag(3, LEN).string(n.name);
  w.tag(4, LEN).string(n.opType);
  for (const [k, v] of Object.entries(n.attributes)) message(w, 5, (a) => attribute(a, k, v));
}

function valueInfo(w: BinaryWriter, v: ValueInfoMessage): void {
  w.tag(1, LEN).string(v.name);
  message(w, 2, (type) =>
    message(type, 1, (tt) => {
      tt.tag(1, WireType.Varint).int32(v.elemType);
      message(tt, 2, (shape) => {
        for (const d of v.dims) message(shape, 1, (dim) => (typeof d === "number" ? dim.tag(1, WireType.Varint).int64(d) : dim.tag(2, LEN).string(d)));
      });
    }),
  );
}

/** The serialized ModelProto. */
export function encodeModel(m: ModelMessage): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(m.irVersion);
  w.tag(2, LEN).string(m.producerName);
  w.tag(3, LEN).string(m.producerVersion);
  message(w, 7, (g) => {
    for (const n of m.graph.nodes) message(g, 1, (x) => node(x, n));
    g.tag(2, LEN).string(m.graph.name);
    for (const t of m.graph.initializers) message(g, 5, (x) => tensor(x, t));
    for (const v of m.graph.inputs) message(g, 11, (x) => valueInfo(x, v));
    for (const v of m.graph.outputs) message(g, 12, (x) => valueInfo(x, v));
  });
  message(w, 8, (o) => o.tag(1, LEN).string("").tag(2, WireType.Varint).int64(m.opset));
  return w.finish();
}

/** The IR version and the opset imports (domain -> version) of a serialized ModelProto. */
export function readModelVersions(bytes: Uint8Array): {
  /** The ONNX IR version. */
  irVersion: number;
  /** Opset version by domain ("" for the default domain). */
  opsets: Record<string, number>;
} {
  const r = new BinaryReader(bytes);
  let irVersion = 0;
  const opsets: Record<string, number> = {};
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1) irVersion = Number(r.int64());
    else if (field === 8) {
      const sub = new BinaryReader(r.bytes());
      let domain = "";
      let version = 0;
      while (sub.pos < sub.len) {
        const [f, t] = sub.tag();
        if (f === 1) domain = sub.string();
        else if (f === 2) version = Number(sub.int64());
        else sub.skip(t);
      }
      opsets[domain] = version;
    } else r.skip(type);
  }
  return { irVersion, opsets };
}
