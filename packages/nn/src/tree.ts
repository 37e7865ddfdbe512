import { Tensor } from "@tapegrad/autograd";
import { record } from "./dict";

/**
 * A nested value (plain objects, arrays, numbers, strings, booleans, null, Tensors) split into
 * JSON and tensors: each Tensor leaf is named by its dotted path; the JSON keeps the structure,
 * with every Tensor, and every number JSON cannot hold (NaN, ±Infinity, -0), listed as a leaf at
 * its path (an array of keys, so keys may contain dots).
 */
type Path = (string | number)[];
export type Leaf = [Path, { tensor: string } | { number: "NaN" | "Infinity" | "-Infinity" | "-0" }];

export interface Flat {
  json: unknown;
  leaves: Leaf[];
  tensors: Map<string, Tensor>;
}

const SPECIAL = new Map<string, number>([["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity], ["-0", -0]]);

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Splits value; throws naming fn and the path of anything that is not data. */
export function flatten(value: unknown, fn: string): Flat {
  const flat: Flat = { json: null, leaves: [], tensors: new Map() };
  const walk = (v: unknown, path: Path): unknown => {
    if (v instanceof Tensor) {
      const name = path.join(".");
      if (flat.tensors.has(name)) throw new Error(`${fn}: two tensors would both be stored as ${JSON.stringify(name)}; rename a key so that dotted paths differ`);
      flat.tensors.set(name, v);
      flat.leaves.push([path, { tensor: name }]);
      return null;
    }
    if (typeof v === "number") {
      const special = Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : Object.is(v, -0) ? "-0" : null;
      if (special === null) return v;
      flat.leaves.push([path, { number: special }]);
      return null;
    }
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (Array.isArray(v)) {
      return v.map((item, i) => {
        if (item === undefined) throw new Error(`${fn}: ${describe(path.concat(i))} is undefined; use null in arrays`);
        return walk(item, path.concat(i));
      });
    }
    if (typeof v === "object" && isPlainObject(v)) {
      return record(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]): [string, unknown] => [k, walk(x, path.concat(k))]));
    }
    const kind = typeof v === "object" ? `a ${v.constructor?.name ?? "object"}` : typeof v;
    throw new Error(`${fn}: ${describe(path)} is ${kind}; a checkpoint holds plain objects, arrays, numbers, strings, booleans, null and Tensors`);
  };
  flat.json = walk(value, []);
  return flat;
}

export function describe(path: Path): string {
  return path.length === 0 ? "the value" : `the value at ${path.map((k) => JSON.stringify(k)).join(" → ")}`;
}

/** Copies parsed JSON into null-prototype objects, so that keys such as "__proto__" stay plain keys. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) return record(Object.entries(v).map(([k, x]): [string, unknown] => [k, plain(x)]));
  return v;
}

/**
 * Rebuilds what flatten split. Throws (naming fn) if a leaf's path does not lead to a null in the
 * JSON, a tensor is missing, or a tensor is listed by no leaf.
 */
export function unflatten(json: unknown, leaves: unknown, tensors: Record<string, Tensor>, fn: string): unknown {
  if (!Array.isArray(leaves)) throw new Error(`${fn}: the list of tensors and special numbers is missing`);
  const root = { value: plain(json) };
  const used = new Set<string>();
  for (const leaf of leaves as unknown[]) {
    const [path, what] = Array.isArray(leaf) ? leaf : [];
    const valid = Array.isArray(path) && path.every((k) => typeof k === "string" || Number.isInteger(k)) && typeof what === "object" && what !== null;
    if (!valid) throw new Error(`${fn}: malformed leaf ${JSON.stringify(leaf)}`);
    let value: unknown;
    if (typeof what.tensor === "string") {
      if (!Object.hasOwn(tensors, what.tensor)) throw new Error(`${fn}: the tensor ${JSON.stringify(what.tensor)} is missing from the file`);
      used.add(what.tensor);
      value = tensors[what.tensor];
    } else if (SPECIAL.has(what.number)) value = SPECIAL.get(what.number);
    else throw new Error(`${fn}: malformed leaf ${JSON.stringify(leaf)}`);
    let parent: Record<string | number, unknown> = root;
    let key: string | number = "value";
    for (const k of path as Path) {
      const next: unknown = parent[key];
      if (typeof next !== "object" || next === null || !Object.hasOwn(next, k)) throw new Error(`${fn}: ${describe(path)} does not exist in the stored structure`);
      [parent, key] = [next as Record<string | number, unknown>, k];
    }
    if (parent[key] !== null) throw new Error(`${fn}: ${describe(path)} is listed twice or is not a placeholder`);
    parent[key] = value;
  }
  const unused = Object.keys(tensors).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`${fn}: the file has tensors that belong to no key: ${unused.map((n) => JSON.stringify(n)).join(", ")}`);
  return root.value;
}
