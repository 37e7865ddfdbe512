// npx tsx bench/src/memory.ts [T,T,...] [--gru]: peak RSS of W1's LSTM (64 -> 256, batch 32, MSE, Adam; a GRU of the same sizes with --gru)
// trained for 3 steps over T time steps (default 50,200,400), tapegrad (bench/src/checkpoint.ts's
// child, no checkpointing) beside PyTorch on one thread (bench/torch/memory.py), each in a fresh
// process, alternating. "Growth" is the peak over the RSS after setup: what a step's activations,
// gradients and temporaries take. PyTorch also reports the bytes autograd saved for backward.
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { backendInfo } from "./backend";
import { runChild } from "./child";

interface Result {
  stepMs: number[];
  setupRssMB: number;
  peakRssMB: number;
  savedMB?: number;
  graphMB?: number;
}

const layer = process.argv.includes("--gru") ? "gru" : "lstm";
const lengths = (process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "50,200,400").split(",").map(Number);
const checkpointScript = fileURLToPath(new URL("./checkpoint.ts", import.meta.url));
const torchScript = fileURLToPath(new URL("../torch/memory.py", import.meta.url));
const python = process.env.TAPEGRAD_PYTHON ?? "/usr/bin/python3";
const load = () => loadavg().map((l) => l.toFixed(2)).join(" / ");
console.log(`${layer.toUpperCase()} 64 -> 256, batch 32, MSE, Adam, 3 steps; tapegrad on ${await backendInfo()}, PyTorch on one thread; load ${load()}`);
console.log("T | tapegrad setup / peak / growth MB | torch setup / peak / growth MB | growth tapegrad / torch | tapegrad graph MB | torch saved MB | graph / saved");
for (const T of lengths) {
  const tapegrad = runChild<Result>(process.execPath, [...process.execArgv, "--expose-gc", checkpointScript, "--child", String(T), "0", layer]);
  const torch = runChild<Result>(python, [torchScript, String(T), layer]);
  if (typeof tapegrad === "string" || typeof torch === "string") {
    console.log(`${T} | ${typeof tapegrad === "string" ? tapegrad : "ok"} | ${typeof torch === "string" ? torch : "ok"}`);
    continue;
  }
  const growth = (r: Result) => r.peakRssMB - r.setupRssMB;
  const f = (r: Result) => `${r.setupRssMB.toFixed(0)} / ${r.peakRssMB.toFixed(0)} / ${growth(r).toFixed(0)}`;
  const graph = tapegrad.graphMB!, saved = torch.savedMB!;
  console.log(`${T} | ${f(tapegrad)} | ${f(torch)} | ${(growth(tapegrad) / growth(torch)).toFixed(2)}x | ${graph.toFixed(1)} | ${saved.toFixed(1)} | ${(graph / saved).toFixed(2)}x`);
}
console.log(`load ${load()} at the end`);
