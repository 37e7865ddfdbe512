// %% [markdown]
// # Sequence to sequence with attention: written dates to ISO dates
//
// An encoder-decoder translates dates written the way people write them ("monday, march 21,
// 1994", "the 3rd of may 2007", "21 mar 1994", "21.03.1994") into ISO 8601 ("1994-03-21"),
// character by character. The pairs are generated (with a fixed seed), so there is nothing
// to download or license.
//
// - **Encoder**: character embedding -> bidirectional GRU, told each source's length, so
//   its outputs past the end are zero and padding never enters a state.
// - **Attention**: additive (Bahdanau) attention from `@tapegrad/nn`: at each output step
//   the decoder's state scores every encoder output, padded positions are masked out, and
//   the softmax weights mix the encoder outputs into a context vector.
// - **Decoder**: a GRU cell fed the previous output character and the context; trained with
//   teacher forcing (the true previous character as input), decoded greedily (its own
//   previous prediction as input).
//
// **Expected result** (default: 500 Adam steps, about a minute, seed 0): exact-match
// accuracy on 500 held-out dates of 100% (the training loss falls below 0.001 per
// character), and in `examples/out/seq2seq-attention.svg` an attention map where the
// year digits look at the year, the month digits at the month name ("jul") and the day
// digits at the day, wherever they sit in the source. `--full` trains a larger model on
// 20,000 pairs for 3000 steps (about 10 minutes): 100% on 1000 held-out dates, with a
// training loss near 1e-5.
//
// Run: `npx tsx examples/seq2seq-attention.ts [--full] [--seed N] [--steps N]`.

// %%
import { cat, Generator, manualSeed, noGrad, stack, tensor, type Tensor } from "@tapegrad/autograd";
import { AdditiveAttention, crossEntropy, Embedding, GRU, GRUCell, Linear, Module, paddingMask } from "@tapegrad/nn";
import { Adam, clipGradNorm } from "@tapegrad/optim";
import { runOptions } from "./lib/args";
import { printChart } from "./lib/chart";
import { progress } from "./lib/progress";
import { seedEverything } from "./lib/random";
import { heatMap, lineChart, sideBySide, writeFigure } from "./lib/svg";

const run = runOptions();
const gen = seedEverything(run.seed);
const config = run.pick({
  quick: { train: 64, test: 32, batch: 16, steps: 3, embed: 8, encoder: 8, decoder: 16, attention: 8 },
  default: { train: 5000, test: 500, batch: 32, steps: 500, embed: 16, encoder: 48, decoder: 96, attention: 48 },
  full: { train: 20_000, test: 1000, batch: 64, steps: 3000, embed: 24, encoder: 64, decoder: 128, attention: 64 },
});
const steps = run.steps ?? config.steps;

// %% [markdown]
// ## The data

// %%
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const ordinal = (d: number) => `${d}${d % 10 === 1 && d !== 11 ? "st" : d % 10 === 2 && d !== 12 ? "nd" : d % 10 === 3 && d !== 13 ? "rd" : "th"}`;
const pad2 = (n: number) => String(n).padStart(2, "0");

function datePair(): { source: string; target: string } {
  const date = new Date(Date.UTC(1950, 0, 1) + gen.integer(0, 100 * 365.25) * 86_400_000);
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  const month = MONTHS[m]!;
  const formats = [
    () => `${month} ${d}, ${y}`,
    () => `${d} ${month} ${y}`,
    () => `${d} ${month.slice(0, 3)} ${y}`,
    () => `the ${ordinal(d)} of ${month} ${y}`,
    () => `${DAYS[date.getUTCDay()]}, ${month} ${d}, ${y}`,
    () => `${pad2(d)}.${pad2(m + 1)}.${y}`,
    () => `${month.slice(0, 3)} ${ordinal(d)} ${y}`,
  ];
  return { source: formats[gen.integer(0, formats.length)]!(), target: `${y}-${pad2(m + 1)}-${pad2(d)}` };
}

const seen = new Set<string>();
const unique = (n: number) => {
  const out: { source: string; target: string }[] = [];
  while (out.length < n) {
    const p = datePair();
    if (!seen.has(p.source)) (seen.add(p.source), out.push(p));
  }
  return out;
};
const trainSet = unique(config.train);
const testSet = unique(config.test); // disjoint from the training sources

const SRC = ["<pad>", ...new Set([...trainSet, ...testSet].flatMap((p) => [...p.source]))].sort((a, b) => (a === "<pad>" ? -1 : b === "<pad>" ? 1 : a < b ? -1 : 1));
const TGT = ["<bos>", ..."0123456789-"];
const srcIndex = new Map(SRC.map((c, i) => [c, i]));
const tgtIndex = new Map(TGT.map((c, i) => [c, i]));
const TARGET_LENGTH = 10;
console.log(`${trainSet.length} training and ${testSet.length} held-out pairs; ${SRC.length - 1} source characters`);
for (const p of trainSet.slice(0, 5)) console.log(`  ${p.source.padEnd(32)} -> ${p.target}`);

/** Sources as (S, batch) ids padded to the longest with their lengths; targets as (10, batch). */
function encodeBatch(pairs: { source: string; target: string }[]) {
  const S = Math.max(...pairs.map((p) => p.source.length));
  const B = pairs.length;
  const src = new Int32Array(S * B);
  const tgt = new Int32Array(TARGET_LENGTH * B);
  pairs.forEach((p, b) => {
    [...p.source].forEach((c, t) => (src[t * B + b] = srcIndex.get(c)!));
    [...p.target].forEach((c, t) => (tgt[t * B + b] = tgtIndex.get(c)!));
  });
  return { src: tensor(src, { shape: [S, B] }), lengths: pairs.map((p) => p.source.length), tgt: tensor(tgt, { shape: [TARGET_LENGTH, B] }) };
}

// %% [markdown]
// ## The model

// %%
class DateTranslator extends Module {
  srcEmbed = new Embedding(SRC.length, config.embed);
  encoder = new GRU({ inputSize: config.embed, hiddenSize: config.encoder, bidirectional: true });
  bridge = new Linear(2 * config.encoder, config.decoder);
  attention = new AdditiveAttention(config.decoder, 2 * config.encoder, config.attention);
  tgtEmbed = new Embedding(TGT.length, config.embed);
  decoder = new GRUCell({ inputSize: config.embed + 2 * config.encoder, hiddenSize: config.decoder });
  out = new Linear(config.decoder + 2 * config.encoder, TGT.length);

  /**
   * Runs the decoder for 10 steps. With `tgt` (teacher forcing) step t reads the true
   * character t-1; without, it reads its own previous argmax. Returns the logits
   * (10, batch, |TGT|) and the attention weights (10, batch, S).
   */
  forward(src: Tensor, lengths: number[], tgt?: Tensor): [Tensor, Tensor] {
    const B = lengths.length;
    const [encoded, hN] = this.encoder.forward(this.srcEmbed.forward(src), undefined, { lengths });
    const keys = encoded.transpose(0, 1); // (batch, S, 2·encoder)
    const projectedKeys = this.attention.projectKeys(keys);
    const mask = paddingMask(lengths, src.shape[0]);
    let h = this.bridge.forward(cat([hN.select(0, 0), hN.select(0, 1)], -1)).tanh();
    let prev = tensor(new Int32Array(B)); // <bos>
    const logits: Tensor[] = [];
    const weights: Tensor[] = [];
    for (let t = 0; t < TARGET_LENGTH; t++) {
      const [context, w] = this.attention.forward(h, keys, keys, { mask, projectedKeys });
      h = this.decoder.forward(cat([this.tgtEmbed.forward(prev), context], -1), h);
      const step = this.out.forward(cat([h, context], -1));
      logits.push(step);
      weights.push(w);
      prev = tgt ? tgt.select(0, t) : step.argmax(-1);
    }
    return [stack(logits, 0), stack(weights, 0)];
  }
}

// %% [markdown]
// ## Training with teacher forcing

// %%
manualSeed(run.seed);
const model = new DateTranslator();
console.log(`DateTranslator: ${model.parameters().reduce((n, p) => n + p.numel, 0)} parameters`);
const optimizer = new Adam(model.parameters(), { lr: 5e-3 });
const data = new Generator(run.seed + 5);
const losses: number[] = [];
const bar = progress("seq2seq", steps);
for (let step = 1; step <= steps; step++) {
  const { src, lengths, tgt } = encodeBatch(Array.from({ length: config.batch }, () => trainSet[data.integer(0, trainSet.length)]!));
  const [logits] = model.forward(src, lengths, tgt);
  const loss = crossEntropy(logits.reshape([-1, TGT.length]), tgt.reshape([-1]));
  optimizer.zeroGrad();
  loss.backward();
  clipGradNorm(model.parameters(), 1);
  optimizer.step();
  losses.push(loss.item());
  bar.update(step, loss.item());
}
bar.stop();

// %% [markdown]
// ## Greedy decoding of held-out dates

// %%
function translate(pairs: { source: string; target: string }[]): { outputs: string[]; weights: number[][][] } {
  return noGrad(() => {
    model.eval();
    const { src, lengths } = encodeBatch(pairs);
    const [logits, w] = model.forward(src, lengths);
    const ids = logits.argmax(-1).tolist() as number[][]; // (10, batch)
    model.train();
    const perPair = w.permute([1, 0, 2]).tolist() as number[][][]; // (batch, 10, S)
    return { outputs: pairs.map((_, b) => ids.map((row) => TGT[row[b]!]!).join("")), weights: perPair };
  });
}

let exact = 0;
let charsRight = 0;
const mistakes: string[] = [];
for (let start = 0; start < testSet.length; start += 100) {
  const pairs = testSet.slice(start, start + 100);
  translate(pairs).outputs.forEach((out, i) => {
    const want = pairs[i]!.target;
    if (out === want) exact++;
    else if (mistakes.length < 5) mistakes.push(`  ${pairs[i]!.source.padEnd(32)} -> ${out} (want ${want})`);
    for (let c = 0; c < TARGET_LENGTH; c++) if (out[c] === want[c]) charsRight++;
  });
}
console.log(`\nheld-out exact-match accuracy ${(100 * exact / testSet.length).toFixed(1)}% (${exact}/${testSet.length}), per-character ${(100 * charsRight / (testSet.length * TARGET_LENGTH)).toFixed(1)}%`);
if (mistakes.length) console.log(`some mistakes:\n${mistakes.join("\n")}`);
const examples = [testSet[0]!, { source: "saturday, july 4, 1998", target: "1998-07-04" }, { source: "the 23rd of november 2031", target: "2031-11-23" }];
const shown = translate(examples);
examples.forEach((p, i) => console.log(`  ${p.source.padEnd(32)} -> ${shown.outputs[i]}`));

// %% [markdown]
// ## What the decoder looks at
//
// Row t of the map is the attention distribution while emitting output character t.

// %%
const sample = examples[1]!;
const map = shown.weights[1]!.map((row) => row.slice(0, sample.source.length));
printChart("training loss (cross-entropy per character)", { train: losses });
writeFigure(
  "seq2seq-attention",
  sideBySide([
    heatMap({
      title: `Attention: "${sample.source}" -> ${shown.outputs[1]}`,
      values: map,
      rowLabels: [...shown.outputs[1]!],
      colLabels: [...sample.source].map((c) => (c === " " ? "␣" : c)),
      xLabel: "source character",
      yLabel: "output character",
      cell: 20,
    }),
    lineChart({ title: "Training loss", xLabel: "step", yLabel: "cross-entropy per character", logY: true, series: [{ name: "train (batch)", values: losses }] }),
  ]),
);
