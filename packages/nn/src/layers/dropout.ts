import { defaultGenerator, rand, type Generator, type Tensor } from "@tapegrad/autograd";
import { Module } from "../module";
import { pyFloat } from "../format";

/** Zeroes each element with probability p and scales the rest by 1/(1-p); only while training. */
export function dropout(x: Tensor, p: number, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape, { dtype: x.dtype, generator }).lt(1 - p);
  return x.mul(keep.to(x.dtype).div(1 - p));
}

export class Dropout extends Module {
  readonly generator: Generator;

  constructor(readonly p = 0.5, opts: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability must be in [0, 1], got ${p}`);
    this.generator = opts.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
