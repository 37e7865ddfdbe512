import { describeValue } from "@tapegrad/autograd";

/**
 * Throws when an options object is not an object, or has a key outside `allowed` (a misspelt
 * option would be ignored).
 */
export function rejectUnknownKeys(owner: string, options: object, allowed: readonly string[]): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new Error(`${owner}: options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown option "${key}"; expected one of ${allowed.join(", ")}`);
  }
}
