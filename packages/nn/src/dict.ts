/**
 * Name-to-value dictionaries whose names are data: a Map, or an object whose own keys are the
 * names. Results are null-prototype objects, so a name like `__proto__` or `constructor` is an
 * ordinary key and never reaches Object.prototype.
 */
export type Dict<T> = Record<string, T> | ReadonlyMap<string, T>;

/** The entries of a Map or the own enumerable string-keyed entries of an object; throws naming fn otherwise. */
export function entriesOf<T>(dict: Dict<T>, fn: string, what: string): [string, T][] {
  if (dict instanceof Map) {
    for (const key of dict.keys()) if (typeof key !== "string") throw new Error(`${fn}: ${what} keys must be strings, got ${typeof key}`);
    return [...dict];
  }
  if (typeof dict !== "object" || dict === null || Array.isArray(dict)) {
    throw new Error(`${fn}: ${what} must be a Map or an object of names to values, got ${dict === null ? "null" : Array.isArray(dict) ? "an array" : typeof dict}`);
  }
  return Object.entries(dict);
}

/** A null-prototype object with these entries. */
export function record<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** Whether a string survives UTF-8 encoding unchanged (has no lone surrogate). */
export function isWellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}
