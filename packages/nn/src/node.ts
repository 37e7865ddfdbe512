/// <reference types="node" />
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { Tensor } from "@tapegrad/autograd";
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from "./safetensors";

/**
 * Writes a state dict as a safetensors file. The bytes go to a temporary file beside the target
 * that is then renamed over it, so the target is either the old file or the complete new one.
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  const bytes = encodeSafetensors(tensors, metadata);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, bytes, { flush: true });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads every tensor of a safetensors file (checked in full first; see decodeSafetensors). */
export function loadSafetensors(path: string): Record<string, Tensor> {
  return readSafetensors(path).tensors;
}

/** Tensors and the `__metadata__` strings of a safetensors file. */
export function readSafetensors(path: string): SafetensorsContents {
  const bytes = readFileSync(path);
  try {
    return decodeSafetensors(bytes);
  } catch (e) {
    throw new Error(`loadSafetensors(${JSON.stringify(path)}): ${(e as Error).message}`);
  }
}
