import { describeValue } from "@tapegrad/autograd";

/**
 * Throws when an options object is not an object, or has a key outside `allowed` (a misspelt
 * option would be ignored); with skipUndefined, a key whose value is undefined is allowed.
 */
export function rejectUnknownKeys(owner: string, options: object, allowed: readonly string[], skipUndefined = false): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new Error(`${owner}: options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (skipUndefined && (options as Record<string, unknown>)[key] === undefined) continue;
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown option "${key}"; expected one of ${allowed.join(", ")}`);
  }
}
