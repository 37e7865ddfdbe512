import { noGrad, type Tensor } from "@tapegrad/autograd";
import { Module, Parameter } from "../module";
import { fmt } from "../format";
import { addParametrization, locateParameter, setLast, takeParametrization } from "./parametrize";

/**
 * ‖v‖ over every dim but dim, keeping dims (PyTorch's norm_except_dim); dim -1 is the norm of
 * the whole tensor, as in PyTorch (so -1 does not mean the last dim here).
 */
function normExceptDim(v: Tensor, dim: number): Tensor {
  if (dim === -1) return v.mul(v).sum().sqrt();
  const d = dim < 0 ? dim + v.ndim : dim;
  const others = v.shape.map((_, i) => i).filter((i) => i !== d);
  return v.mul(v).sum(others, true).sqrt();
}

/**
 * PyTorch 1.13's torch.nn.utils.weight_norm: replaces the parameter `name` of module (any name
 * the module's state dict has, e.g. weight_hh_l0 of an LSTM) by `name_g` (the norms, shape of v
 * with 1 in every dim but dim) and `name_v` (the direction), and recomputes
 * name = g · v / ‖v‖ before every forward. dim null (or -1, as in PyTorch) normalizes the whole tensor.
 */
export function weightNorm<M extends Module>(module: M, name = "weight", dim: number | null = 0): M {
  const fn = "weightNorm";
  const { owner, prop, param } = locateParameter(fn, module, name);
  const d = dim ?? -1;
  if (!Number.isInteger(d) || d < -param.ndim || d >= Math.max(param.ndim, 1)) throw new Error(`${fn}: dim must be null or an integer in [${-param.ndim}, ${param.ndim}) for "${name}" of shape ${fmt(param.shape)}, got ${dim}`);
  const fields = module as unknown as Record<string, unknown>;
  for (const suffix of ["_g", "_v"]) if (Object.hasOwn(fields, name + suffix)) throw new Error(`${fn}: ${module.constructor.name} already has "${name + suffix}"`);
  const g = new Parameter(noGrad(() => normExceptDim(param, d)));
  const v = new Parameter(noGrad(() => param.clone()));
  fields[`${name}_g`] = g;
  fields[`${name}_v`] = v;
  const compute = () => {
    const [gp, vp] = [fields[`${name}_g`] as Tensor, fields[`${name}_v`] as Tensor];
    return vp.mul(gp.div(normExceptDim(vp, d)));
  };
  addParametrization(fn, module, name, { kind: "weightNorm", owner, prop, compute });
  (owner as unknown as Record<string, unknown>)[prop] = compute();
  return module;
}

/** Undoes weightNorm as PyTorch's remove_weight_norm: `name` becomes one Parameter again, g · v / ‖v‖. */
export function removeWeightNorm<M extends Module>(module: M, name = "weight"): M {
  const p = takeParametrization("removeWeightNorm", module, name, "weightNorm");
  const weight = noGrad(() => p.compute(false));
  const fields = module as unknown as Record<string, unknown>;
  delete fields[`${name}_g`];
  delete fields[`${name}_v`];
  setLast(p.owner, p.prop, new Parameter(weight));
  return module;
}
