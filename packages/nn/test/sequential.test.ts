import { describe, expect, it } from "vitest";
import { Generator, type Tensor } from "@tapegrad/autograd";
import { GRU, LSTM, LastStep, Linear, Module, ReLU, Sequential, SequenceOutput, Tanh } from "@tapegrad/nn";
import { expectAllClose, randn64 } from "./helpers";

const opts = { dtype: "float64" as const };
const lstm = () => new LSTM({ inputSize: 3, hiddenSize: 4, ...opts, generator: new Generator(1) });
const linear = () => new Linear(4, 2, { ...opts, generator: new Generator(2) });
const x = randn64([5, 2, 3], 3); // (seq, batch, feature)
const ADVICE = "A recurrent layer returns [output, state]: put new LastStep() after it for the output at the last step, or new SequenceOutput() for the whole output sequence";

describe("Sequential passes Tensors between its children", () => {
  it("runs each child on the previous one's output", () => {
    const [a, b] = [linear(), new Linear(2, 3, { ...opts, generator: new Generator(4) })];
    const input = randn64([6, 4], 5);
    expectAllClose(new Sequential(a, new Tanh(), b).forward(input), b.forward(a.forward(input).tanh()), 0);
  });

  it("rejects a recurrent layer's [output, state] given to a layer that takes a Tensor, naming both children", () => {
    expect(() => new Sequential(lstm(), linear()).forward(x)).toThrow(
      `Sequential: child 0 (LSTM) returned an array ([a Tensor, [a Tensor, a Tensor]]) rather than a Tensor, and child 1 (Linear) takes a Tensor. ${ADVICE}`,
    );
    const gru = new GRU({ inputSize: 4, hiddenSize: 4, ...opts });
    expect(() => new Sequential(new Linear(3, 4, opts), new ReLU(), gru, new ReLU()).forward(x)).toThrow(
      `Sequential: child 2 (GRU) returned an array ([a Tensor, a Tensor]) rather than a Tensor, and child 3 (ReLU) takes a Tensor. ${ADVICE}`,
    );
  });

  it("rejects a recurrent layer as the last child, since Sequential returns a Tensor", () => {
    expect(() => new Sequential(new Linear(3, 3, opts), new GRU({ inputSize: 3, hiddenSize: 4, ...opts })).forward(x)).toThrow(
      `Sequential: child 1 (GRU) returned an array ([a Tensor, a Tensor]) rather than a Tensor, and Sequential returns a Tensor. ${ADVICE}`,
    );
  });

  it("names what any other child returned instead of a Tensor", () => {
    class Stats extends Module {
      forward(t: Tensor) {
        return { mean: t.mean() };
      }
    }
    expect(() => new Sequential(new Stats(), new ReLU()).forward(x)).toThrow(
      "Sequential: child 0 (Stats) returned an object rather than a Tensor, and child 1 (ReLU) takes a Tensor.",
    );
  });

  it("takes LastStep or SequenceOutput after a recurrent layer, with the values of the layers run by hand", () => {
    const [rnn, head] = [lstm(), linear()];
    const [output] = rnn.forward(x);
    expectAllClose(new Sequential(rnn, new LastStep(), head).forward(x), head.forward(output.select(0, 4)), 0);
    const perStep = new Sequential(rnn, new SequenceOutput(), head).forward(x);
    expect(perStep.shape).toEqual([5, 2, 2]);
    expectAllClose(perStep, head.forward(output), 0);
  });
});
