/** What a workload gives the runner for one implementation: a step to time, and cleanup. */
export interface Runnable {
  step(): void | Promise<void>;
  dispose?(): void;
}

export interface TimingOptions {
  warmup: number;
  minSteps: number;
  /** Stop once this much time went by and at least minSteps ran. */
  budgetMs: number;
}

/**
 * BENCH.md: 3 warm-up steps, then at least 20 steps or 5 seconds. Timing runs for at least 5 s
 * (so a fast step is measured over hundreds of steps, past the JIT's warm-up, and one of 250 ms
 * over 20) and at least 3 steps; a peer that takes seconds per step stops after 3 steps or 15 s.
 * Quick is one short pass.
 */
export function timingOptions(quick: boolean): TimingOptions {
  return quick ? { warmup: 1, minSteps: 2, budgetMs: 500 } : { warmup: 3, minSteps: 3, budgetMs: 5000 };
}

export interface Timing {
  medianMs: number;
  steps: number;
  samplesMs: number[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs warm-up steps, then timed steps until budgetMs went by and at least minSteps ran. */
export async function time(run: Runnable, opts: TimingOptions): Promise<Timing> {
  const warmStart = performance.now();
  for (let i = 0; i < opts.warmup; i++) {
    await run.step();
    // a peer that takes seconds per step gets fewer warm-up steps
    if (performance.now() - warmStart > opts.budgetMs) break;
  }
  const samplesMs: number[] = [];
  const start = performance.now();
  for (;;) {
    const t0 = performance.now();
    await run.step();
    samplesMs.push(performance.now() - t0);
    const elapsed = performance.now() - start;
    // a peer that takes many seconds per step is measured on fewer steps (see steps in the JSON)
    if ((samplesMs.length >= opts.minSteps && elapsed > opts.budgetMs) || elapsed > 3 * opts.budgetMs) break;
  }
  return { medianMs: median(samplesMs), steps: samplesMs.length, samplesMs };
}
