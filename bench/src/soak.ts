// npx tsx bench/src/soak.ts [steps] [workload]: runs a tapegrad workload for many steps and
// prints RSS every 100 steps, to check that memory stays flat over a long training run.
import { WORKLOADS } from "./workloads";

const steps = Number(process.argv[2] ?? 2000);
const group = (process.argv[3] ?? "W1").toUpperCase();
const workload = WORKLOADS.find((w) => w.group === group);
if (!workload) throw new Error(`soak: unknown workload ${group}`);
const run = await workload.setup("tapegrad");
const rss: Record<number, number> = {};
const start = performance.now();
for (let i = 1; i <= steps; i++) {
  await run.step();
  if (i % 100 === 0) {
    rss[i] = process.memoryUsage.rss() / 2 ** 20;
    console.log(`step ${i}: RSS ${rss[i]!.toFixed(0)} MB, ${((performance.now() - start) / i).toFixed(0)} ms/step`);
  }
}
const first = rss[100]!, last = rss[Math.floor(steps / 100) * 100]!;
console.log(`${workload.id}: RSS ${first.toFixed(0)} MB at step 100, ${last.toFixed(0)} MB at step ${steps} (${(((last - first) / first) * 100).toFixed(1)}%), peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
