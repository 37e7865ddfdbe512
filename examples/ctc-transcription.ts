// %% [markdown]
// # Reading digit strings with CTC: Conv1d + bidirectional LSTM
//
// Images of digit strings ("40917", "3328815", ...) are drawn from a 5×7 bitmap font defined
// below, each glyph stretched to a random width, placed with random spacing and height and a
// random ink level, then covered in noise. A model reads the image column by column, as a
// sequence: two `Conv1d` layers (the image rows are the channels, the columns time; the second
// halves the time steps) feed a bidirectional LSTM, whose per-step class scores over
// {blank, 0–9} are trained with `ctcLoss`, so no one says where a digit starts or ends. The
// held-out images are decoded with `ctcGreedyDecode` and `ctcBeamSearch` and scored by the
// character error rate (`CharErrorRate`, edit distance over characters).
// The data is generated with a fixed seed (nothing to license).
//
// **Expected result** (default: 1500 steps, about a minute of CPU time, seed 0): a held-out
// character error rate of about 1.4% with both decoders (beam search and greedy decoding agree
// on every held-out image once the posteriors are this peaked; the misreads left are digits
// whose glyphs differ by a few pixels, such as 0, 6 and 8), and
// `examples/out/ctc-transcription.svg` with the training loss, one held-out image and the CTC
// posteriors over its time steps: each digit lights up as a short spike of its class between
// runs of blank. `--full` (a wider model, 2500 steps, 1000 held-out images, about 3 minutes of
// CPU time) gets to about 0.65%.
//
// Run: `npx tsx examples/ctc-transcription.ts [--full] [--seed N] [--steps N]`.

// %%
import { Generator, interpolate, manualSeed, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { CharErrorRate, Conv1d, ctcBeamSearch, ctcGreedyDecode, ctcLoss, Linear, LSTM, Module } from "@tapegrad/nn";
import { Adam, clipGradNorm } from "@tapegrad/optim";
import { runOptions } from "./lib/args";
import { movingAverage, printChart } from "./lib/chart";
import { progress } from "./lib/progress";
import { seedEverything } from "./lib/random";
import { heatMap, lineChart, sideBySide, writeFigure } from "./lib/svg";

const run = runOptions();
const gen = seedEverything(run.seed);
const config = run.pick({
  quick: { steps: 4, batch: 8, test: 16, channels: 8, hidden: 8, maxDigits: 4 },
  default: { steps: 1500, batch: 24, test: 400, channels: 32, hidden: 48, maxDigits: 8 },
  full: { steps: 2500, batch: 24, test: 1000, channels: 48, hidden: 64, maxDigits: 8 },
});
const steps = run.steps ?? config.steps;

// %% [markdown]
// ## The font and the images
//
// Each digit is a 5×7 bitmap. `interpolate` (bilinear) resizes it to 4, 5 or 6 columns, so
// the strokes of narrow and wide digits are grey, not just repeated pixels. An image is 9
// rows high: the glyph sits at a random height, digits are 1–3 columns apart, and the whole
// image gets Gaussian noise and a few random specks.

// %%
const FONT = [
  ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
  ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
  ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
  ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
  ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
  ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
  ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
  ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
  ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
  ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
];
const HEIGHT = 9;
const WIDTHS = [4, 5, 6];

/** glyphs[digit][width]: the 7 rows of the digit resized to that many columns. */
const glyphs = FONT.map((rows) => {
  const bitmap = tensor(rows.map((r) => [...r].map(Number)), { dtype: "float32" }).reshape([1, 1, 7, 5]);
  return new Map(WIDTHS.map((w) => [w, interpolate(bitmap, { size: [7, w], mode: "bilinear" }).reshape([7, w]).tolist() as number[][]]));
});

interface Sample {
  text: string;
  /** pixels[row][column], HEIGHT rows. */
  pixels: number[][];
}

function sample(g: Generator): Sample {
  const length = g.integer(2, config.maxDigits + 1);
  const text = Array.from({ length }, () => String(g.integer(0, 10))).join("");
  const columns: number[][] = [];
  const blank = () => columns.push(new Array<number>(HEIGHT).fill(0));
  for (let i = g.integer(1, 4); i > 0; i--) blank();
  for (const ch of text) {
    const glyph = glyphs[Number(ch)]!.get(WIDTHS[g.integer(0, WIDTHS.length)]!)!;
    const top = g.integer(0, HEIGHT - 7 + 1);
    const ink = 0.6 + 0.4 * g.random();
    for (let c = 0; c < glyph[0]!.length; c++) {
      const column = new Array<number>(HEIGHT).fill(0);
      for (let r = 0; r < 7; r++) column[top + r] = ink * glyph[r]![c]!;
      columns.push(column);
    }
    for (let i = g.integer(1, 4); i > 0; i--) blank();
  }
  for (let i = g.integer(0, 3); i > 0; i--) blank();
  const pixels = Array.from({ length: HEIGHT }, (_, r) => columns.map((col) => col[r]! + 0.15 * g.normal() + (g.random() < 0.004 ? 0.6 : 0)));
  return { text, pixels };
}

const testGen = new Generator(run.seed + 1000);
const testSet = Array.from({ length: config.test }, () => sample(testGen));
for (const s of testSet.slice(0, 2)) {
  console.log(`"${s.text}" (${s.pixels[0]!.length} columns):`);
  for (const row of s.pixels) console.log("  " + row.map((v) => (v > 0.6 ? "#" : v > 0.3 ? "+" : " ")).join(""));
}

/** A batch as (N, HEIGHT, W) images padded with zeros on the right, the targets and the lengths. */
function encode(samples: Sample[]) {
  const W = Math.max(...samples.map((s) => s.pixels[0]!.length));
  const S = Math.max(...samples.map((s) => s.text.length));
  const x = new Float32Array(samples.length * HEIGHT * W);
  const targets = new Int32Array(samples.length * S);
  samples.forEach((s, n) => {
    s.pixels.forEach((row, r) => x.set(row, (n * HEIGHT + r) * W));
    [...s.text].forEach((ch, i) => (targets[n * S + i] = Number(ch) + 1)); // class 0 is the blank
  });
  return {
    x: tensor(x, { shape: [samples.length, HEIGHT, W] }),
    targets: tensor(targets, { shape: [samples.length, S] }),
    widths: samples.map((s) => s.pixels[0]!.length),
    targetLengths: samples.map((s) => s.text.length),
  };
}

// %% [markdown]
// ## The model
//
// Conv1d(9 → C, 3) and Conv1d(C → C, 3, stride 2) see 5 columns at a time and halve the
// number of steps; the bidirectional LSTM reads the whole line both ways (told each image's
// own length, so padding is skipped), and a Linear layer gives log-probabilities over the 11
// classes at every step: (T, N, 11), the layout `ctcLoss` takes.

// %%
class Reader extends Module {
  conv1 = new Conv1d(HEIGHT, config.channels, 3, { padding: 1 });
  conv2 = new Conv1d(config.channels, config.channels, 3, { stride: 2, padding: 1 });
  lstm = new LSTM({ inputSize: config.channels, hiddenSize: config.hidden, bidirectional: true });
  head = new Linear(2 * config.hidden, 11);

  /** The number of steps the convolutions leave of an image `width` columns wide. */
  static steps(width: number): number {
    return Math.floor((width - 1) / 2) + 1;
  }

  forward(x: Tensor, widths: number[]): Tensor {
    const features = this.conv2.forward(this.conv1.forward(x).relu()).relu(); // (N, C, T)
    const [out] = this.lstm.forward(features.permute([2, 0, 1]), undefined, { lengths: widths.map(Reader.steps) });
    return this.head.forward(out).logSoftmax(-1);
  }
}

// %% [markdown]
// ## Training

// %%
manualSeed(run.seed);
const model = new Reader();
const optimizer = new Adam(model.parameters(), { lr: 5e-3 });
const losses: number[] = [];
const bar = progress("CTC reader", steps);
for (let step = 1; step <= steps; step++) {
  const { x, targets, widths, targetLengths } = encode(Array.from({ length: config.batch }, () => sample(gen)));
  const loss = ctcLoss(model.forward(x, widths), targets, widths.map(Reader.steps), targetLengths);
  optimizer.zeroGrad();
  loss.backward();
  clipGradNorm(model.parameters(), 5);
  optimizer.step();
  losses.push(loss.item());
  bar.update(step, loss.item());
}
bar.stop();

// %% [markdown]
// ## Held-out character error rate, greedy and beam search

// %%
const decodeText = (tokens: number[]) => tokens.map((t) => String(t - 1)).join("");
const greedyCer = new CharErrorRate();
const beamCer = new CharErrorRate();
let disagreements = 0;
const examples: { text: string; greedy: string; beam: string }[] = [];
noGrad(() => {
  model.eval();
  for (let start = 0; start < testSet.length; start += 100) {
    const rows = testSet.slice(start, start + 100);
    const { x, widths } = encode(rows);
    const logProbs = model.forward(x, widths);
    const lengths = widths.map(Reader.steps);
    const greedy = ctcGreedyDecode(logProbs, lengths).map((h) => decodeText(h.tokens));
    const beam = ctcBeamSearch(logProbs, { beamWidth: 8, inputLengths: lengths }).map((hs) => decodeText(hs[0]!.tokens));
    const truth = rows.map((r) => r.text);
    greedyCer.update(greedy, truth);
    beamCer.update(beam, truth);
    greedy.forEach((g, i) => {
      if (g !== beam[i]) disagreements++;
      if (g !== truth[i] && examples.length < 6) examples.push({ text: truth[i]!, greedy: g, beam: beam[i]! });
    });
  }
  model.train();
});
console.log(`\nheld-out character error rate over ${testSet.length} images: greedy ${(100 * greedyCer.compute()).toFixed(2)}%, beam search (width 8) ${(100 * beamCer.compute()).toFixed(2)}%`);
console.log(`greedy and beam search disagree on ${disagreements} of ${testSet.length} images`);
console.log(examples.length > 0 ? "some misread images:" : "no misread images");
for (const e of examples) console.log(`  truth ${e.text.padEnd(config.maxDigits)}  greedy ${e.greedy.padEnd(config.maxDigits)}  beam ${e.beam}`);

// %% [markdown]
// ## The CTC posteriors of one held-out image
//
// Rows: the classes; columns: the time steps (two image columns each). CTC predicts a digit at
// one or two steps and blank everywhere else.

// %%
printChart("training loss (CTC, 20-step moving average)", { loss: movingAverage(losses) });
const shown = testSet[0]!;
const posteriors = noGrad(() => {
  model.eval();
  const { x, widths } = encode([shown]);
  return model.forward(x, widths).squeeze(1).exp().T.tolist() as number[][];
});
const classes = ["blank", ..."0123456789"];
writeFigure(
  "ctc-transcription",
  sideBySide([
    lineChart({ title: "Training loss (20-step moving average)", xLabel: "step", yLabel: "CTC loss", series: [{ name: "loss", values: movingAverage(losses) }] }),
    heatMap({
      title: `Held-out image "${shown.text}"`, values: shown.pixels, rowLabels: shown.pixels.map((_, r) => String(r)),
      colLabels: shown.pixels[0]!.map((_, c) => (c % 5 === 0 ? String(c) : "")), xLabel: "column", yLabel: "row", cell: 8,
    }),
    heatMap({
      title: "CTC posteriors", values: posteriors, rowLabels: classes,
      colLabels: posteriors[0]!.map((_, t) => (t % 5 === 0 ? String(t) : "")), xLabel: "time step", yLabel: "class", cell: 12,
    }),
  ]),
);
