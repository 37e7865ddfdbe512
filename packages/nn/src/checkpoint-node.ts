/// <reference types="node" />
import { decodeCheckpoint, encodeCheckpoint, type CheckpointObjects, type CheckpointTargets } from "./checkpoint";
import { FileReader, writeAtomically } from "./files";

/** Writes encodeCheckpoint's bytes to path atomically (a temporary file beside it, then a rename). */
export function saveCheckpoint(path: string, contents: CheckpointObjects & Record<string, unknown>): void {
  writeAtomically("saveCheckpoint", path, encodeCheckpoint(contents));
}

/** Restores the given objects from a checkpoint file (see decodeCheckpoint) and returns its plain values. */
export function loadCheckpoint(path: string, targets: CheckpointTargets): Record<string, unknown> {
  const file = new FileReader("loadCheckpoint", path);
  let bytes: Uint8Array;
  try {
    bytes = file.readInto(new Uint8Array(file.size), 0);
  } finally {
    file.close();
  }
  try {
    return decodeCheckpoint(bytes, targets);
  } catch (e) {
    throw new Error(`loadCheckpoint(${JSON.stringify(path)}): ${(e as Error).message}`, { cause: e });
  }
}
