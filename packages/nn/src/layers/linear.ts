import { zeros, type DType, type Generator, type Tensor } from "@tapegrad/autograd";
import { kaimingUniform_, uniform_ } from "../init";
import { Module, Parameter } from "../module";
import { fmt } from "../format";

export interface LayerOptions {
  dtype?: DType;
  generator?: Generator;
}

/** x Wᵀ + b over the last dim; leading dims are flattened into one matmul and restored. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const [out, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input of shape ${fmt(x.shape)} does not end in ${inF} features (weight shape ${fmt(weight.shape)})`);
  }
  const flat = x.ndim > 2 ? x.reshape([-1, inF]) : x;
  let y = flat.matmul(weight.T);
  if (bias) y = y.add(bias);
  return x.ndim > 2 ? y.reshape([...x.shape.slice(0, -1), out]) : y;
}

/** y = x Wᵀ + b, PyTorch's default init: kaiming-uniform(a=√5) weight, U(±1/√in) bias. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    for (const [k, v] of Object.entries({ inFeatures, outFeatures })) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator: opts.generator });
    this.bias = opts.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
    if (this.bias) uniform_(this.bias, -1 / Math.sqrt(inFeatures), 1 / Math.sqrt(inFeatures), opts);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
