/// <reference types="node" />
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a component of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
};

/** An error naming fn and the path in words, keeping the system error as its cause. */
export function fileError(fn: string, path: string, action: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  const reason = (code && REASONS[code]) ?? (e as Error).message;
  return new Error(`${fn}(${JSON.stringify(path)}): cannot ${action}: ${reason}`, { cause: e });
}

/**
 * Writes bytes to a temporary file beside path, then renames it over path, so path is either the
 * old file or the complete new one.
 */
export function writeAtomically(fn: string, path: string, bytes: Uint8Array): void {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new Error(`${fn}(${JSON.stringify(path)}): cannot write the file: the path is a directory`);
  const parent = statSync(dirname(path), { throwIfNoEntry: false });
  if (!parent?.isDirectory()) throw new Error(`${fn}(${JSON.stringify(path)}): cannot write the file: the directory ${JSON.stringify(dirname(path))} does not exist`);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, bytes, { flush: true });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fileError(fn, path, "write the file", e);
  }
}

/** An open file read at positions; errors name fn and the path. */
export class FileReader {
  private readonly fd: number;
  readonly size: number;

  constructor(
    private readonly fn: string,
    private readonly path: string,
  ) {
    try {
      this.fd = openSync(path, "r");
    } catch (e) {
      throw fileError(fn, path, "open the file", e);
    }
    const stat = fstatSync(this.fd);
    if (stat.isDirectory()) {
      closeSync(this.fd);
      throw new Error(`${fn}(${JSON.stringify(path)}): cannot read the file: the path is a directory`);
    }
    this.size = stat.size;
  }

  /** Reads exactly into.length bytes starting at position. */
  readInto(into: Uint8Array, position: number): Uint8Array {
    try {
      for (let done = 0; done < into.length; ) {
        const got = readSync(this.fd, into, done, Math.min(into.length - done, 1 << 30), position + done);
        if (got === 0) throw new Error(`the file ended after ${position + done} bytes`);
        done += got;
      }
    } catch (e) {
      throw fileError(this.fn, this.path, "read the file", e);
    }
    return into;
  }

  close(): void {
    closeSync(this.fd);
  }
}
