// npx tsx bench/src/checkpoint.ts [T] [k,k,...]: peak memory and time of a training step of a
// W1-sized LSTM (input 64, hidden 256, batch 32, MSE, Adam) over T steps (default 2000), plain
// (k = 0) and with the time loop checkpointed every k steps (default 0,50,200). Every variant
// runs in a fresh child process, so its peak RSS is its own.
import { fileURLToPath } from "node:url";
import { manualSeed, randn } from "@tapegrad/autograd";
import { GRU, LSTM, mseLoss } from "@tapegrad/nn";
import { Adam } from "@tapegrad/optim";
import { applyBackendFromEnv, backendInfo } from "./backend";
import { runChild } from "./child";

const STEPS = 3;

interface Result {
  checkpointEvery: number;
  T: number;
  stepMs: number[];
  setupRssMB: number;
  peakRssMB: number;
  /** Bytes of array buffers the graph holds between forward and backward (first step, after a full GC; needs --expose-gc). */
  graphMB?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const arrayBufferBytes = () => (gc?.(), process.memoryUsage().arrayBuffers);

/** `layer`: the LSTM of these benchmarks, or a GRU of the same sizes (bench/src/memory.ts --gru). */
function child(T: number, checkpointEvery: number, layer: "lstm" | "gru"): Result {
  applyBackendFromEnv();
  manualSeed(1);
  const recurrent = new (layer === "gru" ? GRU : LSTM)({ inputSize: 64, hiddenSize: 256, checkpointEvery });
  const x = randn([T, 32, 64]);
  const y = randn([T, 32, 256]);
  const optimizer = new Adam(recurrent.parameters(), { lr: 1e-3 });
  const setupRssMB = process.memoryUsage.rss() / 2 ** 20;
  const stepMs: number[] = [];
  let graphMB: number | undefined;
  for (let i = 0; i < STEPS; i++) {
    const start = performance.now();
    optimizer.zeroGrad();
    const before = i === 0 && gc ? arrayBufferBytes() : 0;
    const loss = mseLoss(recurrent.forward(x)[0], y);
    if (i === 0 && gc) graphMB = (arrayBufferBytes() - before) / 2 ** 20;
    loss.backward();
    optimizer.step();
    stepMs.push(performance.now() - start);
  }
  return { checkpointEvery, T, stepMs, setupRssMB, peakRssMB: process.resourceUsage().maxRSS / 1024, ...(graphMB === undefined ? {} : { graphMB }) };
}

const args = process.argv.slice(2);
if (args[0] === "--child") {
  process.stdout.write(`RESULT ${JSON.stringify(child(Number(args[1]), Number(args[2]), args[3] === "gru" ? "gru" : "lstm"))}\n`);
} else {
  const T = Number(args[0] ?? 2000);
  const variants = (args[1] ?? "0,50,200").split(",").map(Number);
  console.log(`LSTM 64 -> 256, batch 32, T = ${T}, ${STEPS} training steps per variant, tapegrad on ${await backendInfo()}`);
  console.log("checkpointEvery | median step ms | steps ms | RSS after setup MB | peak RSS MB");
  for (const k of variants) {
    const r = runChild<Result>(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", String(T), String(k)], 1000);
    if (typeof r === "string") {
      console.log(`${k}: ${r}`);
      continue;
    }
    const median = [...r.stepMs].sort((a, b) => a - b)[STEPS >> 1]!;
    console.log(`${k || "off"} | ${median.toFixed(0)} | ${r.stepMs.map((m) => m.toFixed(0)).join(" / ")} | ${r.setupRssMB.toFixed(0)} | ${r.peakRssMB.toFixed(0)}`);
  }
}
