import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensor, type Tensor } from "@tapegrad/autograd";
import { decodeSafetensors, encodeSafetensors, Linear } from "@tapegrad/nn";

/** A file with the given header text (any JSON, duplicate-free) and data bytes. */
function withHeader(json: string, data: number[]): Uint8Array {
  const header = new TextEncoder().encode(json);
  return new Uint8Array([...new Uint8Array(new BigUint64Array([BigInt(header.length)]).buffer), ...header, ...data]);
}

const values = (t: Tensor | null | undefined) => Array.from(t!.data());

describe("safetensors: names are data", () => {
  it("loads tensors named __proto__ and constructor as ordinary names", () => {
    const bytes = withHeader('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"constructor":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', [7, 9]);
    const { tensors } = decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(["__proto__", "constructor"]);
    expect(values(tensors["__proto__"])).toEqual([7]);
    expect(values(tensors["constructor"])).toEqual([9]);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });

  it("round-trips __proto__, constructor and hasOwnProperty from a Map and from an object with own keys", () => {
    const names = ["__proto__", "constructor", "hasOwnProperty", "toString"];
    const asMap = new Map(names.map((n, i) => [n, tensor([i])]));
    const asObject = Object.fromEntries(asMap);
    for (const input of [asMap, asObject]) {
      const { tensors, metadata } = decodeSafetensors(encodeSafetensors(input, new Map([["__proto__", "p"], ["constructor", "c"]])));
      expect(Object.keys(tensors)).toEqual(names);
      names.forEach((n, i) => expect(values(tensors[n])).toEqual([i]));
      expect(Object.entries(metadata!)).toEqual([["__proto__", "p"], ["constructor", "c"]]);
    }
  });

  it("round-trips any well-formed Unicode names and metadata", () => {
    const name = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => s !== "__metadata__");
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 6 }), fc.dictionary(fc.string({ unit: "binary", maxLength: 8 }), fc.string({ unit: "binary" }), { maxKeys: 4 }), (names, metadata) => {
        const input = new Map(names.map((n, i) => [n, tensor([i, -i], { dtype: "float64" })]));
        const out = decodeSafetensors(encodeSafetensors(input, metadata));
        expect(Object.keys(out.tensors)).toEqual(names);
        names.forEach((n, i) => expect(values(out.tensors[n])).toEqual([i, -i]));
        expect(Object.entries(out.metadata!)).toEqual(Object.entries(metadata));
      }),
      { numRuns: 200 },
    );
  });

  it("rejects a lone surrogate, which UTF-8 cannot hold, naming it", () => {
    expect(() => encodeSafetensors({ ["a\ud800"]: tensor([1]) })).toThrow(/encodeSafetensors: tensor name "a\\ud800" is not well-formed Unicode/);
    expect(() => encodeSafetensors({}, { k: "\udc00" })).toThrow(/encodeSafetensors: __metadata__ entry "k" is not well-formed Unicode/);
  });

  it("rejects metadata that is not a string-to-string map, on write and on read", () => {
    expect(() => encodeSafetensors({}, ["x"] as unknown as Record<string, string>)).toThrow(/encodeSafetensors: __metadata__ must be an object of strings to strings, got an array/);
    expect(() => encodeSafetensors({}, new Map([["k", 5 as unknown as string]]))).toThrow(/encodeSafetensors: __metadata__ must map strings to strings, but "k" maps to number/);
    expect(() => decodeSafetensors(withHeader('{"__metadata__":{"k":{"nested":"x"}}}', []))).toThrow(/decodeSafetensors: __metadata__ must map strings to strings, but "k" maps to object/);
    expect(() => decodeSafetensors(withHeader('{"__metadata__":"text"}', []))).toThrow(/decodeSafetensors: __metadata__ must be an object of strings to strings, got string/);
  });

  it("Module.loadStateDict takes a Map or a null-prototype object and sees only own keys", () => {
    const m = new Linear(1, 1, { dtype: "float64" });
    const state = m.stateDict();
    expect(Object.getPrototypeOf(state)).toBe(null);
    m.loadStateDict(new Map([["weight", tensor([[2]], { dtype: "float64" })], ["bias", tensor([3], { dtype: "float64" })]]));
    expect([values(m.weight), values(m.bias)]).toEqual([[2], [3]]);
    // "constructor" and "toString" are inherited by {}, not keys of it: both are missing and nothing loads.
    expect(() => m.loadStateDict({})).toThrow(/missing keys: weight, bias/);
    expect(() => m.loadStateDict({ weight: tensor([[1]], { dtype: "float64" }), bias: tensor([1], { dtype: "float64" }), ["__proto__"]: tensor([1]) } as Record<string, Tensor>)).toThrow(/unexpected keys: __proto__/);
  });
});
