import { describe, expect, it } from "vitest";
import { Generator, manualSeed, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import { Accuracy, binaryCrossEntropy, binaryCrossEntropyWithLogits, DataLoader, Embedding, fit, GRU, LastStep, Linear, linear, Module, padCollate, Parameter, predict, Recurrent, Sequential, Sigmoid, init } from "@tapegrad/nn";
import { Adam } from "@tapegrad/optim";

/** Token sequences of length 3 to 7 over ids 1..4; label 1 when the last token is 3 or 4. */
function sequences(n: number, seed: number): [number[], number][] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => {
    const tokens = Array.from({ length: g.integer(3, 8) }, () => g.integer(1, 5));
    return [tokens, tokens.at(-1)! >= 3 ? 1 : 0];
  });
}

describe("fit with other kinds of models", () => {
  it("trains a user-written cell run by Recurrent inside a Sequential", () => {
    class ElmanCell extends Module {
      weight_ih: Parameter;
      weight_hh: Parameter;
      constructor(inputSize: number, readonly hiddenSize: number) {
        super();
        this.weight_ih = new Parameter(init.xavierUniform_(zeros([hiddenSize, inputSize])));
        this.weight_hh = new Parameter(init.xavierUniform_(zeros([hiddenSize, hiddenSize])));
      }
      forward(x: Tensor, h = zeros([...x.shape.slice(0, -1), this.hiddenSize])): Tensor {
        return linear(x, this.weight_ih).add(linear(h, this.weight_hh)).tanh();
      }
    }
    manualSeed(1);
    const items = sequences(96, 2).map(([t, l]): [number[], number] => [[...new Array<number>(7 - t.length).fill(0), ...t], l]); // left-padded
    const x = tensor(items.map(([t]) => t), { dtype: "int32" });
    const y = tensor(items.map(([, l]) => [l]));
    const model = new Sequential(new Embedding(5, 6), new Recurrent((_l, _d, inputSize) => new ElmanCell(inputSize, 12), { inputSize: 6, batchFirst: true }), new LastStep({ batchFirst: true }), new Linear(12, 1), new Sigmoid());
    const h = fit(model, { x, y }, { loss: binaryCrossEntropy, optimizer: new Adam(model.parameters(), { lr: 0.03 }), epochs: 12, batchSize: 16, generator: new Generator(3), metrics: { accuracy: new Accuracy({ task: "binary" }) } });
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]! / 3);
    expect(h.history.accuracy!.at(-1)!).toBeGreaterThan(0.95);
  });

  it("feeds forward whatever input a collate builds: padded batches with their lengths", () => {
    class LengthAware extends Module {
      embed = new Embedding(5, 6, { paddingIdx: 0 });
      gru = new GRU({ inputSize: 6, hiddenSize: 12, batchFirst: true });
      head = new Linear(12, 1);
      forward(batch: { inputs: Tensor; lengths: number[] }): Tensor {
        const [, hN] = this.gru.forward(this.embed.forward(batch.inputs), undefined, { lengths: batch.lengths });
        return this.head.forward(hN.select(0, 0)); // each sequence's state after its own last token
      }
    }
    manualSeed(2);
    const model = new LengthAware();
    const collate = (items: [number[], number][]) => {
      const batch = padCollate(items, { batchFirst: true });
      return [batch, batch.targets.to("float32").unsqueeze(1)];
    };
    const asDataset = (items: [number[], number][]) => ({ length: items.length, get: (i: number) => items[i]! });
    const loader = new DataLoader(asDataset(sequences(96, 4)), { batchSize: 16, shuffle: true, generator: new Generator(5), collate });
    const h = fit(model, loader, { loss: binaryCrossEntropyWithLogits, optimizer: new Adam(model.parameters(), { lr: 0.03 }), epochs: 12 });
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]! / 3);
    const probe = new DataLoader(asDataset([[[1, 2, 4], 1], [[4, 4, 4, 4, 1], 0]]), { batchSize: 2, collate });
    const logits = predict(model, probe).data();
    expect([logits[0]! > 0, logits[1]! > 0]).toEqual([true, false]);
  });
});
