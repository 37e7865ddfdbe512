/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna) over 32-bit integer math,
 * seeded through splitmix32. Uniform doubles take 53 random bits; normals come from the
 * Box–Muller transform, using both values of each pair. The integer steps are exact on
 * every platform; the normals use Math.log/sqrt/cos/sin, which V8 computes with the same
 * fdlibm code everywhere, so a seed gives the same numbers on every run and machine.
 */
export const DEFAULT_SEED = 0x2545f491;

/** A snapshot of a {@link Generator}, from `getState()` for `setState()`. */
export interface GeneratorState {
  /** The four 32-bit words of the xoshiro128** state. */
  s: [number, number, number, number];
  /** The second normal of the last Box–Muller pair, when not yet used. */
  spare: number | null;
}

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded pseudo-random generator (xoshiro128**); every random function takes one through its options.
 *
 * @example
 * ```ts
 * const g = new Generator(42);
 * const a = randn([2], { generator: g });
 * ```
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed: number = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** Restarts the sequence from `seed` (a safe integer). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new Error(`manualSeed: seed must be a safe integer, got ${seed}`);
    const low = seed >>> 0;
    const high = Math.floor(Math.abs(seed) / 2 ** 32) ^ (seed < 0 ? 0x80000000 : 0);
    const state = { x: low ^ Math.imul(high, 0x9e3779b1) };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(state);
    this.spare = null;
    return this;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u1 = 1 - this.random();
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** A copy of the state, to restore later with `setState`. */
  getState(): GeneratorState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  /** Restores a state from `getState`. */
  setState(state: GeneratorState): this {
    this.s.set(state.s);
    this.spare = state.spare;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when none is given; seeded by {@link manualSeed}. */
export const defaultGenerator = new Generator();

/** Reseeds the default generator used when no generator is passed. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
