import type { Tensor } from "@tapegrad/autograd";
import type { LayerConfig } from "./keras-layer";

/** Keras's hard_sigmoid as TF.js computes it: clip(0.2·x + 0.5, 0, 1) (ONNX HardSigmoid with alpha 0.2, beta 0.5). */
export const HARD_SIGMOID = { alpha: 0.2, beta: 0.5 } as const;

/** Keras activation names and their definitions (as TF.js computes them), from tapegrad ops. */
export const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu: (x) => x.relu(),
  relu6: (x) => x.clamp(0, 6),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  hard_sigmoid: (x) => x.mul(HARD_SIGMOID.alpha).add(HARD_SIGMOID.beta).clamp(0, 1),
  softmax: (x) => x.softmax(-1),
  softplus: (x) => x.relu().add(x.abs().neg().exp().add(1).log()),
  softsign: (x) => x.div(x.abs().add(1)),
  elu: (x) => x.where(x.gt(0), x.clamp(undefined, 0).exp().sub(1)),
  selu: (x) => x.where(x.gt(0), x.clamp(undefined, 0).exp().sub(1).mul(1.6732632423543772)).mul(1.0507009873554805),
  swish: (x) => x.mul(x.sigmoid()),
};

/** The activation a layer's config names under key (default `linear`), or a clear error. */
export function activationOf(cfg: LayerConfig, key = "activation", fallback = "linear"): [string, (x: Tensor) => Tensor] {
  const name = cfg.get(key, fallback);
  const fn = ACTIVATIONS[name];
  if (!fn) cfg.fail(`${key} ${JSON.stringify(name)} is not supported; expected one of ${Object.keys(ACTIVATIONS).join(", ")}`);
  return [name, fn];
}
