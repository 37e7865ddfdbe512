import { describeValue, Tensor } from "@tapegrad/autograd";
import { Module } from "../module";
import { LastStep, SequenceOutput } from "../training/sequence";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class Softmax extends Module {
  /** @param dim - the dim that sums to 1 */
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  /** @param dim - the dim softmax runs along */
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Runs its modules in order, feeding each output to the next; children are named 0, 1, ... */
export class Sequential extends Module {
  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => ((this as unknown as Record<string, Module>)[i] = m));
  }
  forward(x: Tensor): Tensor {
    const children = this.children();
    return children.reduce((h: unknown, m, i) => {
      const out = (m as unknown as { forward(t: unknown): unknown }).forward(h);
      checkPassed(out, m, i, children[i + 1]);
      return out;
    }, x) as Tensor;
  }
}

/**
 * Children pass Tensors, except that what a recurrent layer returns, [output, state], may go to
 * LastStep or SequenceOutput, which pick the tensor out of it.
 */
function checkPassed(out: unknown, child: Module, index: number, next: Module | undefined): void {
  if (out instanceof Tensor || next instanceof LastStep || next instanceof SequenceOutput) return;
  const what = Array.isArray(out) ? `an array (${describeValue(out)})` : describeValue(out);
  const to = next ? `child ${index + 1} (${next.constructor.name}) takes a Tensor` : "Sequential returns a Tensor";
  const advice = Array.isArray(out)
    ? " A recurrent layer returns [output, state]: put new LastStep() after it for the output at the last step, or new SequenceOutput() for the whole output sequence"
    : "";
  throw new Error(`Sequential: child ${index} (${child.constructor.name}) returned ${what} rather than a Tensor, and ${to}.${advice}`);
}
