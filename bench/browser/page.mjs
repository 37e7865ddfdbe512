// The browser benchmark's page: W6 (n = 512 matmul) and W1 (one LSTM training step, BENCH.md) on
// the wasm backend; in a cross-origin-isolated page after the Web Workers have started.
import * as autograd from "@tapegrad/autograd";
import { LSTM, mseLoss } from "@tapegrad/nn";
import { Adam } from "@tapegrad/optim";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(step, warmup, runs) {
  for (let i = 0; i < warmup; i++) step();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step();
    ms.push(performance.now() - t0);
    await sleep(0);
  }
  return median(ms);
}

try {
  autograd.setBackend("wasm");
  autograd.manualSeed(0);
  const a = autograd.randn([512, 512]), b = autograd.randn([512, 512]);
  for (let i = 0; i < 50 && globalThis.crossOriginIsolated && autograd.getThreads() < 2; i++) {
    a.matmul(b);
    await sleep(100);
  }
  const w6 = await time(() => a.matmul(b), 5, 30);
  const lstm = new LSTM({ inputSize: 64, hiddenSize: 256 });
  const x = autograd.randn([50, 32, 64]), y = autograd.randn([50, 32, 256]);
  const opt = new Adam(lstm.parameters(), { lr: 1e-3 });
  const w1 = await time(() => {
    opt.zeroGrad();
    mseLoss(lstm.forward(x)[0], y).backward();
    opt.step();
  }, 3, 12);
  window.result = { isolated: globalThis.crossOriginIsolated === true, threads: autograd.getThreads(), w6, w6Gflops: (2 * 512 ** 3) / (w6 * 1e6), w1 };
} catch (e) {
  window.result = { error: `${e.name}: ${e.message}` };
}
