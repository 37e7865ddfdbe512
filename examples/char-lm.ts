// %% [markdown]
// # A character-level LSTM language model
//
// We train an LSTM to predict the next character of the Book of Genesis (King James
// Version, public domain, bundled in `examples/data/`), the classic "char-rnn" setup:
// Embedding -> LSTM -> Linear over 60 characters, cross-entropy on every position,
// Adam with gradient clipping, and truncated backpropagation through time over windows of
// a few dozen characters. Then we sample text at two temperatures, save the model as
// safetensors (the format PyTorch reads) and sample again from the reloaded copy. Last, a full
// checkpoint (model, optimizer, data generator, step) is saved and training resumes from it.
//
// **Expected result** (default run: 600 steps of 16 windows of 40 characters, about one
// minute on 2 CPU cores, seed 0): validation loss falls from ln 60 ≈ 4.11 nats (5.9 bits
// per character) at initialisation to about 1.39 nats, i.e. about 2.0 bits per character.
// Before training the samples are uniform noise; after, they are mostly real words with
// the book's cadence ("And God said, and the LORD said, and she said, ..."). The reloaded
// model samples exactly the same text as the trained one, and training resumed from the
// checkpoint gives the same losses as training on without a break. `--full` trains a wider model
// (128 units) on about five times as many characters: about 1.82 bits per character
// (1.26 nats) in about 3.5 minutes.
//
// Run: `npm run demo` or `npx tsx examples/char-lm.ts [--full] [--seed N] [--steps N]`.

// %%
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noGrad, tensor, type Generator, type Tensor } from "@tapegrad/autograd";
import { crossEntropy, Embedding, Linear, LSTM, Module } from "@tapegrad/nn";
import { loadCheckpoint, loadSafetensors, saveCheckpoint, saveSafetensors } from "@tapegrad/nn/node";
import { Adam, clipGradNorm } from "@tapegrad/optim";
import { runOptions } from "./lib/args";
import { printChart } from "./lib/chart";
import { progress } from "./lib/progress";
import { sampleIndex, seedEverything } from "./lib/random";
import { lineChart, outPath, writeFigure } from "./lib/svg";

const run = runOptions();
const gen = seedEverything(run.seed);
const config = run.pick({
  quick: { embed: 8, hidden: 16, layers: 1, batch: 4, window: 16, steps: 3, lr: 3e-3, evalEvery: 3, valChars: 256, sampleChars: 40 },
  default: { embed: 32, hidden: 96, layers: 1, batch: 16, window: 40, steps: 600, lr: 1e-2, evalEvery: 100, valChars: 4096, sampleChars: 240 },
  full: { embed: 32, hidden: 128, layers: 1, batch: 16, window: 64, steps: 2000, lr: 5e-3, evalEvery: 200, valChars: 19_000, sampleChars: 400 },
});
const steps = run.steps ?? config.steps;

// %% [markdown]
// ## The data
//
// 197 KB of text, 60 distinct characters (newline included). The last 10% is held out for validation.

// %%
const text = readFileSync(new URL("./data/genesis-kjv.txt", import.meta.url), "utf8");
const vocab = [...new Set(text)].sort();
const charIndex = new Map(vocab.map((c, i) => [c, i]));
const encode = (s: string) => Int32Array.from(s, (c) => {
  const i = charIndex.get(c);
  if (i === undefined) throw new Error(`char-lm: the character ${JSON.stringify(c)} is not in the vocabulary`);
  return i;
});
const ids = encode(text);
const split = Math.floor(ids.length * 0.9);
const trainIds = ids.subarray(0, split);
const valIds = ids.subarray(split, split + Math.min(config.valChars, ids.length - split));
console.log(`${text.length} characters, vocabulary of ${vocab.length}; ${trainIds.length} for training, ${valIds.length} for validation`);

/** A batch of random windows: inputs (window, batch) and the next characters as targets. */
function randomBatch(): { x: Tensor; y: Tensor } {
  const { batch, window } = config;
  const x = new Int32Array(window * batch);
  const y = new Int32Array(window * batch);
  for (let b = 0; b < batch; b++) {
    const start = gen.integer(0, trainIds.length - window - 1);
    for (let t = 0; t < window; t++) {
      x[t * batch + b] = trainIds[start + t]!;
      y[t * batch + b] = trainIds[start + t + 1]!;
    }
  }
  return { x: tensor(x, { shape: [window, batch] }), y: tensor(y, { shape: [window, batch] }) };
}

// %% [markdown]
// ## The model
//
// Parameter names follow PyTorch (`embed.weight`, `lstm.weight_ih_l0`, `head.bias`, ...), so
// the saved file loads into the same model written in PyTorch.

// %%
class CharLM extends Module {
  embed: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(vocabSize: number, embedDim: number, hiddenSize: number, numLayers: number) {
    super();
    this.embed = new Embedding(vocabSize, embedDim);
    this.lstm = new LSTM({ inputSize: embedDim, hiddenSize, numLayers });
    this.head = new Linear(hiddenSize, vocabSize);
  }

  /** x: (seq, batch) character ids -> logits (seq, batch, vocab) and the final [h, c]. */
  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const [out, next] = this.lstm.forward(this.embed.forward(x), state);
    return [this.head.forward(out), next];
  }
}

const model = new CharLM(vocab.length, config.embed, config.hidden, config.layers);
const parameterCount = model.parameters().reduce((n, p) => n + p.numel, 0);
console.log(`CharLM: ${parameterCount} parameters (${model.namedParameters().map(([n, p]) => `${n} [${p.shape}]`).join(", ")})`);

// %% [markdown]
// ## Validation loss and sampling
//
// Validation runs the model once over the held-out text, carrying the LSTM state across
// windows, and averages the cross-entropy (in nats; divide by ln 2 for bits per character).
// Sampling feeds a prompt, then draws each next character from softmax(logits / T): a low
// temperature T picks likely characters, T = 1 samples the model's own distribution.

// %%
function validationLoss(m: CharLM): number {
  return noGrad(() => {
    m.eval();
    const chunk = 512;
    let state: [Tensor, Tensor] | undefined;
    let total = 0;
    for (let start = 0; start + 1 < valIds.length; start += chunk) {
      const end = Math.min(start + chunk, valIds.length - 1);
      const x = tensor(valIds.slice(start, end), { shape: [end - start, 1] });
      const y = tensor(valIds.slice(start + 1, end + 1));
      const [logits, next] = m.forward(x, state);
      state = next;
      total += crossEntropy(logits.reshape([end - start, vocab.length]), y, { reduction: "sum" }).item();
    }
    m.train();
    return total / (valIds.length - 1);
  });
}

function sample(m: CharLM, prompt: string, length: number, temperature: number, g: Generator): string {
  return noGrad(() => {
    m.eval();
    let [logits, state] = m.forward(tensor(encode(prompt), { shape: [prompt.length, 1] }));
    let out = prompt;
    for (let i = 0; i < length; i++) {
      const last = logits.select(0, logits.shape[0]! - 1).reshape([-1]);
      const next = sampleIndex(last.div(temperature).softmax(0).data(), g);
      out += vocab[next];
      [logits, state] = m.forward(tensor([[next]], { dtype: "int32" }), state);
    }
    m.train();
    return out;
  });
}

const prompt = "And God said";
const bits = (nats: number) => nats / Math.LN2;
const initialVal = validationLoss(model);
console.log(`\nbefore training: validation loss ${initialVal.toFixed(3)} nats = ${bits(initialVal).toFixed(2)} bits/char`);
for (const temperature of [0.5, 1.0]) console.log(`sample (T=${temperature.toFixed(1)}): ${JSON.stringify(sample(model, prompt, 80, temperature, gen))}`);

// %% [markdown]
// ## Training
//
// Each step: a batch of random windows, forward over the window, cross-entropy on every
// position, backward through time, clip the global gradient norm to 1, Adam step.

// %%
/** One training step on a fresh batch of random windows; returns the loss. */
function trainStep(m: CharLM, opt: Adam): number {
  const { x, y } = randomBatch();
  const [logits] = m.forward(x);
  const loss = crossEntropy(logits.reshape([-1, vocab.length]), y.reshape([-1]));
  opt.zeroGrad();
  loss.backward();
  clipGradNorm(m.parameters(), 1.0);
  opt.step();
  return loss.item();
}

const optimizer = new Adam(model.parameters(), { lr: config.lr });
const trainCurve: number[] = [];
const valCurve: { step: number; loss: number }[] = [{ step: 0, loss: initialVal }];
const bar = progress("char-lm", steps);
for (let step = 1; step <= steps; step++) {
  trainCurve.push(trainStep(model, optimizer));
  if (step % config.evalEvery === 0 || step === steps) valCurve.push({ step, loss: validationLoss(model) });
  bar.update(step, trainCurve.at(-1)!, { val: valCurve.at(-1)!.loss });
}
const timing = bar.stop();
const finalVal = valCurve.at(-1)!.loss;
console.log(`after training: validation loss ${finalVal.toFixed(3)} nats = ${bits(finalVal).toFixed(2)} bits/char (${((steps * config.batch * config.window) / timing.seconds).toFixed(0)} characters/s)`);

// %%
const samplesAfter = [0.5, 1.0].map((temperature) => {
  const text = sample(model, prompt, config.sampleChars, temperature, seedEverything(run.seed));
  console.log(`\nsample (T=${temperature.toFixed(1)}):\n${text}`);
  return text;
});

// %% [markdown]
// ## Save, reload, sample again
//
// `saveSafetensors` writes the state dict; a fresh model loads it and, with the same
// random generator, samples exactly the same characters.

// %%
const file = outPath("char-lm.safetensors");
saveSafetensors(file, model.stateDict(), { vocabulary: vocab.join("") });
const reloaded = new CharLM(vocab.length, config.embed, config.hidden, config.layers);
reloaded.loadStateDict(loadSafetensors(file));
const reloadedSample = sample(reloaded, prompt, config.sampleChars, 0.5, seedEverything(run.seed));
console.log(`\nsaved to ${file}; the reloaded model's T=0.5 sample ${reloadedSample === samplesAfter[0] ? "is identical" : "DIFFERS"}`);
if (reloadedSample !== samplesAfter[0]) throw new Error("char-lm: the reloaded model samples different text than the trained one");

// %% [markdown]
// ## Checkpoint and resume
//
// `saveCheckpoint` writes the model, the optimizer's state (Adam's moments and step count),
// the data generator and the default generator's state, and any plain values (here the step)
// to one file. A fresh model and optimizer load it and train on: they draw the same batches
// and give the same losses, bit for bit, as the original training on without a break.

// %%
const checkpointDir = mkdtempSync(join(tmpdir(), "char-lm-"));
const checkpointFile = join(checkpointDir, "char-lm.ckpt");
saveCheckpoint(checkpointFile, { model, optimizer, generator: gen, step: steps });
const extraSteps = run.pick({ quick: 2, default: 10, full: 10 });
const goingOn = Array.from({ length: extraSteps }, () => trainStep(model, optimizer));
const resumedModel = new CharLM(vocab.length, config.embed, config.hidden, config.layers);
const resumedOptimizer = new Adam(resumedModel.parameters(), { lr: config.lr });
const { step: savedStep } = loadCheckpoint(checkpointFile, { model: resumedModel, optimizer: resumedOptimizer, generator: gen });
const resumed = Array.from({ length: extraSteps }, () => trainStep(resumedModel, resumedOptimizer));
rmSync(checkpointDir, { recursive: true, force: true });
console.log(`
resumed at step ${savedStep}; the next ${extraSteps} losses ${resumed.every((l, i) => l === goingOn[i]) ? "equal" : "DIFFER FROM"} those of training on: ${resumed.map((l) => l.toFixed(4)).join(" ")}`);
if (resumed.some((l, i) => l !== goingOn[i])) throw new Error("char-lm: training resumed from the checkpoint differs from training on");

// %%
printChart("training loss (nats per character)", { train: trainCurve });
writeFigure(
  "char-lm",
  lineChart({
    title: "Character LSTM on Genesis (KJV)",
    xLabel: "step",
    yLabel: "cross-entropy (nats/char)",
    series: [
      { name: "train (batch)", values: trainCurve, x: trainCurve.map((_, i) => i + 1) },
      { name: "validation", values: valCurve.map((v) => v.loss), x: valCurve.map((v) => v.step), points: true },
    ],
  }),
);
