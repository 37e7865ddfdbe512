import { noGrad, type Tensor } from "@tapegrad/autograd";
import { Embedding } from "../../layers/embedding";
import { LayerNorm } from "../../layers/layernorm";
import { Linear } from "../../layers/linear";
import { Dropout } from "../../layers/dropout";
import { activationOf } from "./activations";
import { KerasLayer, type Flow, type LayerConfig, type WeightReader } from "./keras-layer";

/** Copies a Keras value into a tapegrad parameter (shapes already checked by the reader). */
export function assign(target: Tensor, value: Tensor): void {
  noGrad(() => target.copy_(value.to(target.dtype)));
}

/** Dense (also the layer inside TimeDistributed): y = act(x kernel + bias) over the last axis. */
export class KerasDense extends KerasLayer {
  readonly linear: Linear;
  private readonly act: (x: Tensor) => Tensor;
  private readonly names: string[];

  constructor(cfg: LayerConfig, inner: LayerConfig, inFeatures: number, reader: WeightReader) {
    super(cfg);
    const units = inner.positiveInt("units");
    const useBias = inner.get("use_bias", true);
    this.act = activationOf(inner)[1];
    this.linear = new Linear(inFeatures, units, { bias: useBias });
    const [kName, kernel] = reader.take(cfg, "kernel", [inFeatures, units]);
    assign(this.linear.weight, kernel.T);
    this.names = [kName];
    if (useBias) {
      const [bName, bias] = reader.take(cfg, "bias", [units]);
      assign(this.linear.bias!, bias);
      this.names.push(bName);
    }
  }

  call(inputs: Tensor[], mask: Tensor | null): Flow {
    return { outputs: [this.act(this.linear.forward(this.single(inputs)))], mask };
  }

  kerasWeights(): [string, Tensor][] {
    const values = [this.linear.weight.T, ...(this.linear.bias ? [this.linear.bias] : [])];
    return values.map((t, i) => [this.names[i]!, t.detach()]);
  }
}

export class KerasActivation extends KerasLayer {
  private readonly act: (x: Tensor) => Tensor;
  constructor(cfg: LayerConfig) {
    super(cfg);
    this.act = activationOf(cfg)[1];
  }
  call(inputs: Tensor[], mask: Tensor | null): Flow {
    return { outputs: [this.act(this.single(inputs))], mask };
  }
  kerasWeights(): [string, Tensor][] {
    return [];
  }
}

/** Dropout: Keras's rate is PyTorch's p; identity in eval mode. */
export class KerasDropout extends KerasLayer {
  readonly dropout: Dropout;
  constructor(cfg: LayerConfig) {
    super(cfg);
    if (cfg.get("noise_shape", null) !== null) cfg.fail("noise_shape is not supported");
    this.dropout = new Dropout(cfg.get("rate", 0));
  }
  call(inputs: Tensor[], mask: Tensor | null): Flow {
    return { outputs: [this.dropout.forward(this.single(inputs))], mask };
  }
  kerasWeights(): [string, Tensor][] {
    return [];
  }
}

/** Embedding; with mask_zero, index 0 marks padding and starts a (batch, time) mask. */
export class KerasEmbedding extends KerasLayer {
  readonly embedding: Embedding;
  readonly maskZero: boolean;
  private readonly weightName: string;

  constructor(cfg: LayerConfig, reader: WeightReader) {
    super(cfg);
    const inputDim = cfg.positiveInt("input_dim");
    const outputDim = cfg.positiveInt("output_dim");
    this.maskZero = cfg.get("mask_zero", false);
    this.embedding = new Embedding(inputDim, outputDim);
    const [name, w] = reader.take(cfg, "embeddings", [inputDim, outputDim]);
    assign(this.embedding.weight, w);
    this.weightName = name;
  }

  call(inputs: Tensor[]): Flow {
    const ids = this.single(inputs);
    const int = ids.dtype === "int32" ? ids : ids.to("int32");
    return { outputs: [this.embedding.forward(int)], mask: this.maskZero ? int.ne(0) : null };
  }

  kerasWeights(): [string, Tensor][] {
    return [[this.weightName, this.embedding.weight.detach()]];
  }
}

/** Masking: time steps whose features all equal mask_value are zeroed and masked out. */
export class KerasMasking extends KerasLayer {
  readonly maskValue: number;
  constructor(cfg: LayerConfig) {
    super(cfg);
    this.maskValue = cfg.get("mask_value", 0);
  }
  call(inputs: Tensor[]): Flow {
    const x = this.single(inputs);
    const keep = x.ne(this.maskValue).to(x.dtype).amax(-1);
    return { outputs: [x.mul(keep.unsqueeze(-1))], mask: keep.gt(0) };
  }
  kerasWeights(): [string, Tensor][] {
    return [];
  }
}

/** LayerNormalization over the last axis (gamma, beta = LayerNorm's weight, bias). */
export class KerasLayerNormalization extends KerasLayer {
  readonly norm: LayerNorm;
  private readonly axis: number;
  private readonly names: string[];

  constructor(cfg: LayerConfig, features: number, reader: WeightReader) {
    super(cfg);
    const axis = cfg.get<number | number[]>("axis", -1);
    const single = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : undefined) : axis;
    if (typeof single !== "number") cfg.fail(`axis ${JSON.stringify(axis)} is not supported; expected the last axis`);
    this.axis = single;
    if (!cfg.get("center", true) || !cfg.get("scale", true)) cfg.fail("center and scale must both be true");
    this.norm = new LayerNorm(features, { eps: cfg.get("epsilon", 1e-3) });
    const [gName, gamma] = reader.take(cfg, "gamma", [features]);
    const [bName, beta] = reader.take(cfg, "beta", [features]);
    assign(this.norm.weight!, gamma);
    assign(this.norm.bias!, beta);
    this.names = [gName, bName];
  }

  call(inputs: Tensor[], mask: Tensor | null): Flow {
    const x = this.single(inputs);
    if (this.axis !== -1 && this.axis !== x.ndim - 1) this.cfg.fail(`axis ${this.axis} is not supported for ${x.ndim}-D input; expected the last axis`);
    return { outputs: [this.norm.forward(x)], mask };
  }

  kerasWeights(): [string, Tensor][] {
    return [[this.names[0]!, this.norm.weight!.detach()], [this.names[1]!, this.norm.bias!.detach()]];
  }
}
