// node --cpu-prof --cpu-prof-dir=bench/profiles --import tsx bench/src/profile.ts W1 [steps]
// Runs a tapegrad workload for a few steps (under the V8 profiler when asked) and prints the
// median wall and CPU time per step; CPU time is steadier on a machine shared with other work.
import { median } from "./harness";
import { applyBackendFromEnv } from "./backend";
import { WORKLOADS } from "./workloads";

applyBackendFromEnv();

const [group = "W1", steps = "10"] = process.argv.slice(2);
const workload = WORKLOADS.find((w) => w.group === group.toUpperCase() || w.id === group);
if (!workload) throw new Error(`profile: unknown workload ${group}`);
const run = await workload.setup("tapegrad");
await run.step();
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < Number(steps); i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run.step();
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  wall.push(performance.now() - t0);
}
console.log(`${workload.id}: median wall ${median(wall).toFixed(1)} ms, cpu ${median(cpu).toFixed(1)} ms per step`);
