import { checkInt, linear, zeros, type DType, type Generator, type Tensor } from "@tapegrad/autograd";
import { kaimingUniform_, uniform_ } from "../init";
import { Module, Parameter } from "../module";

/** Options every layer with parameters takes. */
export interface LayerOptions {
  /** The parameters' dtype ("float32" by default). */
  dtype?: DType;
  /** Draws the initial weights from this generator instead of the default one. */
  generator?: Generator;
}

/** x Wᵀ + b over the last dim: autograd's op, one tape node per call. */
export { linear };

/** y = x Wᵀ + b, PyTorch's default init: kaiming-uniform(a=√5) weight, U(±1/√in) bias. */
export class Linear extends Module {
  /** (outFeatures, inFeatures). */
  weight: Parameter;
  /** (outFeatures), or null with `bias: false`. */
  bias: Parameter | null;

  /**
   * @param inFeatures - features of the input's last dim
   * @param outFeatures - features of the output's last dim
   * @param opts - dtype, generator, and `bias: false` for no bias
   */
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    for (const [k, v] of Object.entries({ inFeatures, outFeatures })) checkInt("Linear", k, v, 1);
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator: opts.generator });
    this.bias = opts.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
    if (this.bias) uniform_(this.bias, -1 / Math.sqrt(inFeatures), 1 / Math.sqrt(inFeatures), opts);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}
