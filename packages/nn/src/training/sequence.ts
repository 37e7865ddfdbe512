import type { Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { Module } from "../module";

/** The output sequence of what a recurrent layer returns: `[output, state]` gives output, a tensor itself. */
function outputOf(name: string, x: Tensor | readonly [Tensor, unknown]): Tensor {
  const out = Array.isArray(x) ? x[0] : x;
  if (typeof (out as Tensor)?.select !== "function") throw new Error(`${name}: expected a tensor or [output, state] from a recurrent layer, got ${typeof out}`);
  return out as Tensor;
}

/**
 * Turns what a recurrent layer returns into its output at the last time step, so that RNN, LSTM,
 * GRU or a Recurrent of your own can sit in a Sequential before a Linear (Keras's
 * `return_sequences=False`). Input `[output, state]` or output: (seq, batch, features), or
 * (batch, seq, features) with batchFirst, or (seq, features) unbatched. Padding at the end of a
 * sequence would be read as steps, so pad on the left (padSequence's paddingSide "left"). For a
 * bidirectional layer the reverse half at the last step has seen only that step.
 */
export class LastStep extends Module {
  /** Whether the output is (batch, seq, features). */
  readonly batchFirst: boolean;

  constructor(opts: { batchFirst?: boolean } = {}) {
    super();
    this.batchFirst = opts.batchFirst ?? false;
  }

  forward(x: Tensor | readonly [Tensor, unknown]): Tensor {
    const out = outputOf("LastStep", x);
    if (out.ndim !== 2 && out.ndim !== 3) throw new Error(`LastStep: expected an output of 2 or 3 dims (${this.batchFirst ? "batch, seq" : "seq, batch"}, features), got shape ${fmt(out.shape)}`);
    const dim = out.ndim === 3 && this.batchFirst ? 1 : 0;
    return out.select(dim, out.shape[dim]! - 1);
  }
}

/**
 * Drops the state of what a recurrent layer returns, keeping the whole output sequence (Keras's
 * `return_sequences=True`): for stacking recurrent layers in a Sequential, or a per-step head.
 */
export class SequenceOutput extends Module {
  forward(x: Tensor | readonly [Tensor, unknown]): Tensor {
    return outputOf("SequenceOutput", x);
  }
}
