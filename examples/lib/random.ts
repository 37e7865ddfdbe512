import { Generator, manualSeed } from "@tapegrad/autograd";

/**
 * Seeds tapegrad's default generator (parameter initialisation, dropout) and returns a
 * separate generator for the notebook's data, so that a fixed --seed gives the same run.
 */
export function seedEverything(seed: number): Generator {
  manualSeed(seed);
  return new Generator(seed + 1_000_003);
}

/** Fisher–Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], gen: Generator): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = gen.integer(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Draws an index from unnormalised non-negative weights. */
export function sampleIndex(weights: ArrayLike<number>, gen: Generator): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let r = gen.random() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
