import { defaultGenerator, noGrad, randn, type Generator, type Tensor } from "@tapegrad/autograd";
import { Module, Parameter } from "../module";
import { deleteBuffer } from "../buffers";
import { fmt } from "../format";
import { addParametrization, locateParameter, setLast, takeParametrization } from "./parametrize";

/** x / max(‖x‖, eps) for a vector. */
function normalize(x: Tensor, eps: number): Tensor {
  return x.div(Math.max(Math.sqrt(x.mul(x).sum().item()), eps));
}

/** The weight as a (size(dim), rest) matrix, dim moved to the front. */
function toMatrix(w: Tensor, dim: number): Tensor {
  const front = dim === 0 ? w : w.permute([dim, ...w.shape.map((_, i) => i).filter((i) => i !== dim)]);
  return front.reshape([w.shape[dim]!, -1]);
}

/**
 * PyTorch 1.13's torch.nn.utils.spectral_norm: the parameter `name` (any name in the module's
 * state dict, e.g. weight_hh_l0) becomes `name_orig`, with buffers `name_u` and `name_v` (random
 * unit vectors at first); before every forward, while training, nPowerIterations steps of power
 * iteration update u and v in place, and name = W / σ with σ = uᵀ W v (u, v constants for the
 * gradient). In eval mode u and v stay as they are.
 */
export function spectralNorm<M extends Module>(module: M, name = "weight", nPowerIterations = 1, eps = 1e-12, dim = 0, opts: { generator?: Generator } = {}): M {
  const fn = "spectralNorm";
  const { owner, prop, param } = locateParameter(fn, module, name);
  if (!Number.isInteger(nPowerIterations) || nPowerIterations <= 0) throw new Error(`${fn}: nPowerIterations must be a positive integer, got ${nPowerIterations}`);
  if (!(eps > 0)) throw new Error(`${fn}: eps must be positive, got ${eps}`);
  if (param.ndim < 1 || !Number.isInteger(dim) || dim < -param.ndim || dim >= param.ndim) throw new Error(`${fn}: dim must be an integer in [${-param.ndim}, ${param.ndim}) for "${name}" of shape ${fmt(param.shape)}, got ${dim}`);
  const d = dim < 0 ? dim + param.ndim : dim;
  const fields = module as unknown as Record<string, unknown>;
  for (const suffix of ["_orig", "_u", "_v"]) if (name + suffix in fields) throw new Error(`${fn}: ${module.constructor.name} already has "${name + suffix}"`);
  const [h, w] = toMatrix(param, d).shape as [number, number];
  const generator = opts.generator ?? defaultGenerator;
  fields[`${name}_orig`] = param;
  module.registerBuffer(`${name}_u`, normalize(randn([h], { dtype: param.dtype, generator }), eps));
  module.registerBuffer(`${name}_v`, normalize(randn([w], { dtype: param.dtype, generator }), eps));
  const compute = (powerIteration: boolean) => {
    const matrix = toMatrix(fields[`${name}_orig`] as Tensor, d);
    const [u, v] = noGrad(() => {
      const [bu, bv] = [fields[`${name}_u`] as Tensor, fields[`${name}_v`] as Tensor];
      for (let i = 0; powerIteration && i < nPowerIterations; i++) {
        bv.copy_(normalize(matrix.T.matmul(bu), eps));
        bu.copy_(normalize(matrix.matmul(bv), eps));
      }
      return [bu.clone(), bv.clone()];
    });
    const sigma = u.mul(matrix.matmul(v)).sum();
    return (fields[`${name}_orig`] as Tensor).div(sigma);
  };
  addParametrization(fn, module, name, { kind: "spectralNorm", owner, prop, compute });
  (owner as unknown as Record<string, unknown>)[prop] = param.detach();
  return module;
}

/** Undoes spectralNorm as PyTorch's remove_spectral_norm: `name` becomes a Parameter holding W / σ for the current u, v. */
export function removeSpectralNorm<M extends Module>(module: M, name = "weight"): M {
  const fn = "removeSpectralNorm";
  const p = takeParametrization(fn, module, name, "spectralNorm");
  const fields = module as unknown as Record<string, unknown>;
  const weight = noGrad(() => p.compute(false));
  delete fields[`${name}_orig`];
  deleteBuffer(module, `${name}_u`);
  deleteBuffer(module, `${name}_v`);
  setLast(p.owner, p.prop, new Parameter(weight));
  return module;
}
