import { describe, expect, expectTypeOf, it } from "vitest";
import { zeros, type Tensor } from "@tapegrad/autograd";
import { GRU, GRUCell, LSTM, LSTMCell, Module, Parameter, Recurrent, linear, packPaddedSequence, type PackedSequence, type State } from "@tapegrad/nn";
import { randn64 } from "./helpers";

// The runner's final state has the type of its cells' state, with no cast. The expectTypeOf
// lines are checked by the type checker (npm run typecheck); the expect lines at run time.

/** h' = tanh(W x + U h): one tensor of state. */
class ElmanCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  constructor(inputSize: number, readonly hiddenSize: number) {
    super();
    this.weight_ih = new Parameter(randn64([hiddenSize, inputSize], 1));
    this.weight_hh = new Parameter(randn64([hiddenSize, hiddenSize], 2));
  }
  forward(x: Tensor, h?: Tensor): Tensor {
    const prev = h ?? zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    return linear(x, this.weight_ih).add(linear(prev, this.weight_hh)).tanh();
  }
}

/** An LSTMCell whose state also carries a step count: [[h, c], n]. */
class CountingCell extends Module {
  inner: LSTMCell;
  constructor(inputSize: number, readonly hiddenSize: number) {
    super();
    this.inner = new LSTMCell({ inputSize, hiddenSize, dtype: "float64" });
  }
  forward(x: Tensor, state?: [[Tensor, Tensor], Tensor]): [[Tensor, Tensor], Tensor] {
    const count = state ? state[1].add(1) : zeros([x.shape[0]!, 1], { dtype: x.dtype }).add(1);
    return [this.inner.forward(x, state?.[0]), count];
  }
}

describe("Recurrent is generic in its cells' state", () => {
  it("types a one-tensor cell's final state as a Tensor", () => {
    const layer = new Recurrent((_l, _d, inputSize) => new ElmanCell(inputSize, 3), { inputSize: 2, numLayers: 2 });
    expectTypeOf(layer).toEqualTypeOf<Recurrent<Tensor>>();
    const [out, hN] = layer.forward(randn64([4, 5, 2], 3));
    expectTypeOf(out).toEqualTypeOf<Tensor>();
    expectTypeOf(hN).toEqualTypeOf<Tensor>();
    expect(out.shape).toEqual([4, 5, 3]);
    expect(hN.shape).toEqual([2, 5, 3]);
    const [, again] = layer.forward(randn64([4, 5, 2], 4), hN);
    expect(again.shape).toEqual([2, 5, 3]);
  });

  it("types a nested state with its structure, and the initial state it takes", () => {
    const layer = new Recurrent((_l, _d, inputSize) => new CountingCell(inputSize, 3), { inputSize: 2, bidirectional: true });
    const [, [[h, c], n]] = layer.forward(randn64([4, 5, 2], 5));
    expectTypeOf(layer.forward).parameter(1).toEqualTypeOf<[[Tensor, Tensor], Tensor] | undefined>();
    expectTypeOf(n).toEqualTypeOf<Tensor>();
    expect(h.shape).toEqual([2, 5, 3]);
    expect(c.shape).toEqual([2, 5, 3]);
    expect(Array.from(n.data())).toEqual(new Array(10).fill(4));
  });

  it("keeps a packed input packed, and types the cells", () => {
    const layer = new Recurrent((_l, _d, inputSize) => new GRUCell({ inputSize, hiddenSize: 3, dtype: "float64" }), { inputSize: 2 });
    expectTypeOf(layer).toEqualTypeOf<Recurrent<Tensor>>();
    expectTypeOf(layer.cells[0]!.forward(randn64([5, 2], 7))).toEqualTypeOf<Tensor>();
    const [out, hN] = layer.forward(packPaddedSequence(randn64([4, 2, 2], 8), [4, 2]));
    expectTypeOf(out).toEqualTypeOf<PackedSequence>();
    expectTypeOf(hN).toEqualTypeOf<Tensor>();
    expect(out.batchSizes).toEqual([2, 2, 1, 1]);
    expect(hN.shape).toEqual([1, 2, 3]);
  });

  it("infers the built-in cells' states: h for GRUCell, [h, c] for LSTMCell", () => {
    const layer = new Recurrent((_l, _d, inputSize) => new LSTMCell({ inputSize, hiddenSize: 3, dtype: "float64" }), { inputSize: 2, numLayers: 2 });
    const [, [h, c]] = layer.forward(randn64([4, 5, 2], 9));
    expectTypeOf(layer.forward).parameter(1).toEqualTypeOf<readonly [Tensor, Tensor] | undefined>();
    expectTypeOf(c).toEqualTypeOf<Tensor>();
    expect([h.shape, c.shape]).toEqual([[2, 5, 3], [2, 5, 3]]);
  });

  it("gives the built-in layers their state types, and widens to Recurrent<State>", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    expectTypeOf(lstm.forward(randn64([4, 5, 2], 6))[1]).toEqualTypeOf<[Tensor, Tensor]>();
    expectTypeOf(gru.forward(randn64([4, 5, 2], 6))[1]).toEqualTypeOf<Tensor>();
    const any: Recurrent<State>[] = [lstm, gru];
    expectTypeOf(any[0]!.forward(randn64([4, 5, 2], 6))[1]).toEqualTypeOf<State>();
    expect(any.map((r) => r.outputSize)).toEqual([3, 3]);
  });
});
