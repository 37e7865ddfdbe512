import { zeros, type Tensor } from "@tapegrad/autograd";
import type { State } from "../../cells";
import { linear } from "../../layers/linear";
import { Module, Parameter } from "../../module";
import { ACTIVATIONS } from "./activations";

const hardSigmoid = ACTIVATIONS["hard_sigmoid"]!;

/**
 * Keras's LSTM cell with recurrent_activation="hard_sigmoid": rows i, f, g, o as LSTMCell, one
 * bias; c' = hσ(f)·c + hσ(i)·tanh(g), h' = hσ(o)·tanh(c').
 */
export class HardGateLSTMCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, bias: boolean) {
    super();
    this.weight_ih = new Parameter(zeros([4 * hiddenSize, inputSize]));
    this.weight_hh = new Parameter(zeros([4 * hiddenSize, hiddenSize]));
    this.bias_ih = bias ? new Parameter(zeros([4 * hiddenSize])) : null;
  }

  projectInput(x: Tensor): Tensor {
    return linear(x, this.weight_ih, this.bias_ih);
  }

  step(projected: Tensor, state?: State): [Tensor, Tensor] {
    const zero = () => zeros([...projected.shape.slice(0, -1), this.hiddenSize], { dtype: projected.dtype });
    const [h, c] = (state as [Tensor, Tensor] | undefined) ?? [zero(), zero()];
    const [i, f, g, o] = projected.add(linear(h, this.weight_hh)).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const c1 = hardSigmoid(f).mul(c).add(hardSigmoid(i).mul(g.tanh()));
    return [hardSigmoid(o).mul(c1.tanh()), c1];
  }

  forward(x: Tensor, state?: State): [Tensor, Tensor] {
    return this.step(this.projectInput(x), state);
  }
}

/**
 * Keras's GRU cell with reset_after=true and recurrent_activation="hard_sigmoid": rows r, z, n as
 * GRUCell; n = tanh(W_in x + b_in + hσ(r)·(W_hn h + b_hn)), h' = (1 - z)·n + z·h, z = hσ(·).
 */
export class HardGateGRUCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, bias: boolean) {
    super();
    this.weight_ih = new Parameter(zeros([3 * hiddenSize, inputSize]));
    this.weight_hh = new Parameter(zeros([3 * hiddenSize, hiddenSize]));
    this.bias_ih = bias ? new Parameter(zeros([3 * hiddenSize])) : null;
    this.bias_hh = bias ? new Parameter(zeros([3 * hiddenSize])) : null;
  }

  projectInput(x: Tensor): Tensor {
    return linear(x, this.weight_ih, this.bias_ih);
  }

  step(projected: Tensor, state?: State): Tensor {
    const h = (state as Tensor | undefined) ?? zeros([...projected.shape.slice(0, -1), this.hiddenSize], { dtype: projected.dtype });
    const [xr, xz, xn] = projected.chunk(3, -1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = linear(h, this.weight_hh, this.bias_hh).chunk(3, -1) as [Tensor, Tensor, Tensor];
    const r = hardSigmoid(xr.add(hr));
    const z = hardSigmoid(xz.add(hz));
    const n = xn.add(r.mul(hn)).tanh();
    return n.add(z.mul(h.sub(n)));
  }

  forward(x: Tensor, state?: State): Tensor {
    return this.step(this.projectInput(x), state);
  }
}
