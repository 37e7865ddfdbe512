// %% [markdown]
// # Model exchange: ONNX out, TF.js Keras models in and out
//
// Two round trips between tapegrad and other runtimes, all in this process:
//
// 1. A character-level LSTM is trained in tapegrad on a short text, exported with
//    `exportOnnx` (ONNX's own LSTM operator), and sampled greedily one character at a time
//    both in tapegrad and in onnxruntime (its WebAssembly build), carrying the (h, c) state
//    through the ONNX graph's inputs and outputs. The two samples must be identical.
// 2. A Keras-style sentiment model (Embedding -> LSTM -> Dense(sigmoid)) is built and
//    initialised by TensorFlow.js, handed over in memory with `loadLayersModel`, fine-tuned
//    in tapegrad, exported back to TF.js with `saveLayersModel` and to ONNX with `exportOnnx`;
//    all three runtimes give the same predictions.
//
// **Expected result** (default, seed 0, about half a minute): the char LSTM's loss falls from
// about 3.35 to 0.003 and both greedy samples reproduce the text character for character; the
// sentiment model goes from chance (44%) to 100% on its toy reviews, and the largest difference
// between runtimes is about 1e-7. The ONNX files land in `examples/out/`, the loss curves in
// `examples/out/model-exchange.svg`.
//
// Run: `npx tsx examples/model-exchange.ts [--full] [--seed N] [--steps N]`.

// %%
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-web";
import { writeFileSync } from "node:fs";
import { noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { binaryCrossEntropy, crossEntropy, Embedding, exportOnnx, Linear, loadLayersModel, LSTM, Module, saveLayersModel, type ModelArtifacts } from "@tapegrad/nn";
import { Adam } from "@tapegrad/optim";
import { runOptions } from "./lib/args";
import { seedEverything } from "./lib/random";
import { lineChart, outPath, writeFigure } from "./lib/svg";

const run = runOptions();
seedEverything(run.seed);
const config = run.pick({
  quick: { charSteps: 3, sentimentSteps: 3, hidden: 8, sample: 20 },
  default: { charSteps: 300, sentimentSteps: 60, hidden: 48, sample: 80 },
  full: { charSteps: 1500, sentimentSteps: 200, hidden: 96, sample: 200 },
});
ort.env.wasm.numThreads = 1;

// %% [markdown]
// ## 1. A char LSTM, trained here, sampled in onnxruntime
// The model returns its logits and its final state, so that a sampler can feed the state back
// in: the exported graph has inputs `ids`, `h0`, `c0` and outputs `logits`, `h`, `c`, with
// batch and time left dynamic.

// %%
const text = "the quick brown fox jumps over the lazy dog. a lazy dog sleeps while the quick fox runs. ";
const chars = [...new Set(text)].sort();
const V = chars.length;
const H = config.hidden;

class CharLSTM extends Module {
  embed = new Embedding(V, 16);
  lstm = new LSTM({ inputSize: 16, hiddenSize: H, batchFirst: true });
  head = new Linear(H, V);
  forward(ids: Tensor, h0: Tensor, c0: Tensor): Tensor[] {
    const [y, [h, c]] = this.lstm.forward(this.embed.forward(ids), [h0, c0]);
    return [this.head.forward(y), h, c];
  }
}

const charModel = new CharLSTM();
const ids = (s: string) => tensor([[...s].map((ch) => chars.indexOf(ch))], { dtype: "int32" });
const zerosState = () => tensor(new Float32Array(H), { shape: [1, 1, H] });
const charOpt = new Adam(charModel.parameters(), { lr: 0.01 });
const charLosses: number[] = [];
const window = 32;
for (let step = 0; step < (run.steps ?? config.charSteps); step++) {
  const start = (step * 7) % (text.length - window - 1);
  const chunk = text.slice(start, start + window + 1);
  charOpt.zeroGrad();
  const [logits] = charModel.forward(ids(chunk.slice(0, -1)), zerosState(), zerosState());
  const target = tensor([...chunk.slice(1)].map((ch) => chars.indexOf(ch)), { dtype: "int32" });
  const loss = crossEntropy(logits!.reshape([window, V]), target);
  loss.backward();
  charOpt.step();
  charLosses.push(loss.item());
}
console.log(`char LSTM loss: ${charLosses[0]!.toFixed(3)} -> ${charLosses.at(-1)!.toFixed(3)}`);

// %%
const charBytes = exportOnnx(charModel, [ids("the"), zerosState(), zerosState()], {
  inputNames: ["ids", "h0", "c0"],
  outputNames: ["logits", "h", "c"],
  dynamicAxes: { ids: [0, 1], h0: [1], c0: [1], logits: [0, 1], h: [1], c: [1] },
});
writeFileSync(outPath("model-exchange-char-lstm.onnx"), charBytes);
const session = await ort.InferenceSession.create(charBytes);

const argmaxLast = (data: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < V; i++) if (data[data.length - V + i]! > data[data.length - V + best]!) best = i;
  return best;
};
const toOrt = (t: Tensor) => new ort.Tensor(t.dtype === "int32" ? "int32" : "float32", t.data() as Float32Array | Int32Array, t.shape);

/** Greedy sampling: the prompt once, then one character per call, the state carried along. */
async function sample(step: (x: Tensor, h: Tensor, c: Tensor) => Promise<[ArrayLike<number>, Tensor, Tensor]>): Promise<string> {
  let out = "the ";
  let [logits, h, c] = await step(ids(out), zerosState(), zerosState());
  for (let i = 0; i < config.sample; i++) {
    const ch = chars[argmaxLast(logits)]!;
    out += ch;
    [logits, h, c] = await step(ids(ch), h, c);
  }
  return out;
}
const fromTapegrad = await sample(async (x, h, c) => {
  const [logits, h1, c1] = noGrad(() => charModel.forward(x, h, c));
  return [logits!.data(), h1!, c1!];
});
const fromOnnx = await sample(async (x, h, c) => {
  const r = await session.run({ ids: toOrt(x), h0: toOrt(h), c0: toOrt(c) });
  const back = (t: ort.Tensor) => tensor(t.data as Float32Array, { shape: [...t.dims] });
  return [r["logits"]!.data as Float32Array, back(r["h"]!), back(r["c"]!)];
});
console.log(`tapegrad:    ${JSON.stringify(fromTapegrad)}\nonnxruntime: ${JSON.stringify(fromOnnx)}`);
if (fromTapegrad !== fromOnnx) throw new Error("the greedy samples of tapegrad and onnxruntime differ");
await session.release();

// %% [markdown]
// ## 2. A Keras sentiment model: TF.js -> tapegrad (fine-tune) -> TF.js and ONNX
// TF.js builds and initialises the model (its LSTM gates are set to `sigmoid`, Keras's default;
// TF.js's default `hard_sigmoid` loads and exports too). Reviews are 6 word ids; "good"
// words are 1-4, "bad" words 5-8, filler 9-15; the label is whether good words outnumber bad.

// %%
const L = 6;
const keras = tf.sequential({
  layers: [tf.layers.embedding({ inputDim: 16, outputDim: 8, inputLength: L }), tf.layers.lstm({ units: 8, recurrentActivation: "sigmoid" }), tf.layers.dense({ units: 1, activation: "sigmoid" })],
});
let artifacts: ModelArtifacts | undefined;
await keras.save(tf.io.withSaveHandler(async (a) => ((artifacts = a as unknown as ModelArtifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
const sentiment = loadLayersModel(artifacts!);

let seed = run.seed + 1;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
const reviews = Array.from({ length: 64 }, () => Array.from({ length: L }, () => 1 + rand(15)));
const labels = reviews.map((r) => (r.filter((w) => w <= 4).length > r.filter((w) => w >= 5 && w <= 8).length ? 1 : 0));
const x = tensor(reviews, { dtype: "int32" });
const y = tensor(labels, { shape: [labels.length, 1] });
const accuracy = () => noGrad(() => Array.from((sentiment.forward(x) as Tensor).data()).filter((p, i) => (p > 0.5 ? 1 : 0) === labels[i]).length / labels.length);
console.log(`sentiment accuracy before fine-tuning: ${(100 * accuracy()).toFixed(0)}%`);
const opt = new Adam(sentiment.parameters(), { lr: 0.05 });
const sentimentLosses: number[] = [];
for (let step = 0; step < (run.steps ?? config.sentimentSteps); step++) {
  opt.zeroGrad();
  const loss = binaryCrossEntropy(sentiment.forward(x) as Tensor, y);
  loss.backward();
  opt.step();
  sentimentLosses.push(loss.item());
}
console.log(`sentiment accuracy after fine-tuning in tapegrad: ${(100 * accuracy()).toFixed(0)}%`);

// %%
const mine = noGrad(() => (sentiment.forward(x) as Tensor).data());
let saved: ModelArtifacts | undefined;
await saveLayersModel(sentiment, { save: (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } }) });
const back = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
const tfjs = (back.predict(tf.tensor2d(reviews, [reviews.length, L], "int32")) as tf.Tensor).dataSync();

const sentimentBytes = exportOnnx(sentiment, x, { inputNames: ["ids"], outputNames: ["p"], dynamicAxes: { ids: [0, 1], p: [0] } });
writeFileSync(outPath("model-exchange-sentiment.onnx"), sentimentBytes);
const s2 = await ort.InferenceSession.create(sentimentBytes);
const onnx = (await s2.run({ ids: toOrt(x) }))["p"]!.data as Float32Array;
await s2.release();
const maxDiff = (a: ArrayLike<number>) => Math.max(...Array.from(mine, (v, i) => Math.abs(v - a[i]!)));
console.log(`largest difference to tapegrad: TF.js ${maxDiff(tfjs).toExponential(1)}, onnxruntime ${maxDiff(onnx).toExponential(1)}`);
if (maxDiff(tfjs) > 1e-5 || maxDiff(onnx) > 1e-5) throw new Error("the runtimes disagree");

// %%
writeFigure(
  "model-exchange",
  lineChart({
    title: "Training in tapegrad before export",
    xLabel: "step",
    yLabel: "loss",
    series: [
      { name: "char LSTM (cross-entropy)", values: charLosses },
      { name: "TF.js sentiment model (BCE)", values: sentimentLosses },
    ],
  }),
);
