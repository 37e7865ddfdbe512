import { closeSync, mkdtempSync, openSync, ftruncateSync, writeSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { Linear } from "@tapegrad/nn";
import { loadCheckpoint, loadSafetensors, readSafetensors, saveCheckpoint, saveSafetensors } from "@tapegrad/nn/node";

const dir = () => mkdtempSync(join(tmpdir(), "tapegrad-files-"));

function errorOf(fn: () => unknown): Error & { cause?: { code?: string } } {
  try {
    fn();
  } catch (e) {
    return e as Error & { cause?: { code?: string } };
  }
  throw new Error("expected a throw");
}

describe("file errors name the function and the path", () => {
  const d = dir();
  const missing = join(d, "nope.safetensors");
  const model = new Linear(1, 1);

  it.each<[string, () => unknown, RegExp, string]>([
    ["loadSafetensors, missing file", () => loadSafetensors(missing), /^loadSafetensors\(".*nope.safetensors"\): cannot open the file: no such file or directory$/, "ENOENT"],
    ["readSafetensors, missing file", () => readSafetensors(missing), /^readSafetensors\(".*nope.safetensors"\): cannot open the file: no such file or directory$/, "ENOENT"],
    ["loadCheckpoint, missing file", () => loadCheckpoint(missing, { model }), /^loadCheckpoint\(".*nope.safetensors"\): cannot open the file: no such file or directory$/, "ENOENT"],
  ])("%s", (_name, fn, message, code) => {
    const e = errorOf(fn);
    expect(e.message).toMatch(message);
    expect(e.cause?.code).toBe(code);
  });

  it.each<[string, () => unknown, RegExp]>([
    ["loadSafetensors, a directory", () => loadSafetensors(d), /^loadSafetensors\(".*tapegrad-files-\w+"\): cannot read the file: the path is a directory$/],
    ["loadCheckpoint, a directory", () => loadCheckpoint(d, { model }), /^loadCheckpoint\(".*tapegrad-files-\w+"\): cannot read the file: the path is a directory$/],
    ["saveSafetensors, a directory", () => saveSafetensors(d, { w: tensor([1]) }), /^saveSafetensors\(".*tapegrad-files-\w+"\): cannot write the file: the path is a directory$/],
    ["saveSafetensors, a missing directory", () => saveSafetensors(join(d, "no", "x.safetensors"), { w: tensor([1]) }), /^saveSafetensors\(".*x.safetensors"\): cannot write the file: the directory ".*no" does not exist$/],
    ["saveCheckpoint, a directory", () => saveCheckpoint(d, { model }), /^saveCheckpoint\(".*tapegrad-files-\w+"\): cannot write the file: the path is a directory$/],
    ["saveCheckpoint, a missing directory", () => saveCheckpoint(join(d, "no", "c.safetensors"), { model }), /^saveCheckpoint\(".*c.safetensors"\): cannot write the file: the directory ".*no" does not exist$/],
  ])("%s", (_name, fn, message) => {
    expect(errorOf(fn).message).toMatch(message);
    expect(readdirSync(d)).toEqual([]);
  });

  it("a header asking for more than the runtime can allocate names the tensor and its shape", () => {
    // A sparse 32 GiB file: the header and size agree, so only the allocation can fail.
    const path = join(dir(), "huge.safetensors");
    const bytes = 2 ** 35;
    const header = Buffer.from(JSON.stringify({ huge: { dtype: "F64", shape: [65536, 65536], data_offsets: [0, bytes] } }));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    const fd = openSync(path, "w");
    writeSync(fd, Buffer.concat([length, header]));
    ftruncateSync(fd, 8 + header.length + bytes);
    closeSync(fd);
    const e = errorOf(() => loadSafetensors(path));
    expect(e.message).toMatch(/^loadSafetensors\(".*huge.safetensors"\): tensor "huge" of shape \[65536, 65536\] \(F64, 4294967296 elements\) is too large to allocate as float64 \(.+\)$/);
    expect(e.cause).toBeInstanceOf(RangeError);
  });
});
