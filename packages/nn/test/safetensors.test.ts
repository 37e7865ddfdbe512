import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tensor, zeros } from "@tapegrad/autograd";
import { decodeSafetensors, encodeSafetensors } from "@tapegrad/nn";
import { loadSafetensors, readSafetensors, saveSafetensors } from "@tapegrad/nn/node";

const fixture = fileURLToPath(new URL("./fixtures/small.safetensors", import.meta.url));
const dir = () => mkdtempSync(join(tmpdir(), "tapegrad-st-"));

/** A file with the given header object and data bytes, as any writer would produce it. */
function handMade(header: unknown, data = new Uint8Array(0), lengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthOverride ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  it("reads a file written by an independent writer (test/fixtures/write_safetensors.py)", () => {
    const { tensors, metadata } = readSafetensors(fixture);
    expect(metadata).toEqual({ format: "pt", writer: "struct+json" });
    expect(Object.keys(tensors).sort()).toEqual(["bias", "empty", "steps", "weight"]);
    expect(tensors.weight!.dtype).toBe("float32");
    expect(tensors.weight!.tolist()).toEqual([[-0.5, -0.25, 0], [0.25, 0.5, 0.75]]);
    expect(tensors.bias!.dtype).toBe("float64");
    expect(Array.from(tensors.bias!.data())).toEqual([0.1, -2.5, 1e-300]);
    expect(tensors.steps!.dtype).toBe("int32");
    expect(tensors.steps!.tolist()).toEqual([[-7, 0], [2147483647, -2147483648]]);
    expect(tensors.empty!.shape).toEqual([0, 4]);
  });

  it("round-trips every dtype, strided tensors and metadata, with the header padded to 8 bytes", () => {
    const strided = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" }).T;
    const input = { a: tensor([0.1, -3.5e38, 7]), b: strided, c: tensor([-1, 2 ** 31 - 1], { dtype: "int32" }), s: tensor(2.5, { dtype: "float64" }) };
    const bytes = encodeSafetensors(input, { note: "hi" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ note: "hi" });
    for (const [k, t] of Object.entries(input)) {
      expect(tensors[k]!.dtype).toBe(t.dtype);
      expect(tensors[k]!.shape).toEqual(t.shape);
      expect(Array.from(tensors[k]!.data())).toEqual(Array.from(t.data()));
    }
  });

  it("saves atomically: the target appears complete and no temporary file is left behind", () => {
    const d = dir();
    const path = join(d, "model.safetensors");
    saveSafetensors(path, { w: tensor([1, 2, 3]) });
    saveSafetensors(path, { w: tensor([4, 5]) });
    expect(readdirSync(d)).toEqual(["model.safetensors"]);
    expect(Array.from(loadSafetensors(path).w!.data())).toEqual([4, 5]);
    expect(() => saveSafetensors(join(d, "missing-dir", "x.safetensors"), { w: tensor([1]) })).toThrow(/saveSafetensors\(".*x.safetensors"\): cannot write the file: the directory ".*missing-dir" does not exist/);
    expect(readdirSync(d)).toEqual(["model.safetensors"]);
  });

  const eight = new Uint8Array(8);
  it.each<[string, Uint8Array, RegExp]>([
    ["a file shorter than the length field", new Uint8Array(5), /truncated: 5 bytes is shorter than the 8-byte header length/],
    ["a header length beyond the file", handMade({}, new Uint8Array(0), 400), /header length 400 goes beyond the end of the data/],
    ["a header that is not JSON", (() => { const b = handMade({ a: 1 }); b[9] = 0x7b; return b; })(), /the header is not valid UTF-8 JSON/],
    ["an unknown dtype", handMade({ w: { dtype: "F8_E4M3", shape: [8], data_offsets: [0, 8] } }, eight), /tensor "w" has unsupported dtype "F8_E4M3"; supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL/],
    ["a shape that does not match its bytes", handMade({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, eight), /tensor "w" of shape \[3\] and dtype F32 needs 12 bytes, but its data_offsets \[0, 8\] cover 8/],
    ["offsets past the data (a truncated file)", handMade({ w: { dtype: "F64", shape: [2], data_offsets: [0, 16] } }, eight), /data_offsets \[0, 16\] beyond the 8 data bytes/],
    ["overlapping offsets", handMade({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, eight), /tensors "a" and "b" have overlapping data_offsets/],
    ["bytes that belong to no tensor", handMade({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, eight), /bytes \[0, 4\) of the data belong to no tensor/],
    ["reversed offsets", handMade({ a: { dtype: "F32", shape: [0], data_offsets: [8, 0] } }, eight), /invalid data_offsets \[8,0\]/],
    ["bad metadata", handMade({ __metadata__: { a: 1 } }), /__metadata__ must map strings to strings, but "a" maps to number/],
    ["metadata that is an array", handMade({ __metadata__: ["a"] }), /__metadata__ must be an object of strings to strings, got an array/],
    ["a tensor entry that is not an object", handMade({ w: 3 }), /tensor "w" must be described by { dtype, shape, data_offsets }, got 3/],
    ["a header length past the 100 MB limit", handMade({}, new Uint8Array(0), 100_000_001), /header length 100000001 is more than the 100000000 bytes a safetensors header may have/],
  ])("rejects %s", (_name, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });

  it("names the file when loading fails, and a damaged checkpoint changes nothing", () => {
    const d = dir();
    const path = join(d, "cut.safetensors");
    saveSafetensors(path, { w: tensor([1, 2, 3, 4]) });
    const full = readFileSync(path);
    writeFileSync(path, full.subarray(0, full.length - 3));
    expect(() => loadSafetensors(path)).toThrow(/loadSafetensors\(".*cut.safetensors"\): tensor "w" has data_offsets \[0, 16\] beyond the 13 data bytes/);
    expect(existsSync(path)).toBe(true);
    expect(() => encodeSafetensors({ w: zeros([1]) }, { n: 1 as unknown as string })).toThrow(/encodeSafetensors: __metadata__ must map strings to strings, but "n" maps to number/);
  });
});
