import { ones, type Tensor } from "@tapegrad/autograd";
import { Module, Parameter } from "../module";
import type { LayerOptions } from "./linear";
import { fmt } from "../format";
import { rejectUnknownKeys } from "../unknown-keys";

/** Machine epsilon of each float dtype (torch.finfo(dtype).eps). */
const MACHINE_EPS = { float32: 2 ** -23, float64: 2 ** -52 } as const;

/**
 * PyTorch 2's RMSNorm: y = x / √(mean(x², last dims) + eps) · weight over the normalized shape
 * (the last dims). eps null (the default) is the machine epsilon of the input's dtype.
 */
export class RMSNorm extends Module {
  /** The trailing dims normalized over. */
  readonly normalizedShape: number[];
  /** γ of normalizedShape, or null without elementwiseAffine. */
  weight: Parameter | null;
  /** Added to the mean square; null: the dtype's machine epsilon. */
  readonly eps: number | null;

  constructor(normalizedShape: number | number[], opts: LayerOptions & { eps?: number | null; elementwiseAffine?: boolean } = {}) {
    super();
    rejectUnknownKeys("RMSNorm", opts, ["dtype", "generator", "eps", "elementwiseAffine"]);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || this.normalizedShape.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`RMSNorm: normalizedShape must be positive integers, got ${fmt(this.normalizedShape)}`);
    }
    this.eps = opts.eps ?? null;
    if (this.eps !== null && !(this.eps >= 0)) throw new Error(`RMSNorm: eps must be a non-negative number or null, got ${opts.eps}`);
    this.weight = opts.elementwiseAffine ?? true ? new Parameter(ones(this.normalizedShape, { dtype: opts.dtype ?? "float32" })) : null;
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(-k).join() !== this.normalizedShape.join()) {
      throw new Error(`RMSNorm: input of shape ${fmt(x.shape)} does not end in the normalized shape ${fmt(this.normalizedShape)}`);
    }
    if (x.dtype !== "float32" && x.dtype !== "float64") throw new Error(`RMSNorm: input must be float32 or float64, got ${x.dtype} (shape ${fmt(x.shape)})`);
    const dims = this.normalizedShape.map((_, i) => x.ndim - k + i);
    const eps = this.eps ?? MACHINE_EPS[x.dtype];
    const y = x.div(x.mul(x).mean(dims, true).add(eps).sqrt());
    return this.weight ? y.mul(this.weight) : y;
  }
}
