import { checkProbability, defaultGenerator, rand, type Generator, type Tensor } from "@tapegrad/autograd";
import { Module } from "../module";
import { pyFloat } from "../format";

/** Zeroes each element with probability p and scales the rest by 1/(1-p); only while training. */
export function dropout(x: Tensor, p: number, training = true, generator: Generator = defaultGenerator): Tensor {
  checkProbability("dropout", "probability p", p);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape, { dtype: x.dtype, generator }).lt(1 - p);
  return x.mul(keep.to(x.dtype).div(1 - p));
}

export class Dropout extends Module {
  /** Draws the masks. */
  readonly generator: Generator;

  /**
   * @param p - the probability of zeroing an element (0.5 by default)
   * @param opts - the generator of the masks
   */
  constructor(readonly p = 0.5, opts: { generator?: Generator } = {}) {
    super();
    checkProbability("Dropout", "probability p", p);
    this.generator = opts.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
