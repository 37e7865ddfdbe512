import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator } from "@tapegrad/autograd";
import { Accuracy, binaryCrossEntropy, decodeCheckpoint, earlyStopping, formatProgress, lrScheduler, modelCheckpoint, printProgress, progressCallback, type Callback, type Logs, type ProgressReport } from "@tapegrad/nn";
import { loadCheckpoint, modelCheckpoint as fileCheckpoint } from "@tapegrad/nn/node";
import { fit } from "@tapegrad/nn";
import { ReduceLROnPlateau, SGD, StepLR } from "@tapegrad/optim";
import { blobs, classifier, weights } from "./problems";

const dir = mkdtempSync(join(tmpdir(), "tapegrad-fit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Puts scores[epoch] into the logs as `score`, and records the weights after each epoch. */
function scripted(scores: number[], snapshots: number[][][]): Callback {
  return {
    onEpochEnd(epoch, logs, ctx) {
      logs.score = scores[epoch]!;
      snapshots.push(weights(ctx.model));
    },
  };
}

function train(callbacks: Callback[], epochs: number, extra: Record<string, unknown> = {}) {
  const model = classifier(2, 0);
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const history = fit(model, blobs(32, 3), { loss: binaryCrossEntropy, optimizer, epochs, batchSize: 8, generator: new Generator(1), callbacks, ...extra });
  return { model, optimizer, history };
}

describe("earlyStopping", () => {
  it("stops once the monitor has not improved for `patience` epochs and restores the best weights", () => {
    const snapshots: number[][][] = [];
    const stop = earlyStopping({ monitor: "score", patience: 2, restoreBestWeights: true });
    const { model, history } = train([scripted([5, 3, 4, 2.5, 2.6, 2.7, 1, 1], snapshots), stop], 8);
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5]); // epochs 4 and 5 did not beat 2.5
    expect([stop.stoppedEpoch, stop.bestEpoch]).toEqual([5, 3]);
    expect(weights(model)).toEqual(snapshots[3]);
    expect(weights(model)).not.toEqual(snapshots[5]);
  });

  it("counts only improvements larger than minDelta; mode max; patience 0 stops at the first miss", () => {
    const withDelta = earlyStopping({ monitor: "score", patience: 2, minDelta: 0.6 });
    expect(train([scripted([5, 3, 4, 2.5, 1], []), withDelta], 5).history.epoch).toEqual([0, 1, 2, 3]); // 2.5 is not 0.6 below 3
    expect(withDelta.bestEpoch).toBe(1);
    const maxMode = earlyStopping({ monitor: "score", mode: "max" });
    expect(train([scripted([1, 2, 3, 2, 5], []), maxMode], 5).history.epoch).toEqual([0, 1, 2, 3]);
    const auto = earlyStopping({ monitor: "accuracy" }); // "auto" is "max" for an accuracy
    const h = train([auto], 4, { metrics: { accuracy: new Accuracy({ task: "binary" }) } }).history;
    const acc = h.history.accuracy!;
    const firstMiss = acc.findIndex((a, i) => i > 0 && a <= Math.max(...acc.slice(0, i)));
    expect(h.epoch.length).toBe(firstMiss === -1 ? 4 : firstMiss + 1);
  });

  it("without restoreBestWeights keeps the last weights; a missing monitor is an error naming it", () => {
    const snapshots: number[][][] = [];
    const { model } = train([scripted([1, 2, 3], snapshots), earlyStopping({ monitor: "score", patience: 1 })], 3);
    expect(weights(model)).toEqual(snapshots[1]);
    expect(() => train([earlyStopping()], 2)).toThrow(/earlyStopping: monitor "val_loss" is not among the logged values \(loss, lr\); give fit validationData/);
  });
});

describe("modelCheckpoint", () => {
  it("saves only when the monitor improves, with the epoch, logs, model and optimizer", () => {
    const saved: { bytes: Uint8Array; epoch: number; logs: Logs }[] = [];
    const snapshots: number[][][] = [];
    const ckpt = modelCheckpoint({ monitor: "score", saveBestOnly: true, onSave: (bytes, info) => saved.push({ bytes, ...info }) });
    train([scripted([3, 4, 2, 2, 1], snapshots), ckpt], 5);
    expect(saved.map((s) => s.epoch)).toEqual([1, 3, 5]);
    expect(saved.map((s) => s.logs.score)).toEqual([3, 2, 1]);
    const fresh = train([], 0 + 1);
    const values = decodeCheckpoint(saved[1]!.bytes, { model: fresh.model, optimizer: fresh.optimizer });
    expect(weights(fresh.model)).toEqual(snapshots[2]);
    expect(values.epoch).toBe(3);
    expect((values.logs as Logs).score).toBe(2);
  });

  it("saves every epoch by default; the node variant writes files, {epoch} in the path, and loadCheckpoint restores them", () => {
    const every: number[] = [];
    train([modelCheckpoint({ onSave: (_b, { epoch }) => every.push(epoch) })], 3);
    expect(every).toEqual([1, 2, 3]);
    const snapshots: number[][][] = [];
    const scheduler = { s: null as StepLR | null };
    const model = classifier(2, 0);
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    scheduler.s = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
    const generator = new Generator(4);
    fit(model, blobs(32, 3), { loss: binaryCrossEntropy, optimizer, scheduler: scheduler.s, generator, epochs: 3, batchSize: 8, callbacks: [scripted([2, 1, 3], snapshots), fileCheckpoint({ path: join(dir, "run-{epoch}.ckpt"), monitor: "score", saveBestOnly: true })] });
    expect(readdirSync(dir).filter((f) => f.startsWith("run-")).sort()).toEqual(["run-1.ckpt", "run-2.ckpt"]);
    const resumed = classifier(9, 0);
    const opt2 = new SGD(resumed.parameters(), { lr: 0.1 });
    const sched2 = new StepLR(opt2, { stepSize: 1, gamma: 0.5 });
    const gen2 = new Generator(0);
    const values = loadCheckpoint(join(dir, "run-2.ckpt"), { model: resumed, optimizer: opt2, scheduler: sched2, generator: gen2 });
    expect(values.epoch).toBe(2);
    expect(weights(resumed)).toEqual(snapshots[1]);
    expect(opt2.paramGroups[0]!.lr).toBe(0.025);
    expect(() => fileCheckpoint({ path: join(dir, "x"), onSave: () => {} } as never)).toThrow(/modelCheckpoint: give exactly one of path and onSave/);
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
});

describe("learning-rate schedules", () => {
  it("steps a scheduler once per epoch; the lr of each epoch is logged", () => {
    const model = classifier(1, 0);
    const optimizer = new SGD(model.parameters(), { lr: 0.4 });
    const h = fit(model, blobs(16, 2), { loss: binaryCrossEntropy, optimizer, scheduler: new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }), epochs: 5 });
    expect(h.history.lr).toEqual([0.4, 0.4, 0.2, 0.2, 0.1]);
    expect(optimizer.paramGroups[0]!.lr).toBe(0.1); // 0.4 · 0.5^floor(5 / 2) after the fifth step
  });

  it("steps ReduceLROnPlateau with val_loss (loss without validation data), or with lrScheduler's monitor", () => {
    const model = classifier(1, 0);
    const optimizer = new SGD(model.parameters(), { lr: 0.4 });
    const plateau = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
    const given: number[] = [];
    const step = plateau.step.bind(plateau);
    plateau.step = (m) => (given.push(m as number), step(m));
    const data = blobs(32, 2);
    const h = fit(model, data, { loss: binaryCrossEntropy, optimizer, scheduler: plateau, epochs: 3, validationData: data });
    expect(given).toEqual(h.history.val_loss);
    given.length = 0;
    const h2 = fit(model, data, { loss: binaryCrossEntropy, optimizer, scheduler: plateau, epochs: 2 });
    expect(given).toEqual(h2.history.loss);
    given.length = 0;
    const h3 = fit(model, data, { loss: binaryCrossEntropy, optimizer, epochs: 2, callbacks: [scripted([1, 1], []), lrScheduler(plateau, { monitor: "score" })] });
    expect(given).toEqual([1, 1]);
    expect(h3.history.lr![1]).toBe(h3.history.lr![0]! * 0.5); // the repeated score is a plateau
  });
});

describe("progress", () => {
  it("progressCallback gets the running numbers after every batch and the epoch's values at its end", () => {
    const reports: ProgressReport[] = [];
    const batchLosses: number[] = [];
    const { history } = train([progressCallback((r) => reports.push(r)), { onBatchEnd: (_b, logs) => batchLosses.push(logs.loss!) }], 2, { metrics: { accuracy: new Accuracy({ task: "binary" }) } });
    expect(reports.map((r) => `${r.epoch}:${r.step}/${r.steps}${r.done ? "!" : ""}`)).toEqual(["0:1/4", "0:2/4", "0:3/4", "0:4/4", "0:4/4!", "1:1/4", "1:2/4", "1:3/4", "1:4/4", "1:4/4!"]);
    expect(reports.filter((r) => !r.done).map((r) => r.logs.loss)).toEqual(batchLosses);
    expect(reports.filter((r) => r.done).map((r) => r.logs)).toEqual([0, 1].map((e) => ({ loss: history.history.loss![e], accuracy: history.history.accuracy![e], lr: 0.1 })));
    expect(reports.every((r) => r.epochs === 2 && r.stepsPerSecond > 0 && Number.isFinite(r.stepsPerSecond))).toBe(true);
    const lines: string[] = [];
    train([printProgress((line) => lines.push(line))], 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^epoch 2\/2 · 4\/4 steps · \d+\.\d s · \d+\.\d steps\/s · loss \d\.\d{4} · lr 0\.1000$/);
    expect(formatProgress({ ...reports[4]!, seconds: 2, stepsPerSecond: 2 })).toMatch(/^epoch 1\/2 · 4\/4 steps · 2\.0 s · 2\.0 steps\/s · loss 0\.\d{4} · accuracy 0\.\d{4} · lr 0\.1000$/);
  });
});
