// npx tsx bench/src/tally.ts W1: time spent in elementwise kernels during one tapegrad step,
// by op, shape and strides (the table that showed where W1's elementwise time went).
import { backend, useBackend } from "../../packages/autograd/src/backend/backend";
import { WORKLOADS } from "./workloads";

const tally = new Map<string, { calls: number; ms: number }>();
const base = backend.kernels;
useBackend({ ...backend, kernels: {
  ...base,
  elementwise: (op, out, inputs, s0, s1) => {
    const key = `${op} ${out.shape.join("x")} out[${out.strides}] ${inputs.map((i) => `[${i.strides}]`).join(" ")}`;
    const t = performance.now();
    base.elementwise(op, out, inputs, s0, s1);
    const entry = tally.get(key) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += performance.now() - t;
    tally.set(key, entry);
  },
} });
const workload = WORKLOADS.find((w) => w.group === (process.argv[2] ?? "W1").toUpperCase());
if (!workload) throw new Error(`tally: unknown workload ${process.argv[2]}`);
const run = await workload.setup("tapegrad");
await run.step();
tally.clear();
await run.step();
console.log("    ms  calls  op shape strides");
for (const [key, v] of [...tally].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(v.ms.toFixed(1).padStart(6), String(v.calls).padStart(6), key);
