// npm run bench [-- --workload W6[,W1...]] [--impl tapegrad,torch] [--quick] [--limit seconds] [--torch-threads n] [--rounds n]
// Runs each workload for tapegrad, PyTorch and TF.js in the same run, prints medians and ratios
// and writes bench/results/latest.json (quick runs: results/quick.json).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { IMPLS, type Impl } from "./impls";
import { printTable, type Row } from "./report";
import { writeResults } from "./results-md";
import { loadavg } from "node:os";
import { WORKLOADS } from "./workloads";
import { backendInfo } from "./backend";
import { python, torchArgs, torchInfo } from "./torch";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes("--quick");
const groups = option("workload")?.toUpperCase().split(",");
const impls = (option("impl")?.split(",") as Impl[] | undefined) ?? [...IMPLS];
for (const impl of impls) if (!IMPLS.includes(impl)) throw new Error(`bench: unknown --impl ${impl}; expected ${IMPLS.join(", ")}`);
const selected = WORKLOADS.filter((w) => !groups || groups.includes(w.group) || groups.includes(w.id.toUpperCase()));
if (selected.length === 0) throw new Error(`bench: no workload matches ${groups?.join(",")}; known: ${WORKLOADS.map((w) => w.id).join(", ")}`);

// The machine drifts by 10-30% within minutes (its two vCPUs sometimes share one core), so
// tapegrad and torch, close enough for the drift to decide their ratio, run in alternating
// rounds and each reports the median of its rounds. TF.js runs once: it is 20x slower.
const rounds = Number(option("rounds") ?? (quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: --rounds expects a positive integer, got ${option("rounds")}`);
const ROUNDED: readonly Impl[] = ["tapegrad", "torch"];

const root = fileURLToPath(new URL("../..", import.meta.url));
const runOne = fileURLToPath(new URL("./run-one.ts", import.meta.url));

// One thread by default: on this 2-core machine torch with 2 threads ran W1 slower, not faster.
const torchThreads = Number(option("torch-threads") ?? 1);
if (!Number.isInteger(torchThreads) || torchThreads < 1) throw new Error(`bench: --torch-threads expects a positive integer, got ${option("torch-threads")}`);
const torch = impls.includes("torch") ? torchInfo(torchThreads) : undefined;
if (torch) console.log("unavailable" in torch ? `torch: n/a (${torch.unavailable})` : `torch ${torch.version} (${torch.python}), BLAS: ${torch.blas}, threads: ${torch.threads}`);

// TF.js's CPU backend takes minutes per training step; a run that exceeds this is reported as
// "over the limit" (a lower bound) instead of holding up the whole table.
const limitMs = Number(option("limit") ?? (quick ? 60 : 150)) * 1000;

function measure(id: string, impl: Impl): Row["results"][Impl] {
  if (impl === "torch" && (!torch || "unavailable" in torch)) return { medianMs: NaN, steps: 0, peakRssMB: NaN, unavailable: true };
  const [command, commandArgs] = impl === "torch"
    ? [python, torchArgs(id, quick, torchThreads)]
    : [process.execPath, [...process.execArgv, runOne, id, impl, quick ? "quick" : "full"]];
  const child = spawnSync(command, commandArgs, {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 << 20,
    timeout: limitMs,
    killSignal: "SIGKILL",
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line && child.signal === "SIGKILL") {
    process.stderr.write(`bench: ${id} on ${impl} did not finish within ${limitMs / 1000} s\n`);
    return { medianMs: limitMs, steps: 0, peakRssMB: NaN, overLimit: true };
  }
  if (!line) {
    process.stderr.write(`bench: ${id} on ${impl} failed:\n${child.stderr.slice(-2000)}\n`);
    return undefined;
  }
  const r = JSON.parse(line.slice(7));
  return { medianMs: r.medianMs, steps: r.steps, peakRssMB: r.peakRssMB };
}

/** The run with the median time, its peak RSS the highest of all runs, and every run's time. */
function medianRun(list: NonNullable<Row["results"][Impl]>[]): Row["results"][Impl] {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const sorted = [...list].sort((a, b) => a.medianMs - b.medianMs);
  const mid = sorted[(sorted.length - 1) >> 1]!;
  return { ...mid, peakRssMB: Math.max(...list.map((r) => r.peakRssMB)), rounds: list.map((r) => r.medianMs) };
}

const loadAtStart = loadavg();
const rows: Row[] = [];
for (const w of selected) {
  const row: Row = { id: w.id, group: w.group, results: {} };
  // alternate implementations within a workload so drift on the shared machine hits all alike
  const runs: Partial<Record<Impl, NonNullable<Row["results"][Impl]>[]>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const impl of impls) {
      if (!w.impls.includes(impl) || (round > 0 && !ROUNDED.includes(impl))) continue;
      const r = measure(w.id, impl);
      if (r) (runs[impl] ??= []).push(r);
    }
  }
  for (const impl of impls) if (w.impls.includes(impl)) row.results[impl] = medianRun(runs[impl] ?? []);
  const tg = row.results.tapegrad;
  if (tg && w.throughput) row.throughput = { unit: w.throughput.unit, tapegrad: w.throughput.of(tg.medianMs) };
  if (w.throughput) {
    row.peerThroughput = {};
    for (const impl of impls) {
      const r = row.results[impl];
      if (r && !r.overLimit && !r.unavailable) row.peerThroughput[impl] = w.throughput.of(r.medianMs);
    }
  }
  rows.push(row);
  printTable([row], rows.length === 1);
}

const dir = fileURLToPath(new URL("../results/", import.meta.url));
mkdirSync(dir, { recursive: true });
const report = { date: new Date().toISOString(), quick, rounds, node: process.version, backend: await backendInfo(), loadavg: { start: loadAtStart, end: loadavg() }, ...(torch ? { torch } : {}), rows };
writeFileSync(dir + (quick ? "quick.json" : "latest.json"), JSON.stringify(report, null, 2) + "\n");
if (!quick) writeResults(dir);
