/**
 * Levenshtein distance: the fewest insertions, deletions and substitutions (each costing 1) that
 * turn `a` into `b`. Strings are compared by Unicode code point; arrays element by element (===).
 */
export function editDistance(a: string, b: string): number;
export function editDistance<T>(a: readonly T[], b: readonly T[]): number;
export function editDistance<T>(a: string | readonly T[], b: string | readonly T[]): number {
  for (const [name, v] of [["a", a], ["b", b]] as const) {
    if (typeof v !== "string" && !Array.isArray(v)) throw new Error(`editDistance: ${name} must be a string or an array of tokens, got ${typeof v}`);
  }
  const x: readonly unknown[] = typeof a === "string" ? [...a] : a;
  const y: readonly unknown[] = typeof b === "string" ? [...b] : b;
  // prev[j]: distance between the first i-1 items of x and the first j of y.
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  let curr = new Array<number>(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const substitute = prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1);
      curr[j] = Math.min(substitute, prev[j]! + 1, curr[j - 1]! + 1);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[y.length]!;
}
