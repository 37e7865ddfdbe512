import { defaultGenerator, rand, type Generator, type Tensor } from "@tapegrad/autograd";
import { Module } from "../module";
import { fmt } from "../format";

function checkP(fn: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${fn}: probability must be in [0, 1], got ${p}`);
}

/**
 * Zeroes whole channels: x (N, C, L) or (C, L), each channel's row dropped with probability p
 * and the rest scaled by 1/(1-p), as PyTorch's dropout1d; only while training.
 */
export function dropout1d(x: Tensor, p: number, training = true, generator: Generator = defaultGenerator): Tensor {
  checkP("dropout1d", p);
  if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`dropout1d: input must be (N, C, L) or (C, L), got shape ${fmt(x.shape)}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand([...x.shape.slice(0, -1), 1], { dtype: x.dtype, generator }).lt(1 - p).to(x.dtype);
  return x.mul(keep.div(1 - p));
}

/** SELU's α·λ: the value SELU tends to at -∞, negated. */
const SELU_ALPHA = 1.7580993408473766;

/**
 * PyTorch's alpha_dropout, for SELU networks: a dropped element becomes SELU's negative
 * saturation value, and an affine map a·x + b keeps zero mean and unit variance:
 * a = ((1 - p)(1 + p α²))^-½, b = a α p; kept x -> a x + b, dropped -> b - a α. Only while training.
 */
export function alphaDropout(x: Tensor, p: number, training = true, generator: Generator = defaultGenerator): Tensor {
  checkP("alphaDropout", p);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape, { dtype: x.dtype, generator }).lt(1 - p).to(x.dtype);
  const a = 1 / Math.sqrt((SELU_ALPHA * SELU_ALPHA * p + 1) * (1 - p));
  return x.mul(keep.mul(a)).add(keep.sub(1).mul(SELU_ALPHA * a).add(SELU_ALPHA * a * p));
}

/** A dropout module: fn applied with the module's p, mode and generator. */
abstract class DropoutModule extends Module {
  /** Draws the masks. */
  readonly generator: Generator;

  /**
   * @param p - the probability of dropping
   * @param opts - the generator of the masks
   * @param fn - the functional form
   */
  constructor(readonly p: number, opts: { generator?: Generator }, private readonly fn: typeof dropout1d) {
    super();
    checkP(new.target.name, p);
    this.generator = opts.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    return this.fn(x, this.p, this.training, this.generator);
  }
}

/** Zeroes whole channels of (N, C, L) or (C, L) input with probability p while training, scaling the rest by 1/(1-p) (PyTorch's Dropout1d). */
export class Dropout1d extends DropoutModule {
  constructor(p = 0.5, opts: { generator?: Generator } = {}) {
    super(p, opts, dropout1d);
  }
}

/** Dropout that keeps a SELU network's mean and variance while training (PyTorch's AlphaDropout). */
export class AlphaDropout extends DropoutModule {
  constructor(p = 0.5, opts: { generator?: Generator } = {}) {
    super(p, opts, alphaDropout);
  }
}
