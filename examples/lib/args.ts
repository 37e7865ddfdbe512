import { parseArgs } from "node:util";

/** How long a notebook runs: `quick` for the test suite, `default` (< 2 min), `full` for a better result. */
export type RunMode = "quick" | "default" | "full";

export interface RunOptions {
  seed: number;
  mode: RunMode;
  /** Training steps from --steps, overriding the notebook's choice for the mode. */
  steps: number | undefined;
  /** Picks the value for the current mode. */
  pick<T>(choices: Record<RunMode, T>): T;
}

const USAGE = "options: --seed N (default 0), --quick (tiny run for tests), --full (longer, better run), --steps N";

/** Parses the flags every notebook understands: --seed, --quick, --full, --steps. */
export function runOptions(argv: string[] = process.argv.slice(2)): RunOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seed: { type: "string", default: "0" },
        quick: { type: "boolean", default: false },
        full: { type: "boolean", default: false },
        steps: { type: "string" },
      },
    }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${USAGE}`);
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) throw new Error(`--steps must be a positive integer, got "${values.steps}"`);
  if (values.quick && values.full) throw new Error(`--quick and --full exclude each other\n${USAGE}`);
  const mode: RunMode = values.quick ? "quick" : values.full ? "full" : "default";
  return { seed, mode, steps, pick: (choices) => choices[mode] };
}
