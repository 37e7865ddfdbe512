/** Throws when an options object has a key outside `allowed` (a misspelt option would be ignored). */
export function rejectUnknownKeys(owner: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown option "${key}"; expected one of ${allowed.join(", ")}`);
  }
}
