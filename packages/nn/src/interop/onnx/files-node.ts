/// <reference types="node" />
import type { Tensor } from "@tapegrad/autograd";
import { writeAtomically } from "../../files";
import type { Module } from "../../module";
import { exportOnnx as toBytes, type ExportOnnxOptions } from "./export";

/** exportOnnx that also writes the model to opts.path (atomically); returns the bytes written. */
export function exportOnnx(model: Module, exampleInputs: Tensor | Tensor[], opts: ExportOnnxOptions & { path: string }): Uint8Array {
  const { path, ...rest } = opts ?? ({} as { path: string });
  if (typeof path !== "string" || path === "") throw new Error(`exportOnnx: opts.path must be a file path, got ${JSON.stringify(path)}`);
  const bytes = toBytes(model, exampleInputs, rest);
  writeAtomically("exportOnnx", path, bytes);
  return bytes;
}
