// A user's program (run.mjs type-checks it and runs it both as ESM and, copied to train.cts, as
// CommonJS): trains a small LSTM a few steps and round-trips it through safetensors.
import { manualSeed, randn } from "@tapegrad/autograd";
import { LSTM, Linear, mseLoss } from "@tapegrad/nn";
import { loadSafetensors, saveSafetensors } from "@tapegrad/nn/node";
import { Adam } from "@tapegrad/optim";

declare const console: { log(text: string): void };

manualSeed(0);
const config = { inputSize: 3, hiddenSize: 8 };
const lstm = new LSTM(config);
const head = new Linear(8, 1);
const x = randn([6, 4, 3]);
const y = x.select(2, 0).mean(0).unsqueeze(1);
const opt = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
const losses: number[] = [];
for (let step = 0; step < 5; step++) {
  opt.zeroGrad();
  const loss = mseLoss(head.forward(lstm.forward(x)[0].select(0, -1)), y);
  loss.backward();
  opt.step();
  losses.push(loss.item());
}
if (!(losses[4]! < losses[0]!)) throw new Error(`the loss did not decrease: ${losses.join(", ")}`);

saveSafetensors("lstm.safetensors", lstm.stateDict());
const restored = new LSTM(config);
restored.loadStateDict(loadSafetensors("lstm.safetensors"));
const difference = restored.forward(x)[0].sub(lstm.forward(x)[0]).abs().max().item();
if (difference !== 0) throw new Error(`the reloaded LSTM differs by ${difference}`);
console.log(JSON.stringify({ losses, printed: String(lstm) }));
