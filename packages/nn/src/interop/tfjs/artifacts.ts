import { tensor, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../../format";

/** One entry of a TF.js weight manifest: where a tensor sits in the concatenated weight bytes. */
export interface WeightSpec {
  /** The weight's Keras name. */
  name: string;
  /** Its shape. */
  shape: number[];
  /** Its element type (only float32 is read). */
  dtype: "float32" | "int32" | "bool" | string;
  /** Quantization parameters (quantized weights are not supported). */
  quantization?: unknown;
}

/** A Keras layer as TF.js serializes it (functional models add name and inbound_nodes). */
export interface KerasLayerJSON {
  /** The Keras class, e.g. "Dense". */
  class_name: string;
  /** The layer's configuration. */
  config: Record<string, unknown>;
  /** The layer's name (functional models). */
  name?: string;
  /** The layers it reads from (functional models). */
  inbound_nodes?: [string, number, number, Record<string, unknown>?][][];
}

/** TF.js's ModelArtifacts as `model.save(tf.io.withSaveHandler(...))` hands them over. */
export interface ModelArtifacts {
  /** The Keras model JSON. */
  modelTopology:
    | {
        /** "Sequential" or "Model". */
        class_name: string;
        /** The model's configuration. */
        config: unknown;
        /** The Keras version that wrote it. */
        keras_version?: string;
        /** The Keras backend that wrote it. */
        backend?: string;
      }
    | Record<string, unknown>;
  /** The weight manifest. */
  weightSpecs: WeightSpec[];
  /** The weights' bytes, concatenated in manifest order. */
  weightData: ArrayBuffer | ArrayBuffer[];
  /** "layers-model". */
  format?: string;
  /** The library that wrote the artifacts. */
  generatedBy?: string;
  /** The converter that wrote them, or null. */
  convertedBy?: string | null;
  [key: string]: unknown;
}

/** What a TF.js save handler returns; only its presence is checked. */
export interface SaveResult {
  /** A summary of what was saved. */
  modelArtifactsInfo: {
    /** When. */
    dateSaved: Date;
    /** Always "JSON". */
    modelTopologyType: "JSON";
    /** Size of the model JSON. */
    modelTopologyBytes?: number;
    /** Size of the weight manifest. */
    weightSpecsBytes?: number;
    /** Size of the weight data. */
    weightDataBytes?: number;
  };
  [key: string]: unknown;
}

/** TF.js's IOHandler for saving: `tf.io.withSaveHandler(fn)` gives one. */
export interface SaveHandler {
  /** Receives the artifacts. */
  save(artifacts: ModelArtifacts): Promise<SaveResult> | SaveResult;
}

/** The weights of the manifest as float32 tensors by name, in manifest order. */
export function decodeWeights(specs: readonly WeightSpec[], data: ArrayBuffer | readonly ArrayBuffer[]): [string, Tensor][] {
  const bytes = concatBuffers(Array.isArray(data) ? data : [data as ArrayBuffer]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  return specs.map((spec) => {
    if (spec.quantization !== undefined) throw new Error(`loadLayersModel: weight ${spec.name} is quantized; only unquantized float32 weights are supported`);
    if (spec.dtype !== "float32") throw new Error(`loadLayersModel: weight ${spec.name} has dtype ${spec.dtype}, expected float32`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * n > bytes.byteLength) {
      throw new Error(`loadLayersModel: weight data has ${bytes.byteLength} bytes but weight ${spec.name} ${fmt(spec.shape)} ends at byte ${offset + 4 * n}`);
    }
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * n;
    return [spec.name, tensor(values, { shape: spec.shape })];
  });
}

/** Weight specs and one little-endian float32 buffer for the given named tensors. */
export function encodeWeights(weights: readonly [string, Tensor][]): { weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  const total = weights.reduce((s, [, t]) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  const out = new Float32Array(total);
  let offset = 0;
  const weightSpecs = weights.map(([name, t]): WeightSpec => {
    const values = t.to("float32").data();
    out.set(values, offset);
    offset += values.length;
    return { name, shape: [...t.shape], dtype: "float32" };
  });
  return { weightSpecs, weightData: out.buffer };
}

function concatBuffers(buffers: readonly ArrayBuffer[]): Uint8Array {
  if (buffers.length === 1) return new Uint8Array(buffers[0]!);
  const out = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

/** A deep copy of a JSON value (a model topology), so that neither side's later changes reach the other. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
