import type { Tensor } from "@tapegrad/autograd";
import { GRUCell, LSTMCell, RNNCell } from "./cells";
import type { LayerOptions } from "./layers/linear";
import type { PackedSequence } from "./packing";
import { Recurrent, type RecurrentForwardOptions } from "./recurrent";

export interface RNNOptions extends LayerOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  /** Checkpoint the time loop every k steps (see Recurrent). */
  checkpointEvery?: number;
}

/** Elman RNN: the runner with an RNNCell per layer and direction. */
export class RNN extends Recurrent {
  constructor(readonly opts: RNNOptions & { nonlinearity?: "tanh" | "relu" }) {
    super((_layer, _direction, inputSize) => new RNNCell({ ...opts, inputSize }), opts);
  }

  override forward<X extends Tensor | PackedSequence>(x: X, h0?: Tensor, opts?: RecurrentForwardOptions): [X, Tensor] {
    return super.forward(x, h0, opts) as [X, Tensor];
  }
}

/** LSTM: the runner with an LSTMCell per layer and direction; state [h, c]. */
export class LSTM extends Recurrent {
  constructor(readonly opts: RNNOptions & { projSize?: number }) {
    super((_layer, _direction, inputSize) => new LSTMCell({ ...opts, inputSize }), opts);
  }

  override forward<X extends Tensor | PackedSequence>(x: X, state?: readonly [Tensor, Tensor], opts?: RecurrentForwardOptions): [X, [Tensor, Tensor]] {
    return super.forward(x, state, opts) as [X, [Tensor, Tensor]];
  }
}

/** GRU: the runner with a GRUCell per layer and direction. */
export class GRU extends Recurrent {
  constructor(readonly opts: RNNOptions) {
    super((_layer, _direction, inputSize) => new GRUCell({ ...opts, inputSize }), opts);
  }

  override forward<X extends Tensor | PackedSequence>(x: X, h0?: Tensor, opts?: RecurrentForwardOptions): [X, Tensor] {
    return super.forward(x, h0, opts) as [X, Tensor];
  }
}
