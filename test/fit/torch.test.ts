import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Accuracy, binaryCrossEntropy, Embedding, fit, LastStep, Linear, mseLoss, RNN, Sequential, Sigmoid, Tanh } from "@tapegrad/nn";
import { Adam, clipGradNorm, ReduceLROnPlateau, SGD, StepLR } from "@tapegrad/optim";
import { expectClose, toTensor, type FixtureTensor } from "../helpers/fixtures";

// PyTorch 1.13 float64 runs of the same loop (fixtures/torch-fit/gen_fit_fixtures.py), unshuffled.
interface FitFixture {
  config: Record<string, number>;
  params: Record<string, FixtureTensor>;
  data: Record<string, FixtureTensor>;
  history: Record<string, number[]>;
  final: Record<string, FixtureTensor>;
}

const load = (name: string): FitFixture => JSON.parse(readFileSync(new URL(`../fixtures/torch-fit/${name}.json`, import.meta.url), "utf8")) as FitFixture;

function loadParams(model: Sequential, f: FitFixture): void {
  model.loadStateDict(Object.fromEntries(Object.entries(f.params).map(([k, t]) => [k, toTensor(t)])));
}

function expectHistory(actual: Record<string, number[]>, expected: Record<string, number[]>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, values] of Object.entries(expected)) {
    expect(actual[key]!.length, key).toBe(values.length);
    values.forEach((v, i) => expect(Math.abs(actual[key]![i]! - v), `${key}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.abs(v) + 1e-12));
  }
}

describe("fit against PyTorch's training loop (float64)", () => {
  it("MLP, MSE, SGD with momentum, StepLR, gradient clipping, validationSplit", () => {
    const f = load("fit_mlp_sgd_steplr_clip");
    const c = f.config;
    const model = new Sequential(new Linear(3, 5, { dtype: "float64" }), new Tanh(), new Linear(5, 1, { dtype: "float64" }));
    loadParams(model, f);
    const optimizer = new SGD(model.parameters(), { lr: c.lr!, momentum: c.momentum! });
    const history = fit(model, { x: toTensor(f.data.x!), y: toTensor(f.data.y!) }, {
      loss: mseLoss, optimizer, scheduler: new StepLR(optimizer, { stepSize: c.stepSize!, gamma: c.gamma! }), clipGradNorm: (ps) => clipGradNorm(ps, c.clip!),
      epochs: c.epochs!, batchSize: c.batchSize!, validationSplit: c.validationSplit!, shuffle: false,
    });
    expectHistory(history.history, f.history);
    for (const [name, p] of model.namedParameters()) expectClose(p, f.final[name]!, name);
  });

  it("Embedding -> RNN -> LastStep -> Linear -> Sigmoid, BCE, Adam, ReduceLROnPlateau on val_loss, accuracy", () => {
    const f = load("fit_rnn_adam_plateau");
    const c = f.config;
    const opts = { dtype: "float64" as const };
    const model = new Sequential(new Embedding(6, 4, opts), new RNN({ inputSize: 4, hiddenSize: 8, batchFirst: true, ...opts }), new LastStep({ batchFirst: true }), new Linear(8, 1, opts), new Sigmoid());
    loadParams(model, f);
    const optimizer = new Adam(model.parameters(), { lr: c.lr! });
    const history = fit(model, { x: toTensor(f.data.x!), y: toTensor(f.data.y!) }, {
      loss: binaryCrossEntropy, optimizer, scheduler: new ReduceLROnPlateau(optimizer, { patience: c.patience!, factor: c.factor!, threshold: c.threshold! }),
      epochs: c.epochs!, batchSize: c.batchSize!, shuffle: false, validationData: { x: toTensor(f.data.xVal!), y: toTensor(f.data.yVal!) },
      metrics: { acc: new Accuracy({ task: "binary" }) },
    });
    expectHistory(history.history, f.history);
    expect(history.history.lr!.at(-1)).toBe(c.lr! * c.factor!); // the plateau reduced the lr
    for (const [name, p] of model.namedParameters()) expectClose(p, f.final[name]!, name);
  });
});
