// Runs one workload for one implementation in a fresh process and prints one JSON line, so
// that peak RSS belongs to that workload alone.
import { time, timingOptions } from "./harness";
import type { NodeImpl } from "./impls";
import { applyBackendFromEnv } from "./backend";
import { WORKLOADS } from "./workloads";

applyBackendFromEnv();

const [id, impl, quick] = process.argv.slice(2) as [string, NodeImpl, string];
const workload = WORKLOADS.find((w) => w.id === id);
if (!workload) throw new Error(`run-one: unknown workload ${JSON.stringify(id)}`);
const runnable = await workload.setup(impl);
const timing = await time(runnable, timingOptions(quick === "quick"));
runnable.dispose?.();
const peakRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`RESULT ${JSON.stringify({ id, impl, ...timing, peakRssMB })}\n`);
