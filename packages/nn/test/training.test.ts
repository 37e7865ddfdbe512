import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Generator, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import { Embedding, LSTM, Linear, Module, crossEntropy } from "@tapegrad/nn";
import { loadSafetensors, saveSafetensors } from "@tapegrad/nn/node";

/** Predicts the next token of a sequence: embedding -> 2-layer LSTM -> linear. */
class NextToken extends Module {
  embed: Embedding;
  lstm: LSTM;
  head: Linear;

  constructor(seed: number) {
    super();
    const generator = new Generator(seed);
    this.embed = new Embedding(6, 4, { generator });
    this.lstm = new LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, dropout: 0.1, generator });
    this.head = new Linear(8, 6, { generator });
  }

  forward(tokens: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(tokens));
    return this.head.forward(out);
  }
}

describe("training, saving and loading", () => {
  it("trains a few SGD steps, and a fresh model loaded from safetensors gives bit-identical outputs", () => {
    const model = new NextToken(1);
    // Each sequence counts up modulo 6 from its own start: learnable from the previous token.
    const tokens = tensor(Array.from({ length: 7 }, (_, t) => [0, 2, 5].map((s) => (s + t) % 6)), { dtype: "int32" });
    const inputs = tokens.narrow(0, 0, 6);
    const targets = tokens.narrow(0, 1, 6);
    const lossOf = () => crossEntropy(model.forward(inputs).reshape([-1, 6]), targets.reshape([-1]));
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      model.zeroGrad();
      const loss = lossOf();
      loss.backward();
      losses.push(loss.item());
      noGrad(() => {
        for (const p of model.parameters()) p.sub_(p.grad!, 5);
      });
    }
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);

    const path = join(mkdtempSync(join(tmpdir(), "tapegrad-train-")), "model.safetensors");
    saveSafetensors(path, model.stateDict(), { steps: "40" });
    const fresh = new NextToken(99);
    fresh.loadStateDict(loadSafetensors(path));
    model.eval();
    fresh.eval();
    expect(Array.from(fresh.forward(inputs).data())).toEqual(Array.from(model.forward(inputs).data()));
  });
});
