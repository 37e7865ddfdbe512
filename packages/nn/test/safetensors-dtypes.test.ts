import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { decodeSafetensors, encodeSafetensors } from "@tapegrad/nn";
import { loadSafetensors, readSafetensors } from "@tapegrad/nn/node";

// Files and expected values written by fixtures/dtypes/gen_dtypes.py (struct, numpy, torch).
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/dtypes/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(fixture(name), "utf8"));
const expected: { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: (string | number)[] }> } = json("dtypes.json");
const half: { inputs: string[]; f16: number[]; bf16: number[] } = json("half.json");

describe("safetensors dtypes", () => {
  const { tensors, metadata } = readSafetensors(fixture("dtypes.safetensors"));

  it("reads the independent writer's file: metadata and every tensor name", () => {
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
  });

  it.each(Object.entries(expected.tensors))("reads %s as the expected dtype, shape and exact values", (name, want) => {
    const t = tensors[name]!;
    expect(t.dtype).toBe(want.dtype);
    expect(t.shape).toEqual(want.shape);
    // Object.is: -0 and NaN must come through as themselves.
    Array.from(t.data()).forEach((v, i) => expect(Object.is(v, Number(want.values[i])), `${name}[${i}] = ${v}, expected ${want.values[i]}`).toBe(true));
  });

  it("refuses an I64 value that does not fit int32, naming the tensor and the value", () => {
    expect(() => loadSafetensors(fixture("i64_overflow.safetensors"))).toThrow(/loadSafetensors\(".*i64_overflow.safetensors"\): tensor "steps" \(I64\) has the value 2147483648 at element 1, which does not fit int32/);
  });

  it("refuses a BOOL byte other than 0 or 1", () => {
    const header = new TextEncoder().encode(JSON.stringify({ m: { dtype: "BOOL", shape: [2], data_offsets: [0, 2] } }));
    const patched = new Uint8Array([...new Uint8Array(new BigUint64Array([BigInt(header.length)]).buffer), ...header, 1, 2]);
    expect(() => decodeSafetensors(patched)).toThrow(/tensor "m" \(BOOL\) has the byte 2 at element 1; a BOOL byte must be 0 or 1/);
  });

  it.each([
    ["float16", "half_f16.safetensors"],
    ["bfloat16", "half_bf16.safetensors"],
  ] as const)("writes %s byte for byte as the independent writer does (ties to even, subnormals, overflow, inf, NaN)", (dtype, file) => {
    const x = tensor(half.inputs.map(Number), { dtype: "float64" });
    expect(Array.from(encodeSafetensors({ x }, null, { dtype }))).toEqual(Array.from(readFileSync(fixture(file))));
  });

  it("writes a float32 tensor's values as F16 the same as the float64 ones (each float32 is exact in float64)", () => {
    const values = half.inputs.map(Number).map(Math.fround);
    const from32 = decodeSafetensors(encodeSafetensors({ x: tensor(values) }, null, { dtype: "float16" })).tensors.x!;
    const from64 = decodeSafetensors(encodeSafetensors({ x: tensor(values, { dtype: "float64" }) }, null, { dtype: "float16" })).tensors.x!;
    expect(Array.from(from32.data())).toEqual(Array.from(from64.data()));
  });

  it("keeps int32 tensors as I32 when asked for a 16-bit float dtype, and rejects other dtypes", () => {
    const { tensors: back } = decodeSafetensors(encodeSafetensors({ i: tensor([70000], { dtype: "int32" }) }, null, { dtype: "bfloat16" }));
    expect(back.i!.dtype).toBe("int32");
    expect(Array.from(back.i!.data())).toEqual([70000]);
    expect(() => encodeSafetensors({}, null, { dtype: "float8" as "float16" })).toThrow(/encodeSafetensors: dtype must be "float16" or "bfloat16" \(or omitted to keep each tensor's dtype\), got "float8"/);
    expect(() => encodeSafetensors({}, null, { dtpye: "float16" } as object)).toThrow(/encodeSafetensors: unknown option "dtpye"; expected dtype/);
  });
});
