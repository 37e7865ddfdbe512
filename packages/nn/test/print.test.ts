import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import {
  Dropout, Embedding, GRU, GRUCell, Identity, LayerNorm, Linear, LogSoftmax, LSTM, LSTMCell, Module, Parameter,
  ReLU, Recurrent, RNN, RNNCell, Sequential, Sigmoid, Softmax, Tanh, summary,
} from "@tapegrad/nn";

// repr() of the same modules in PyTorch 1.13, written by fixtures/print/gen_module_reprs.py.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/print/modules.json", import.meta.url), "utf8")) as { cases: { name: string; repr: string }[] };

class Net extends Module {
  embed = new Embedding(100, 8, { paddingIdx: 0 });
  encoder = new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2, bidirectional: true, batchFirst: true });
  head = new Sequential(new Linear(32, 16), new Tanh(), new Dropout(0.1), new Linear(16, 4));
  forward(x: never): unknown {
    return x;
  }
}

const modules: Record<string, () => Module> = {
  linear: () => new Linear(8, 16),
  linear_no_bias: () => new Linear(3, 4, { bias: false }),
  lstm_deep_bidirectional: () => new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2, bidirectional: true }),
  lstm_every_option: () => new LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, bias: false, batchFirst: true, dropout: 0.25, bidirectional: true, projSize: 3 }),
  lstm_plain: () => new LSTM({ inputSize: 3, hiddenSize: 5 }),
  gru: () => new GRU({ inputSize: 8, hiddenSize: 16 }),
  gru_options: () => new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 3, dropout: 0.5, batchFirst: true }),
  rnn_relu: () => new RNN({ inputSize: 4, hiddenSize: 6, nonlinearity: "relu" }),
  rnn_tanh: () => new RNN({ inputSize: 4, hiddenSize: 6, bias: false }),
  rnn_cell_relu: () => new RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: "relu" }),
  rnn_cell_no_bias: () => new RNNCell({ inputSize: 3, hiddenSize: 4, bias: false }),
  lstm_cell: () => new LSTMCell({ inputSize: 3, hiddenSize: 4 }),
  gru_cell_no_bias: () => new GRUCell({ inputSize: 3, hiddenSize: 4, bias: false }),
  embedding: () => new Embedding(10, 3),
  embedding_padding: () => new Embedding(10, 3, { paddingIdx: -1 }),
  dropout_default: () => new Dropout(),
  dropout: () => new Dropout(0.1),
  layer_norm: () => new LayerNorm(16),
  layer_norm_options: () => new LayerNorm([4, 5], { eps: 1e-6, elementwiseAffine: false }),
  layer_norm_eps: () => new LayerNorm(3, { eps: 0.001 }),
  activations: () => new Sequential(new ReLU(), new Tanh(), new Sigmoid(), new Softmax(-1), new LogSoftmax(1), new Identity()),
  sequential: () => new Sequential(new Linear(8, 16), new ReLU(), new Dropout(0.2), new Linear(16, 1)),
  nested_sequential: () => new Sequential(new Embedding(100, 8), new Sequential(new Linear(8, 8), new Tanh()), new LayerNorm(8)),
  custom_module: () => new Net(),
};

describe("a Module prints as PyTorch's repr", () => {
  it("builds every fixture case", () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(Object.keys(modules).sort());
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(String(modules[c.name]!())).toBe(c.repr);
    });
  }

  it("console.log / util.inspect show the same tree", () => {
    const m = new Sequential(new Linear(2, 3), new ReLU());
    expect(inspect(m)).toBe("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)");
  });

  it("a Recurrent of user cells shows its configuration and its cells as a list", () => {
    const r = new Recurrent((_l, _d, inputSize) => new GRUCell({ inputSize, hiddenSize: 2 }), { inputSize: 3, numLayers: 2, bidirectional: true });
    expect(String(r)).toBe(
      "Recurrent(\n  input_size=3, num_layers=2, bidirectional=True\n  (cells): ModuleList(\n" +
        "    (0): GRUCell(3, 2)\n    (1): GRUCell(3, 2)\n    (2): GRUCell(4, 2)\n    (3): GRUCell(4, 2)\n  )\n)",
    );
  });

  it("a Parameter prints as PyTorch's: 'Parameter containing:' above the tensor", () => {
    const p = new Parameter(tensor([1, -2]));
    expect(String(p)).toBe("Parameter containing:\ntensor([ 1., -2.], requires_grad=True)");
  });
});

describe("summary", () => {
  it("lists names, shapes and counts and the total", () => {
    // LSTM(3, 4): weight_ih 16x3 = 48, weight_hh 16x4 = 64, two biases of 16; Linear(4, 1): 4 + 1.
    const model = new Sequential(new LSTM({ inputSize: 3, hiddenSize: 4 }), new Linear(4, 1));
    expect(summary(model)).toBe(
      [
        "Sequential summary",
        "parameter       shape    count",
        "------------------------------",
        "0.weight_ih_l0  [16, 3]     48",
        "0.weight_hh_l0  [16, 4]     64",
        "0.bias_ih_l0    [16]        16",
        "0.bias_hh_l0    [16]        16",
        "1.weight        [1, 4]       4",
        "1.bias          [1]          1",
        "------------------------------",
        "total                      149",
      ].join("\n"),
    );
  });

  it("counts frozen parameters in the total but not in trainable, with thousands separators", () => {
    const model = new Linear(100, 20);
    model.bias = new Parameter(model.bias!.detach(), false);
    const lines = summary(model).split("\n");
    expect(lines.at(-2)).toMatch(/^total\s+2,020$/);
    expect(lines.at(-1)).toMatch(/^trainable\s+2,000$/);
  });
});
