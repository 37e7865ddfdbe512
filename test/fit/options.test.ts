import { afterEach, describe, expect, it, vi } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { binaryCrossEntropy, DataLoader, earlyStopping, evaluate, fit, LastStep, modelCheckpoint, predict, SequenceOutput, TensorDataset } from "@tapegrad/nn";
import { fit as nodeFit, progressBar } from "@tapegrad/nn/node";
import { SGD } from "@tapegrad/optim";
import { blobs, classifier } from "./problems";

afterEach(() => vi.restoreAllMocks());

describe("fit, evaluate and predict: bad options name the option", () => {
  const model = classifier(0, 0);
  const data = blobs(10, 1);
  const base = { loss: binaryCrossEntropy, optimizer: new SGD(model.parameters(), { lr: 0.1 }) };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["unknown key", { epoch: 3 }, /fit: unknown option "epoch"; expected one of loss, optimizer, epochs/],
    ["loss", { loss: "bce" }, /fit: loss must be a function \(output, target\) => Tensor/],
    ["optimizer", { optimizer: {} }, /fit: optimizer must have zeroGrad\(\) and step\(\)/],
    ["epochs", { epochs: 0 }, /fit: epochs must be an integer >= 1, got number 0/],
    ["batchSize", { batchSize: 2.5 }, /fit: batchSize must be an integer >= 1, got number 2.5/],
    ["validationSplit", { validationSplit: 1 }, /fit: validationSplit must be a fraction between 0 and 1, got number 1/],
    ["split and data", { validationSplit: 0.2, validationData: data }, /fit: validationSplit and validationData exclude each other/],
    ["large split", { validationSplit: 0.95 }, /fit: validationSplit 0.95 of 10 samples leaves no training samples/],
    ["metrics", { metrics: [1] }, /fit: metrics must be an object of named metrics/],
    ["metric", { metrics: { acc: { update() {} } } }, /fit: metrics.acc must have update, compute and reset; it has no compute, reset/],
    ["metric name", { metrics: { val_acc: { update() {}, compute() {}, reset() {} } } }, /fit: metrics.val_acc: the name is taken/],
    ["scheduler", { scheduler: 1 }, /fit: scheduler must have step\(\)/],
    ["clipGradNorm", { clipGradNorm: 1 }, /fit: clipGradNorm must be a function \(parameters\) => \.\.\., such as \(ps\) => clipGradNorm\(ps, 1\), got number 1/],
    ["callbacks", { callbacks: [null] }, /fit: callbacks\[0\] must be an object with hooks/],
    ["shuffle", { shuffle: "yes" }, /fit: shuffle must be true or false/],
    ["generator", { generator: 1 }, /fit: generator must be a Generator/],
    ["output", { output: 0 }, /fit: output must be a function \(modelOutput\) => Tensor/],
    ["initialEpoch", { initialEpoch: -1 }, /fit: initialEpoch must be an integer >= 0/],
  ];
  for (const [what, opts, message] of cases) {
    it(what, () => expect(() => fit(model, data, { ...base, ...opts } as never)).toThrow(message));
  }

  it("data in the wrong form, batches that are not pairs, and a loader with loader options", () => {
    expect(() => fit(model, { x: data.x, y: [1] } as never, base)).toThrow(/fit: data \{ x, y \} must hold tensors, got x: a tensor of shape \[10, 4\], y: an object/);
    expect(() => fit(model, { x: data.x, y: data.y.narrow(0, 0, 5) }, base)).toThrow(/fit: data x and y need the same number of rows \(dim 0\), got shapes \[10, 4\] and \[5, 1\]/);
    expect(() => fit(model, data.x as never, base)).toThrow(/fit: data must be \{ x, y \} tensors, a Dataset or a DataLoader, got a tensor of shape \[10, 4\]/);
    expect(() => fit(model, new TensorDataset(data.x), base)).toThrow(/fit: each batch must be \[input, target\] .*got an array of 1/);
    const loader = new DataLoader(new TensorDataset(data.x, data.y), { batchSize: 4 });
    expect(() => fit(model, loader, { ...base, batchSize: 4, shuffle: true })).toThrow(/fit: batchSize, shuffle cannot be used with a DataLoader as data; set them on the DataLoader/);
    expect(() => fit(model, loader, { ...base, validationSplit: 0.5 })).toThrow(/fit: validationSplit cannot split a DataLoader/);
    expect(() => fit(model, data, { ...base, loss: () => tensor([1, 2]) })).toThrow(/fit: loss must return a one-element tensor, got shape \[2\]/);
    expect(() => evaluate(model, data, { loss: binaryCrossEntropy, batchSize: 0 })).toThrow(/evaluate: batchSize must be an integer >= 1, got number 0/);
    expect(() => evaluate(model, data, { loss: binaryCrossEntropy, epochs: 1 } as never)).toThrow(/evaluate: unknown option "epochs"/);
    expect(() => predict(model, [1, 2] as never)).toThrow(/predict: data must be a tensor, \{ x \}, a Dataset or a DataLoader/);
    expect(() => predict(model, data.x, { output: (o) => [o] as never })).toThrow(/predict: the model returned something from which output picked/);
  });

  it("callbacks check their options", () => {
    expect(() => earlyStopping({ patience: -1 })).toThrow(/earlyStopping: patience must be an integer >= 0, got -1/);
    expect(() => earlyStopping({ mode: "up" as never })).toThrow(/earlyStopping: mode must be "min", "max" or "auto", got "up"/);
    expect(() => earlyStopping({ patients: 2 } as never)).toThrow(/earlyStopping: unknown option "patients"/);
    expect(() => modelCheckpoint({} as never)).toThrow(/modelCheckpoint: onSave must be a function/);
    expect(() => new LastStep().forward(tensor([1, 2]))).toThrow(/LastStep: expected an output of 2 or 3 dims \(seq, batch, features\), got shape \[2\]/);
  });
});

describe("adapters and displays", () => {
  it("LastStep takes the last step along the time dim; SequenceOutput drops the state", () => {
    const out = tensor([[[1], [2]], [[3], [4]], [[5], [6]]]); // (seq 3, batch 2, 1)
    expect(new LastStep().forward([out, tensor(0)]).tolist()).toEqual([[5], [6]]);
    expect(new LastStep({ batchFirst: true }).forward(out).tolist()).toEqual([[2], [4], [6]]);
    expect(new LastStep().forward(tensor([[1, 2], [3, 4]])).tolist()).toEqual([3, 4]); // unbatched (seq, features)
    expect(new SequenceOutput().forward([out, tensor(0)])).toBe(out);
  });

  it("with verbose, fit prints a line per epoch; @tapegrad/nn/node's fit too when stdout is not a terminal", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    const model = classifier(0, 0);
    const opts = { loss: binaryCrossEntropy, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 2, verbose: true };
    fit(model, blobs(10, 1), opts);
    fit(model, blobs(10, 1), { ...opts, verbose: false });
    const isTTY = process.stdout.isTTY;
    try {
      Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
      nodeFit(model, blobs(10, 1), opts);
    } finally {
      Object.defineProperty(process.stdout, "isTTY", { value: isTTY, configurable: true });
    }
    expect(lines.map((l) => l.slice(0, 22))).toEqual(["epoch 1/2 · 1/1 steps ", "epoch 2/2 · 1/1 steps ", "epoch 1/2 · 1/1 steps ", "epoch 2/2 · 1/1 steps "]);
  });

  it("progressBar draws a bar while an epoch runs and prints the epoch's line at its end", () => {
    const writes: string[] = [];
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    const isTTY = process.stdout.isTTY;
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
    try {
      Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
      const model = classifier(0, 0);
      fit(model, blobs(24, 1), { loss: binaryCrossEntropy, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1, batchSize: 8, callbacks: [progressBar()] });
    } finally {
      Object.defineProperty(process.stdout, "isTTY", { value: isTTY, configurable: true });
    }
    expect(writes.join("")).toMatch(/epoch 1\/1 .* 3\/3 · [\d.]+ steps\/s · loss \d\.\d{4}/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^epoch 1\/1 · 3\/3 steps/);
  });
});
