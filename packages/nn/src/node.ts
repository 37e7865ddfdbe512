/// <reference types="node" />
/**
 * The Node-only part of `@tapegrad/nn`: safetensors, checkpoint and model files, fit with a
 * progress bar.
 * @module @tapegrad/nn/node
 */
import type { Tensor } from "@tapegrad/autograd";
import type { Dict } from "./dict";
import { record } from "./dict";
import { FileReader, writeAtomically } from "./files";
import { allocateTensor, encodeSafetensors, fillTensor, headerLength, parseHeader, type EncodeSafetensorsOptions, type SafetensorsContents } from "./safetensors";

export { saveCheckpoint, loadCheckpoint } from "./checkpoint-node";

/**
 * Writes a state dict as a safetensors file. The bytes go to a temporary file beside the target
 * that is then renamed over it, so the target is either the old file or the complete new one.
 */
export function saveSafetensors(path: string, tensors: Dict<Tensor>, metadata?: Dict<string> | null, opts?: EncodeSafetensorsOptions): void {
  writeAtomically("saveSafetensors", path, encodeSafetensors(tensors, metadata, opts));
}

/** Reads every tensor of a safetensors file (checked in full first; see parseHeader). */
export function loadSafetensors(path: string): Record<string, Tensor> {
  return read("loadSafetensors", path).tensors;
}

/** Tensors and the `__metadata__` strings of a safetensors file. */
export function readSafetensors(path: string): SafetensorsContents {
  return read("readSafetensors", path);
}

/** Reads the header, checks it against the file's size, then reads each tensor straight into its buffer. */
function read(fn: string, path: string): SafetensorsContents {
  const where = `${fn}(${JSON.stringify(path)})`;
  const file = new FileReader(fn, path);
  try {
    const n = headerLength(file.readInto(new Uint8Array(Math.min(8, file.size)), 0), file.size, where);
    const dataStart = 8 + n;
    const { specs, metadata } = parseHeader(file.readInto(new Uint8Array(n), 8), file.size - dataStart, where);
    const tensors = record(
      specs.map((s): [string, Tensor] => {
        const t = allocateTensor(s, where);
        return [s.name, fillTensor(t, s, file.readInto(new Uint8Array(s.end - s.begin), dataStart + s.begin), where)];
      }),
    );
    return { tensors, metadata };
  } finally {
    file.close();
  }
}
export { fit, modelCheckpoint, progressBar } from "./training/node";
export { loadLayersModel, saveLayersModel } from "./interop/tfjs/files-node";
export { exportOnnx } from "./interop/onnx/files-node";
