// %% [markdown]
// # Forecasting a noisy multi-frequency signal with a GRU
//
// The series is a sum of three sines (periods 24, 7.3 and 60 steps) plus Gaussian noise of
// standard deviation 0.1, generated with a fixed seed. The first 80% trains, the last 20%
// tests. Two ways to forecast it with a GRU:
//
// 1. **seq-to-one**: read a window of 48 past values, predict the next one from the final
//    hidden state.
// 2. **seq-to-seq**: predict the next value at *every* step of the window (teacher forcing:
//    the inputs are the true values), then forecast many steps ahead by feeding each
//    prediction back in as the next input.
//
// **Expected result** (default: 1000 Adam steps per model with a cosine learning-rate
// schedule, about a minute, seed 0): one-step test RMSE about 0.13 (seq-to-one) and 0.12
// (seq-to-seq), near the noise floor of 0.10 and far below the 0.38 of repeating the last
// value; the seq-to-seq model's 96-step free-running forecast keeps the shape and phase of
// the signal, with an RMSE of about 0.2 against the clean signal.
// `examples/out/forecasting.svg` plots prediction against truth. `--full` (64 units, 3000
// steps, about 5 minutes) gives one-step RMSE 0.12–0.13 and a free-running RMSE of about
// 0.09 against the clean signal.
//
// Run: `npx tsx examples/forecasting.ts [--full] [--seed N] [--steps N]`.

// %%
import { Generator, manualSeed, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { GRU, Linear, Module, mseLoss } from "@tapegrad/nn";
import { Adam, clipGradNorm, CosineAnnealingLR } from "@tapegrad/optim";
import { runOptions } from "./lib/args";
import { movingAverage, printChart } from "./lib/chart";
import { progress } from "./lib/progress";
import { seedEverything } from "./lib/random";
import { lineChart, sideBySide, writeFigure } from "./lib/svg";

const run = runOptions();
const gen = seedEverything(run.seed);
const config = run.pick({
  quick: { length: 400, window: 16, hidden: 8, batch: 8, steps: 3, horizon: 24 },
  default: { length: 3000, window: 48, hidden: 32, batch: 32, steps: 1000, horizon: 96 },
  full: { length: 3000, window: 48, hidden: 64, batch: 32, steps: 3000, horizon: 96 },
});
const steps = run.steps ?? config.steps;

// %% [markdown]
// ## The signal

// %%
const clean = Array.from({ length: config.length }, (_, t) =>
  Math.sin((2 * Math.PI * t) / 24) + 0.5 * Math.sin((2 * Math.PI * t) / 7.3 + 1) + 0.3 * Math.sin((2 * Math.PI * t) / 60));
const series = clean.map((v) => v + 0.1 * gen.normal());
const split = Math.floor(config.length * 0.8);
console.log(`${config.length} points: ${split} for training, ${config.length - split} for testing`);

/** Windows starting at `starts`: inputs (window, batch, 1) and the values one step later. */
function windows(starts: number[]): { x: Tensor; next: Tensor } {
  const W = config.window;
  const B = starts.length;
  const x = new Float32Array(W * B);
  const next = new Float32Array(W * B);
  starts.forEach((s, b) => {
    for (let t = 0; t < W; t++) {
      x[t * B + b] = series[s + t]!;
      next[t * B + b] = series[s + t + 1]!;
    }
  });
  return { x: tensor(x, { shape: [W, B, 1] }), next: tensor(next, { shape: [W, B, 1] }) };
}

// %% [markdown]
// ## The model
//
// One GRU layer and a linear read-out applied at every step. The seq-to-one model uses only
// the last step's output; the seq-to-seq model uses all of them.

// %%
class Forecaster extends Module {
  gru = new GRU({ inputSize: 1, hiddenSize: config.hidden });
  head = new Linear(config.hidden, 1);

  /** x: (seq, batch, 1) -> a prediction of the next value at every step (seq, batch, 1), and hN. */
  forward(x: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const [output, hN] = this.gru.forward(x, h0);
    return [this.head.forward(output), hN];
  }
}

function train(name: string, seqToSeq: boolean): { model: Forecaster; losses: number[] } {
  manualSeed(run.seed);
  const model = new Forecaster();
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: steps });
  const data = new Generator(run.seed + 3);
  const losses: number[] = [];
  const bar = progress(name, steps);
  for (let step = 1; step <= steps; step++) {
    const starts = Array.from({ length: config.batch }, () => data.integer(0, split - config.window - 1));
    const { x, next } = windows(starts);
    const [pred] = model.forward(x);
    const last = config.window - 1;
    const loss = seqToSeq ? mseLoss(pred, next) : mseLoss(pred.select(0, last), next.select(0, last));
    optimizer.zeroGrad();
    loss.backward();
    clipGradNorm(model.parameters(), 1);
    optimizer.step();
    schedule.step();
    losses.push(loss.item());
    bar.update(step, loss.item());
  }
  bar.stop();
  return { model, losses };
}

const seqToOne = train("seq-to-one", false);
const seqToSeq = train("seq-to-seq", true);

// %% [markdown]
// ## One-step forecasts on the test split
//
// Every test point is predicted from the 48 values before it. Repeating the last value
// (persistence) is the baseline to beat; the noise itself (0.1) is the floor.

// %%
const rmse = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);
const testStarts = Array.from({ length: config.length - split - 1 }, (_, i) => split + i - config.window + 1);
const testTruth = testStarts.map((s) => series[s + config.window]!);
function oneStep(model: Forecaster): number[] {
  return noGrad(() => {
    const { x } = windows(testStarts);
    const [pred] = model.forward(x);
    return Array.from(pred.select(0, config.window - 1).data());
  });
}
const predOne = oneStep(seqToOne.model);
const predSeq = oneStep(seqToSeq.model);
const persistence = testStarts.map((s) => series[s + config.window - 1]!);
console.log(`\none-step test RMSE: seq-to-one ${rmse(predOne, testTruth).toFixed(4)}, seq-to-seq ${rmse(predSeq, testTruth).toFixed(4)}, repeat-last-value ${rmse(persistence, testTruth).toFixed(4)} (noise floor 0.1)`);

// %% [markdown]
// ## Free-running multi-step forecast
//
// The seq-to-seq model reads the 48 values before the test split, then runs on its own
// output for 96 steps: each prediction becomes the next input, carrying the GRU state.

// %%
const forecast = noGrad(() => {
  const context = windows([split - config.window]).x;
  let [pred, h] = seqToSeq.model.forward(context);
  let next = pred.select(0, config.window - 1).reshape([1, 1, 1]);
  const out: number[] = [];
  for (let k = 0; k < config.horizon; k++) {
    out.push(next.item());
    [pred, h] = seqToSeq.model.forward(next, h);
    next = pred;
  }
  return out;
});
const futureClean = clean.slice(split, split + config.horizon);
const futureNoisy = series.slice(split, split + config.horizon);
console.log(`${config.horizon}-step free-running forecast: RMSE ${rmse(forecast, futureClean).toFixed(4)} against the clean signal, ${rmse(forecast, futureNoisy).toFixed(4)} against the noisy one`);

// %%
printChart("training loss (MSE, 20-step moving average)", { "seq-to-one": movingAverage(seqToOne.losses), "seq-to-seq": movingAverage(seqToSeq.losses) });
printChart(`free-running forecast vs truth, ${config.horizon} steps`, { forecast, truth: futureClean });
const shown = Math.min(200, testTruth.length);
const testX = testStarts.slice(0, shown).map((s) => s + config.window);
writeFigure(
  "forecasting",
  sideBySide([
    lineChart({
      title: "One-step forecasts on the test split",
      xLabel: "time step",
      yLabel: "value",
      series: [
        { name: "truth (noisy)", values: testTruth.slice(0, shown), x: testX, points: true },
        { name: "seq-to-one", values: predOne.slice(0, shown), x: testX },
        { name: "seq-to-seq", values: predSeq.slice(0, shown), x: testX },
      ],
    }),
    lineChart({
      title: `Free-running forecast, ${config.horizon} steps`,
      xLabel: "time step",
      yLabel: "value",
      series: [
        { name: "context", values: series.slice(split - config.window, split), x: Array.from({ length: config.window }, (_, i) => split - config.window + i) },
        { name: "clean signal", values: futureClean, x: futureClean.map((_, i) => split + i) },
        { name: "forecast", values: forecast, x: forecast.map((_, i) => split + i) },
      ],
    }),
    lineChart({
      title: "Training loss",
      xLabel: "step",
      yLabel: "MSE (20-step moving average)",
      logY: true,
      series: [{ name: "seq-to-one", values: movingAverage(seqToOne.losses) }, { name: "seq-to-seq", values: movingAverage(seqToSeq.losses) }],
    }),
  ]),
);
