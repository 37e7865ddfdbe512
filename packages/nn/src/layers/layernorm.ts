import { describeValue, ones, zeros, type Tensor } from "@tapegrad/autograd";
import { booleanOption } from "../arguments";
import { Module, Parameter } from "../module";
import type { LayerOptions } from "./linear";
import { fmt, pyFloat, pyTuple } from "../format";

/** Normalizes over the last dims (biased variance), then scales and shifts elementwise. */
export class LayerNorm extends Module {
  /** The trailing dims normalized over. */
  readonly normalizedShape: number[];
  /** γ of normalizedShape, or null without elementwiseAffine. */
  weight: Parameter | null;
  /** β of normalizedShape, or null without elementwiseAffine. */
  bias: Parameter | null;

  /**
   * @param normalizedShape - the trailing dims to normalize over
   * @param opts - eps, elementwiseAffine, dtype
   */
  constructor(
    normalizedShape: number | number[],
    readonly opts: LayerOptions & {
      /** Added to the variance for stability (1e-5 by default). */
      eps?: number;
      /** Learn γ and β (true by default). */
      elementwiseAffine?: boolean;
    } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || this.normalizedShape.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`LayerNorm: normalizedShape must be positive integers, got ${fmt(this.normalizedShape)}`);
    }
    if (opts.eps !== undefined && !(typeof opts.eps === "number" && opts.eps >= 0 && Number.isFinite(opts.eps))) {
      throw new Error(`LayerNorm: eps must be a finite number >= 0, got ${describeValue(opts.eps)}`);
    }
    const dtype = opts.dtype ?? "float32";
    const affine = booleanOption("LayerNorm", "elementwiseAffine", opts.elementwiseAffine, true);
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(-k).join() !== this.normalizedShape.join()) {
      throw new Error(`LayerNorm: input of shape ${fmt(x.shape)} does not end in the normalized shape ${fmt(this.normalizedShape)}`);
    }
    const dims = this.normalizedShape.map((_, i) => x.ndim - k + i);
    const centered = x.sub(x.mean(dims, true));
    const variance = centered.mul(centered).mean(dims, true);
    let y = centered.div(variance.add(this.opts.eps ?? 1e-5).sqrt());
    if (this.weight) y = y.mul(this.weight);
    if (this.bias) y = y.add(this.bias);
    return y;
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.opts.eps ?? 1e-5)}, elementwise_affine=${this.weight ? "True" : "False"}`;
  }
}
