import { zeros, type Tensor } from "@tapegrad/autograd";
import type { State } from "../../cells";
import { linear } from "../../layers/linear";
import { Module, Parameter } from "../../module";
import { ACTIVATIONS } from "./activations";

/**
 * Keras's GRU with reset_after=false (the only GRU TF.js has): the reset gate scales h before
 * the recurrent matmul of the candidate, n = tanh(W_in x + b_n + W_hn (r·h)), and there is one
 * bias. Rows are r, z, n like GRUCell; h' = (1 - z)·n + z·h. gate is Keras's recurrent_activation.
 */
export class ResetBeforeGRUCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, bias: boolean, readonly gate: "sigmoid" | "hard_sigmoid" = "sigmoid") {
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
    const gate = ACTIVATIONS[this.gate]!;
    const r = gate(xr.add(linear(h, wr)));
    const z = gate(xz.add(linear(h, wz)));
    const n = xn.add(linear(r.mul(h), wn)).tanh();
    return n.add(z.mul(h.sub(n)));
  }

  forward(x: Tensor, state?: State): Tensor {
    return this.step(this.projectInput(x), state);
  }
}
