import { describe, expect, it } from "vitest";
import { time } from "../src/harness";
import { WORKLOADS } from "../src/workloads";

// Keeps the benchmark code from rotting: one tiny step of every tapegrad workload, untimed.
describe("bench smoke", () => {
  for (const w of WORKLOADS) {
    it(`${w.id} runs one step on tapegrad`, async () => {
      const run = await w.setup("tapegrad");
      const t = await time(run, { warmup: 0, minSteps: 1, budgetMs: 0 });
      run.dispose?.();
      expect(t.steps).toBe(1);
      expect(Number.isFinite(t.medianMs)).toBe(true);
    });
  }
});
