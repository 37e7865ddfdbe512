import { describeValue, Tensor } from "@tapegrad/autograd";
import { GRUCell, LSTMCell, RNNCell, type State } from "./cells";
import { pyFloat } from "./format";
import type { LayerOptions } from "./layers/linear";
import type { Module } from "./module";
import type { PackedSequence } from "./packing";
import { Recurrent, type RecurrentForwardOptions, type RecurrentOptions } from "./recurrent";

/** Options of {@link RNN}, {@link LSTM} and {@link GRU} (PyTorch's, camelCased). */
export interface RNNOptions extends LayerOptions, Pick<RecurrentOptions, "inputDropout" | "recurrentDropout"> {
  /** Features of each input step. */
  inputSize: number;
  /** Features of the hidden state. */
  hiddenSize: number;
  /** Stacked layers (1 by default). */
  numLayers?: number;
  /** Learn the biases (true by default). */
  bias?: boolean;
  /** Inputs and outputs are (batch, seq, feature) instead of (seq, batch, feature). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, while training (0 by default). */
  dropout?: number;
  /** Also run each layer over the reversed sequence (false by default). */
  bidirectional?: boolean;
  /** Checkpoint the time loop every k steps (see Recurrent). */
  checkpointEvery?: number;
}

/** What RNN, LSTM and GRU share beyond the runner: they print as PyTorch's (configuration, no cells). */
abstract class BuiltinRecurrent<S extends State> extends Recurrent<S> {
  /** The options the layer was built with. */
  abstract readonly opts: RNNOptions & {
    /** LSTM: features of the projected h (0: none). */
    projSize?: number;
  };

  /** The configuration as PyTorch prints it: `8, 16, num_layers=2, batch_first=True`. */
  override extraRepr(): string {
    const o = this.opts;
    return [
      `${o.inputSize}, ${o.hiddenSize}`,
      o.projSize ? `proj_size=${o.projSize}` : "",
      this.numLayers !== 1 ? `num_layers=${this.numLayers}` : "",
      o.bias === false ? "bias=False" : "",
      this.batchFirst ? "batch_first=True" : "",
      this.dropout !== 0 ? `dropout=${pyFloat(this.dropout)}` : "",
      this.bidirectional ? "bidirectional=True" : "",
    ].filter(Boolean).join(", ");
  }

  protected override printedChildren(): [string, Module | Module[]][] {
    return [];
  }
}

/** Elman RNN: the runner with an RNNCell per layer and direction. */
export class RNN extends BuiltinRecurrent<Tensor> {
  /** @param opts - the options; `nonlinearity` is "tanh" (default) or "relu" */
  constructor(
    readonly opts: RNNOptions & {
      /** "tanh" (default) or "relu". */
      nonlinearity?: "tanh" | "relu";
    },
  ) {
    super((_layer, _direction, inputSize) => new RNNCell({ ...opts, inputSize }), opts);
  }

  override forward<X extends Tensor | PackedSequence>(x: X, h0?: Tensor, opts?: RecurrentForwardOptions): [X, Tensor] {
    checkH0(this, h0);
    return super.forward(x, h0, opts);
  }
}

/** RNN and GRU take one state tensor, not an array (PyTorch: a list there fails deep inside). */
function checkH0(layer: Recurrent<Tensor>, h0: unknown): void {
  if (h0 !== undefined && !(h0 instanceof Tensor)) {
    throw new Error(`${layer.constructor.name}: h0 must be a Tensor of shape (numLayers * numDirections, batch, hiddenSize), got ${describeValue(h0)}`);
  }
}

/** LSTM: the runner with an LSTMCell per layer and direction; state [h, c]. */
export class LSTM extends BuiltinRecurrent<[Tensor, Tensor]> {
  /** @param opts - the options; `projSize` > 0 projects h to that many features (PyTorch's proj_size) */
  constructor(
    readonly opts: RNNOptions & {
      /** Features of the projected h (0: none). */
      projSize?: number;
    },
  ) {
    super((_layer, _direction, inputSize) => new LSTMCell({ ...opts, inputSize }), opts);
  }

  override forward<X extends Tensor | PackedSequence>(x: X, state?: readonly [Tensor, Tensor], opts?: RecurrentForwardOptions): [X, [Tensor, Tensor]] {
    if (state !== undefined && !(Array.isArray(state) && state.length === 2 && state.every((t) => t instanceof Tensor))) {
      throw new Error(`LSTM: the initial state must be [h0, c0], two Tensors, got ${describeValue(state)}`);
    }
    return super.forward(x, state as [Tensor, Tensor] | undefined, opts);
  }

  /** h0 has the output size (projSize when set), c0 hiddenSize. */
  protected override stateSize(path: readonly number[]): number | undefined {
    return path[0] === 1 ? this.opts.hiddenSize : super.stateSize(path);
  }
}

/** GRU: the runner with a GRUCell per layer and direction. */
export class GRU extends BuiltinRecurrent<Tensor> {
  /** @param opts - the options */
  constructor(readonly opts: RNNOptions) {
    super((_layer, _direction, inputSize) => new GRUCell({ ...opts, inputSize }), opts);
  }

  override forward<X extends Tensor | PackedSequence>(x: X, h0?: Tensor, opts?: RecurrentForwardOptions): [X, Tensor] {
    checkH0(this, h0);
    return super.forward(x, h0, opts);
  }
}
