import { Generator, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { LSTM, Linear, crossEntropy } from "@tapegrad/nn";
import { Adam, LinearLR, clipGradNorm } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";

// A task that needs memory: a sequence of 20 one-hot symbols starts with one of 4 "data"
// symbols, followed by 19 random distractor symbols (4 other ones); from its last output the
// model must name the first symbol. Chance is 25%; nothing in the last 19 inputs helps.
const DATA = 4;
const DISTRACTORS = 4;
const VOCAB = DATA + DISTRACTORS;
const LENGTH = 20;
const HIDDEN = 24;
const BATCH = 32;
const MAX_STEPS = 300;
const TARGET_ACCURACY = 0.95;

function batch(size: number, g: Generator): { x: Tensor; y: Tensor } {
  const x = new Float32Array(LENGTH * size * VOCAB);
  const y = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    y[b] = g.integer(0, DATA);
    for (let t = 0; t < LENGTH; t++) {
      const symbol = t === 0 ? y[b]! : DATA + g.integer(0, DISTRACTORS);
      x[(t * size + b) * VOCAB + symbol] = 1;
    }
  }
  return { x: tensor(x, { shape: [LENGTH, size, VOCAB] }), y: tensor(y) };
}

describe("end to end: an LSTM trained with Adam, clipping and a warmup schedule", () => {
  it(`learns to recall the first of ${LENGTH} symbols to ${TARGET_ACCURACY * 100}% held-out accuracy within ${MAX_STEPS} steps`, () => {
    const g = new Generator(2024);
    const lstm = new LSTM({ inputSize: VOCAB, hiddenSize: HIDDEN, generator: g });
    const head = new Linear(HIDDEN, DATA, { generator: g });
    // Forget-gate biases start at 1 (rows H..2H, gate order i, f, g, o), a common LSTM init
    // that lets the cell state and its gradient survive the 19 distractor steps from the start.
    noGrad(() => {
      for (const [name, p] of lstm.namedParameters()) if (name.startsWith("bias_")) p.narrow(0, HIDDEN, HIDDEN).fill_(1);
    });
    const params = [...lstm.parameters(), ...head.parameters()];
    const logitsOf = (x: Tensor) => head.forward(lstm.forward(x)[0].select(0, LENGTH - 1));

    const heldOut = batch(512, new Generator(99));
    const accuracy = () =>
      noGrad(() => {
        const predicted = logitsOf(heldOut.x).argmax(1).data();
        const truth = heldOut.y.data();
        return predicted.filter((p, i) => p === truth[i]).length / truth.length;
      });

    const opt = new Adam(params, { lr: 0.01 });
    const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 20 });
    const initial = accuracy();
    let reached = -1;
    const log: string[] = [];
    for (let step = 1; step <= MAX_STEPS && reached < 0; step++) {
      const { x, y } = batch(BATCH, g);
      opt.zeroGrad();
      const loss = crossEntropy(logitsOf(x), y);
      loss.backward();
      clipGradNorm(params, 1);
      opt.step();
      warmup.step();
      if (step % 25 === 0) {
        const acc = accuracy();
        log.push(`step ${step}: loss ${loss.item().toFixed(3)}, accuracy ${acc}`);
        if (acc >= TARGET_ACCURACY) reached = step;
      }
    }
    expect(initial).toBeLessThan(0.5);
    expect(reached, log.join("\n")).toBeGreaterThan(0);
  });
});
