// npx tsx bench/src/phases.ts: W1's step split into forward + loss, backward and optimizer
// (median ms of 20 steps after 5 warm-up steps), to see which half a change moves.
import { manualSeed, randn } from "@tapegrad/autograd";
import { LSTM, mseLoss } from "@tapegrad/nn";
import { Adam } from "@tapegrad/optim";
manualSeed(1);
const lstm = new LSTM({ inputSize: 64, hiddenSize: 256 });
const x = randn([50, 32, 64]), y = randn([50, 32, 256]);
const opt = new Adam(lstm.parameters(), { lr: 1e-3 });
const acc = { fwd: [] as number[], bwd: [] as number[], opt: [] as number[], step: [] as number[] };
for (let i = 0; i < 25; i++) {
  opt.zeroGrad();
  const t0 = performance.now();
  const loss = mseLoss(lstm.forward(x)[0], y);
  const t1 = performance.now();
  loss.backward();
  const t2 = performance.now();
  opt.step();
  const t3 = performance.now();
  if (i >= 5) { acc.step.push(t3 - t0); acc.fwd.push(t1 - t0); acc.bwd.push(t2 - t1); acc.opt.push(t3 - t2); }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!.toFixed(1);
console.log(`step ${med(acc.step)} fwd ${med(acc.fwd)} bwd ${med(acc.bwd)} opt ${med(acc.opt)}`);
