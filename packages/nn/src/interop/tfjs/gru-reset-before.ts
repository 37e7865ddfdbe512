import { zeros, type Tensor } from "@tapegrad/autograd";
import type { State } from "../../cells";
import { linear } from "../../layers/linear";
import { Module, Parameter } from "../../module";

/**
 * Keras's GRU with reset_after=false (the only GRU TF.js has): the reset gate scales h before
 * the recurrent matmul of the candidate, n = tanh(W_in x + b_n + W_hn (r·h)), and there is one
 * bias. Rows are r, z, n like GRUCell; h' = (1 - z)·n + z·h.
 */
export class ResetBeforeGRUCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, bias: boolean) {
    super();
    this.weight_ih = new Parameter(zeros([3 * hiddenSize, inputSize]));
    this.weight_hh = new Parameter(zeros([3 * hiddenSize, hiddenSize]));
    this.bias_ih = bias ? new Parameter(zeros([3 * hiddenSize])) : null;
  }

  projectInput(x: Tensor): Tensor {
    return linear(x, this.weight_ih, this.bias_ih);
  }

  step(projected: Tensor, state?: State): Tensor {
    const H = this.hiddenSize;
    const h = (state as Tensor | undefined) ?? zeros([...projected.shape.slice(0, -1), H], { dtype: projected.dtype });
    const [xr, xz, xn] = projected.split(H, -1) as [Tensor, Tensor, Tensor];
    const [wr, wz, wn] = this.weight_hh.split(H, 0) as [Tensor, Tensor, Tensor];
    const r = xr.add(linear(h, wr)).sigmoid();
    const z = xz.add(linear(h, wz)).sigmoid();
    const n = xn.add(linear(r.mul(h), wn)).tanh();
    return n.add(z.mul(h.sub(n)));
  }

  forward(x: Tensor, state?: State): Tensor {
    return this.step(this.projectInput(x), state);
  }
}
