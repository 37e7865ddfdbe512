import { describe, expect, it } from "vitest";
import { Generator, manualSeed, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { Accuracy, binaryCrossEntropy, DataLoader, Dataset, Dropout, Embedding, evaluate, fit, LastStep, Linear, Module, mseLoss, predict, RNN, Sequential, Sigmoid, TensorDataset } from "@tapegrad/nn";
import { Adam, clipGradNorm, SGD, StepLR } from "@tapegrad/optim";
import { blobs, classifier, weights } from "./problems";

describe("fit", () => {
  it("reduces the loss on a separable problem and reaches > 90% held-out accuracy", () => {
    const model = classifier(0);
    const data = blobs(200, 1);
    const history = fit(model, data, { loss: binaryCrossEntropy, optimizer: new Adam(model.parameters(), { lr: 0.02 }), epochs: 8, batchSize: 16, validationSplit: 0.25, metrics: { accuracy: new Accuracy({ task: "binary" }) }, generator: new Generator(2) });
    const { loss, val_loss, val_accuracy } = history.history;
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(history.history)).toEqual(["loss", "accuracy", "val_loss", "val_accuracy", "lr"]);
    expect(loss!.at(-1)!).toBeLessThan(loss![0]! / 2);
    expect(val_loss!.at(-1)!).toBeLessThan(val_loss![0]!);
    const test = blobs(200, 3);
    const result = evaluate(model, test, { loss: binaryCrossEntropy, metrics: { accuracy: new Accuracy({ task: "binary" }) } });
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(val_accuracy!.at(-1)!).toBeGreaterThan(0.9);
  });

  it("is the loop a PyTorch user writes: same seeds give bit-identical history and parameters", () => {
    const data = blobs(90, 4);
    const opts = { epochs: 3, batchSize: 16, lr: 0.05 };
    const run = (body: (model: Sequential, optimizer: Adam, scheduler: StepLR) => number[][]) => {
      const model = classifier(7, 0.3);
      const optimizer = new Adam(model.parameters(), { lr: opts.lr });
      const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
      return { curves: body(model, optimizer, scheduler), params: weights(model) };
    };
    const viaFit = run((model, optimizer, scheduler) => {
      const h = fit(model, data, { loss: binaryCrossEntropy, optimizer, scheduler, epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: 0.2, generator: new Generator(5), clipGradNorm: (ps) => clipGradNorm(ps, 0.5), metrics: { accuracy: new Accuracy({ task: "binary" }) } }).history;
      return [h.loss!, h.accuracy!, h.val_loss!, h.val_accuracy!, h.lr!];
    });
    const byHand = run((model, optimizer, scheduler) => {
      const split = Math.floor(90 * 0.8); // Keras: the last 20% validates
      const train = new DataLoader(new TensorDataset(data.x.narrow(0, 0, split), data.y.narrow(0, 0, split)), { batchSize: opts.batchSize, shuffle: true, generator: new Generator(5) });
      const [xv, yv] = [data.x.narrow(0, split, 90 - split), data.y.narrow(0, split, 90 - split)];
      const curves: number[][] = [[], [], [], [], []];
      const acc = new Accuracy({ task: "binary" });
      for (let epoch = 0; epoch < opts.epochs; epoch++) {
        model.train();
        curves[4]!.push(optimizer.paramGroups[0]!.lr);
        let [sum, count] = [0, 0];
        acc.reset();
        for (const [x, y] of train) {
          optimizer.zeroGrad();
          const out = model.forward(x!);
          const loss = binaryCrossEntropy(out, y!);
          loss.backward();
          clipGradNorm(model.parameters(), 0.5);
          optimizer.step();
          sum += loss.item() * x!.shape[0]!;
          count += x!.shape[0]!;
          acc.update(out.detach(), y!);
        }
        curves[0]!.push(sum / count);
        curves[1]!.push(acc.compute());
        model.eval();
        noGrad(() => {
          [sum, count] = [0, 0];
          acc.reset();
          for (const [x, y] of new DataLoader(new TensorDataset(xv, yv), { batchSize: opts.batchSize })) {
            const out = model.forward(x!);
            sum += binaryCrossEntropy(out, y!).item() * x!.shape[0]!;
            count += x!.shape[0]!;
            acc.update(out, y!);
          }
          curves[2]!.push(sum / count);
          curves[3]!.push(acc.compute());
        });
        scheduler.step();
      }
      return curves;
    });
    expect(viaFit.curves).toEqual(byHand.curves);
    expect(viaFit.params).toEqual(byHand.params);
    expect(viaFit.curves[4]).toEqual([0.05, 0.025, 0.0125]);
  });

  it("validationSplit holds out the last fraction of the samples, before shuffling (as Keras)", () => {
    const seen = { train: new Set<number>(), all: [] as number[] };
    class Rows extends Dataset<[Tensor, Tensor]> {
      readonly length = 10;
      get(i: number): [Tensor, Tensor] {
        seen.all.push(i);
        return [tensor([i], { dtype: "float64" }), tensor([2 * i], { dtype: "float64" })];
      }
    }
    const model = new Linear(1, 1, { dtype: "float64" });
    let phase = "train";
    const history = fit(model, new Rows(), {
      loss: mseLoss,
      optimizer: new SGD(model.parameters(), { lr: 0 }),
      epochs: 2,
      batchSize: 3,
      validationSplit: 0.3,
      callbacks: [{ onEpochBegin: () => void seen.all.splice(0), onBatchEnd: () => seen.all.splice(0).forEach((i) => seen.train.add(i)), onEpochEnd: () => (phase = "done") }],
    });
    expect(phase).toBe("done");
    expect([...seen.train].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]); // floor(10 · 0.7) = 7 train
    expect(seen.all.slice(-3)).toEqual([7, 8, 9]); // the last epoch's validation: the last 3
    const last = evaluate(model, { x: tensor([[7], [8], [9]], { dtype: "float64" }), y: tensor([[14], [16], [18]], { dtype: "float64" }) }, { loss: mseLoss });
    expect(history.history.val_loss).toEqual([last.loss, last.loss]); // lr 0: the model never changes
  });

  it("takes a DataLoader with its own batches, and a Dataset as validationData", () => {
    const { x, y } = blobs(40, 6);
    const model = classifier(1, 0);
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 7 });
    const steps: number[] = [];
    const h = fit(model, loader, { loss: binaryCrossEntropy, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 2, validationData: new TensorDataset(x, y), callbacks: [{ onBatchEnd: (b, _l, ctx) => steps.push(ctx.steps - b) }] });
    expect(steps).toEqual([6, 5, 4, 3, 2, 1, 6, 5, 4, 3, 2, 1]);
    expect(h.history.val_loss![1]).toBe(evaluate(model, new TensorDataset(x, y), { loss: binaryCrossEntropy }).loss);
  });

  it("weights the epoch loss by batch size: a last, smaller batch counts for its samples", () => {
    const model = new Linear(1, 1, { dtype: "float64", bias: false });
    noGrad(() => model.weight.fill_(0));
    const x = tensor([[1], [1], [1], [1], [1]], { dtype: "float64" });
    const y = tensor([[1], [1], [1], [1], [4]], { dtype: "float64" }); // squared errors 1, 1, 1, 1, 16
    const h = fit(model, { x, y }, { loss: mseLoss, optimizer: new SGD(model.parameters(), { lr: 0 }), batchSize: 4, shuffle: false });
    expect(h.history.loss).toEqual([20 / 5]); // not (1 + 16) / 2
  });

  it("restores each module's own training mode; evaluate and predict run in eval mode under noGrad", () => {
    const model = classifier(3, 0.5);
    const { x, y } = blobs(30, 7);
    const dropout = model.children()[2]!;
    dropout.eval();
    fit(model, { x, y }, { loss: binaryCrossEntropy, optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
    expect(model.modules().map((m) => m.training)).toEqual([true, true, true, false, true, true]);
    model.train();
    const first = predict(model, x, { batchSize: 7 });
    const second = predict(model, { x, y });
    expect(Array.from(first.data())).toEqual(Array.from(second.data()));
    expect(first.requiresGrad).toBe(false);
    expect(first.shape).toEqual([30, 1]);
    expect(model.modules().every((m) => m.training)).toBe(true);
    const evalOutput = noGrad(() => model.eval().forward(x));
    model.train();
    expect(Array.from(first.data())).toEqual(Array.from(evalOutput.data()));
    const trainOutput = noGrad(() => model.forward(x));
    expect(Array.from(trainOutput.data())).not.toEqual(Array.from(first.data())); // dropout is on in training
  });

  it("validation runs with dropout off: val_loss equals evaluate on the same data", () => {
    const model = classifier(4, 0.5);
    const data = blobs(40, 8);
    const h = fit(model, data, { loss: binaryCrossEntropy, optimizer: new SGD(model.parameters(), { lr: 0.1 }), validationData: data, shuffle: false });
    expect(h.history.val_loss).toEqual([evaluate(model, data, { loss: binaryCrossEntropy }).loss]);
  });

  it("trains a Sequential of Embedding -> RNN -> LastStep -> Linear -> Sigmoid", () => {
    manualSeed(0);
    const g = new Generator(9);
    const tokens = Array.from({ length: 64 }, () => Array.from({ length: 6 }, () => g.integer(1, 5)));
    const x = tensor(tokens, { dtype: "int32" });
    const y = tensor(tokens.map((t) => [t.at(-1)! >= 3 ? 1 : 0])); // the last token decides
    const model = new Sequential(new Embedding(5, 4), new RNN({ inputSize: 4, hiddenSize: 8, batchFirst: true }), new LastStep({ batchFirst: true }), new Linear(8, 1), new Sigmoid());
    const h = fit(model, { x, y }, { loss: binaryCrossEntropy, optimizer: new Adam(model.parameters(), { lr: 0.05 }), epochs: 15, batchSize: 16, metrics: { accuracy: new Accuracy({ task: "binary" }) }, generator: new Generator(1) });
    expect(h.history.accuracy!.at(-1)!).toBeGreaterThan(0.95);
    expect(predict(model, x).shape).toEqual([64, 1]);
  });

  it("picks the prediction of a model returning a tuple: the first element, or what output selects", () => {
    class Pair extends Module {
      lin = new Linear(2, 1, { dtype: "float64" });
      forward(x: Tensor): [Tensor, Tensor] {
        const out = this.lin.forward(x);
        return [out.mul(0), out];
      }
    }
    const model = new Pair();
    const data = { x: tensor([[1, 2], [3, 4]], { dtype: "float64" }), y: tensor([[1], [2]], { dtype: "float64" }) };
    const opts = { loss: mseLoss, batchSize: 2 };
    expect(evaluate(model, data, opts).loss).toBe(2.5); // the first element is all zeros
    const picked = evaluate(model, data, { ...opts, output: (o) => (o as Tensor[])[1]! });
    expect(picked.loss).toBe(noGrad(() => mseLoss(model.lin.forward(data.x), data.y).item()));
    expect(predict(model, data.x, { output: (o) => (o as Tensor[])[1]! }).shape).toEqual([2, 1]);
  });

  it("stops after the current batch when a callback sets stopTraining, and starts at initialEpoch", () => {
    const model = classifier(5, 0);
    const seen: string[] = [];
    const h = fit(model, blobs(20, 1), {
      loss: binaryCrossEntropy,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 5,
      initialEpoch: 2,
      batchSize: 5,
      callbacks: [{
        onTrainBegin: () => seen.push("begin"),
        onEpochBegin: (e) => seen.push(`epoch ${e}`),
        onBatchEnd: (b, _logs, ctx) => { seen.push(`batch ${b}`); if (b === 1) ctx.stopTraining = true; },
        onEpochEnd: (e) => seen.push(`end ${e}`),
        onTrainEnd: (hist) => seen.push(`train end ${hist.epoch.join()}`),
      }],
    });
    expect(seen).toEqual(["begin", "epoch 2", "batch 0", "batch 1", "end 2", "train end 2"]);
    expect(h.epoch).toEqual([2]);
  });
});
