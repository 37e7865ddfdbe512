import { tensor, type Tensor } from "@tapegrad/autograd";
import { ELEM_TYPE, type AttributeValue, type NodeMessage, type TensorMessage } from "./proto";

export type OnnxElem = keyof typeof ELEM_TYPE;

export function elemType(dtype: string): number {
  const code = ELEM_TYPE[dtype as OnnxElem];
  if (code === undefined) throw new Error(`exportOnnx: tensors of dtype ${dtype} cannot be exported`);
  return code;
}

/** The nodes and initializers of an ONNX graph being built, with unique value names. */
export class OnnxGraph {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private readonly used = new Set<string>();

  constructor(readonly opset: number) {}

  /** A value name not used yet, from base. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node; returns the names of its outputs (an empty name marks an unused optional output). */
  add(opType: string, input: readonly string[], attributes: Record<string, AttributeValue> = {}, outputs = 1): string[] {
    const out = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ name: this.fresh(`${opType}_node`), opType, input, output: out, attributes });
    return out;
  }

  one(opType: string, input: readonly string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.add(opType, input, attributes)[0]!;
  }

  /** A tensor's current values as an initializer. */
  constant(t: Tensor, base: string): string {
    const name = this.fresh(base);
    const data = t.contiguous().data();
    this.initializers.push({ name, dims: [...t.shape], dataType: elemType(t.dtype), rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  }

  /** A 0-d initializer of one value. */
  scalar(value: number, dtype: Tensor["dtype"], base: string): string {
    return this.constant(tensor(value, { dtype }), base);
  }

  /** An int64 initializer (shapes, axes, slice bounds). */
  int64s(values: readonly number[], base: string): string {
    const name = this.fresh(base);
    // ±2^63 (slice to the end) is beyond a double's exact integers
    const raw = new BigInt64Array(values.map((v) => (v >= 2 ** 63 ? 2n ** 63n - 1n : v <= -(2 ** 63) ? -(2n ** 63n) : BigInt(v))));
    this.initializers.push({ name, dims: [values.length], dataType: ELEM_TYPE.int64, rawData: new Uint8Array(raw.buffer) });
    return name;
  }
}
