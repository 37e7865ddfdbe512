import { randn, zeros, type Tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { GRU, GRUCell, LSTM, Linear, Module, PackedSequence, Parameter, RNN, Recurrent, type State } from "../src/index";

const x = () => randn([5, 2, 3], { dtype: "float64" });

/** A cell that says hiddenSize 4 but returns what `out` makes of its input. */
class LyingCell extends Module {
  readonly hiddenSize = 4;
  weight = new Parameter(zeros([5, 3], { dtype: "float64" }));
  constructor(private readonly out: (x: Tensor, w: Tensor) => unknown) {
    super();
  }
  forward(input: Tensor): State {
    return this.out(input, this.weight) as State;
  }
}

// PyTorch 1.13: nn.GRU(3, 4, dropout="0.5") / dropout=True / dropout=1.5 raise "dropout should be a
// number in range [0, 1] ..."; nn.GRU(3, 2.5) fails inside torch.empty; num_layers=0 fails with an
// IndexError; proj_size >= hidden_size "proj_size has to be smaller than hidden_size".
describe("recurrent options are checked by type and range", () => {
  it.each<[string, () => unknown, string]>([
    ['dropout "0.5"', () => new GRU({ inputSize: 3, hiddenSize: 4, dropout: "0.5" as unknown as number }), 'GRU: dropout must be a number in [0, 1], got "0.5"'],
    ["dropout true", () => new GRU({ inputSize: 3, hiddenSize: 4, dropout: true as unknown as number }), "GRU: dropout must be a number in [0, 1], got true"],
    ["dropout NaN", () => new LSTM({ inputSize: 3, hiddenSize: 4, dropout: NaN }), "LSTM: dropout must be a number in [0, 1], got NaN"],
    ["dropout 1.5", () => new RNN({ inputSize: 3, hiddenSize: 4, dropout: 1.5 }), "RNN: dropout must be a number in [0, 1], got 1.5"],
    ["hiddenSize 2.5", () => new GRU({ inputSize: 3, hiddenSize: 2.5 }), "GRUCell: hiddenSize must be a positive integer, got 2.5"],
    ["hiddenSize 0", () => new GRU({ inputSize: 3, hiddenSize: 0 }), "GRUCell: hiddenSize must be a positive integer, got 0"],
    ['inputSize "3"', () => new LSTM({ inputSize: "3" as unknown as number, hiddenSize: 4 }), 'LSTM: inputSize must be a positive integer, got "3"'],
    ["numLayers 0", () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 0 }), "RNN: numLayers must be a positive integer, got 0"],
    ["numLayers 1.5", () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 1.5 }), "RNN: numLayers must be a positive integer, got 1.5"],
    ["projSize 4 with hiddenSize 4", () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 }), "LSTMCell: projSize must be an integer in [0, hiddenSize), got 4 with hiddenSize 4"],
    ["projSize -1", () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: -1 }), "LSTMCell: projSize must be an integer in [0, hiddenSize), got -1"],
    ['bidirectional "yes"', () => new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: "yes" as unknown as boolean }), 'GRU: bidirectional must be true or false, got "yes"'],
    ["batchFirst 1", () => new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: 1 as unknown as boolean }), "GRU: batchFirst must be true or false, got 1"],
    ["a cell with inputSize NaN", () => new GRUCell({ inputSize: NaN, hiddenSize: 4 }), "GRUCell: inputSize must be a positive integer, got NaN"],
    ["Linear(2.5, 3)", () => new Linear(2.5, 3), "Linear: inFeatures must be a positive integer, got 2.5"],
    ['Linear(2, "3")', () => new Linear(2, "3" as unknown as number), 'Linear: outFeatures must be a positive integer, got "3"'],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});

// PyTorch 1.13: GRU()(x, [h0]) fails with "'list' object has no attribute 'dim'"; a wrong h0 shape
// "Expected hidden size (1, 2, 4), got [1, 3, 4]"; lengths past T "Expected sequence length to be
// larger than 0" / out of range.
describe("forward arguments: states, lengths and inputs", () => {
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, dtype: "float64" });
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, dtype: "float64" });
  it.each<[string, () => unknown, string]>([
    ["GRU.forward(x, [h0])", () => gru.forward(x(), [zeros([1, 2, 4], { dtype: "float64" })] as unknown as Tensor), "GRU: h0 must be a Tensor of shape (numLayers * numDirections, batch, hiddenSize), got [a Tensor]"],
    ["GRU h0 of batch 3", () => gru.forward(x(), zeros([1, 3, 4], { dtype: "float64" })), "GRU: initial state tensor has shape [1, 3, 4], expected (1, 2, 4) for 1 layer(s) x 1 direction(s)"],
    ["GRU h0 of size 5", () => gru.forward(x(), zeros([1, 2, 5], { dtype: "float64" })), "GRU: initial state tensor has shape [1, 2, 5], expected (1, 2, 4)"],
    ["LSTM state h0 alone", () => lstm.forward(x(), zeros([1, 2, 2]) as unknown as [Tensor, Tensor]), "LSTM: the initial state must be [h0, c0], two Tensors, got a Tensor"],
    ["LSTM c0 of projSize", () => lstm.forward(x(), [zeros([1, 2, 2], { dtype: "float64" }), zeros([1, 2, 2], { dtype: "float64" })]), "LSTM: initial state tensor [1] has shape [1, 2, 2], expected (1, 2, 4)"],
    ["LSTM h0 of hiddenSize (projSize 2)", () => lstm.forward(x(), [zeros([1, 2, 4], { dtype: "float64" }), zeros([1, 2, 4], { dtype: "float64" })]), "LSTM: initial state tensor [0] has shape [1, 2, 4], expected (1, 2, 2)"],
    ["lengths [2.5, 1]", () => gru.forward(x(), undefined, { lengths: [2.5, 1] }), "GRU: every length must be an integer in [1, 5], got 2.5"],
    ["lengths [0, 1]", () => gru.forward(x(), undefined, { lengths: [0, 1] }), "GRU: every length must be an integer in [1, 5], got 0"],
    ["lengths [6, 1]", () => gru.forward(x(), undefined, { lengths: [6, 1] }), "GRU: every length must be an integer in [1, 5], got 6"],
    ['lengths ["5", 1]', () => gru.forward(x(), undefined, { lengths: ["5", 1] as unknown as number[] }), 'GRU: every length must be an integer in [1, 5], got "5"'],
    ["lengths [5]", () => gru.forward(x(), undefined, { lengths: [5] }), "GRU: lengths has 1 entries, expected one per sequence (batch 2)"],
    ["lengths 5", () => gru.forward(x(), undefined, { lengths: 5 as unknown as number[] }), "GRU: lengths must be an array of numbers or a Tensor, got 5"],
    ["x a nested array", () => gru.forward([[[1, 2, 3]]] as unknown as Tensor), "GRU: input must be a Tensor or a PackedSequence, got [[[1, 2, 3]]]"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});

describe("a cell's output is checked at the first step, naming the cell", () => {
  const make = (out: (x: Tensor, w: Tensor) => unknown, numLayers = 1) => new Recurrent(() => new LyingCell(out), { inputSize: 3, numLayers });
  it.each<[string, Recurrent, string]>([
    ["5 features for hiddenSize 4", make((input, w) => input.matmul(w.T)), "Recurrent: the cell of layer 0 (LyingCell) returned an output of shape [2, 5] at the first step, expected (2, 4) (batch, hiddenSize)"],
    ["5 features, 2 layers: the cell is named, not linear", make((input, w) => input.matmul(w.T), 2), "Recurrent: the cell of layer 0 (LyingCell) returned an output of shape [2, 5] at the first step, expected (2, 4)"],
    ["a number", make(() => 3), "Recurrent: the cell of layer 0 (LyingCell) returned 3; a cell's forward must return a Tensor or an array of Tensors"],
    ["undefined", make(() => undefined), "Recurrent: the cell of layer 0 (LyingCell) returned undefined"],
    ["[h, undefined]", make((input) => [input.sum(-1, true).expand([2, 4]), undefined]), "Recurrent: the cell of layer 0 (LyingCell) returned undefined at state [1]"],
  ])("%s", (_name, layer, message) => {
    expect(() => layer.forward(x())).toThrow(message);
  });
});

// PyTorch builds a PackedSequence from pack_padded_sequence; a hand-built one with increasing
// batch_sizes or repeated sorted_indices fails later in the kernels. We check it when it is built.
describe("a hand-built PackedSequence is checked", () => {
  const data = zeros([5, 3]);
  it.each<[string, () => unknown, string]>([
    ["increasing batchSizes", () => new PackedSequence(data, [2, 3], [0, 1, 2], [0, 1, 2]), "PackedSequence: batchSizes must be positive integers that never increase, got 3 at step 1 of [2, 3]"],
    ["a zero batch size", () => new PackedSequence(data, [3, 2, 0], [0, 1, 2], [0, 1, 2]), "PackedSequence: batchSizes must be positive integers that never increase, got 0 at step 2"],
    ["repeated sortedIndices", () => new PackedSequence(data, [3, 2], [0, 0, 1], [0, 1, 2]), "PackedSequence: sortedIndices [0, 0, 1] must be a permutation of 0..2 (the batch), got 0 twice"],
    ["an out-of-range index", () => new PackedSequence(data, [3, 2], [0, 1, 3], [0, 1, 2]), "PackedSequence: sortedIndices [0, 1, 3] must be a permutation of 0..2 (the batch), got 3 out of range"],
    ["unsortedIndices not the inverse", () => new PackedSequence(data, [3, 2], [1, 2, 0], [1, 2, 0]), "PackedSequence: unsortedIndices [1, 2, 0] is not the inverse of sortedIndices [1, 2, 0]"],
    ["data of the wrong length", () => new PackedSequence(zeros([4, 3]), [3, 2], [0, 1, 2], [0, 1, 2]), "PackedSequence: data has 4 steps (shape [4, 3]), batchSizes [3, 2] add up to 5"],
    ["data not a tensor", () => new PackedSequence([1, 2] as unknown as Tensor, [2], [0, 1], [0, 1]), "PackedSequence: data must be a Tensor of shape (total steps, *features), got [1, 2]"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));

  it("a valid one runs through a GRU", () => {
    const packed = new PackedSequence(randn([5, 3]), [3, 2], [2, 0, 1], [1, 2, 0]);
    const [out, hN] = new GRU({ inputSize: 3, hiddenSize: 4 }).forward(packed);
    expect(out.batchSizes).toEqual([3, 2]);
    expect(hN.shape).toEqual([1, 3, 4]);
    expect(packed.lengths).toEqual([2, 1, 2]);
  });
});
