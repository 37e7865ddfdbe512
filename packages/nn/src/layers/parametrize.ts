import type { Tensor } from "@tapegrad/autograd";
import { Module, Parameter } from "../module";

/**
 * A parameter recomputed from others before every forward of the module it was registered on
 * (PyTorch's forward pre-hook of weight_norm / spectral_norm). `owner[prop]` is where the layer
 * reads the weight: the module itself, or a cell inside a Recurrent.
 */
export interface Parametrization {
  kind: "weightNorm" | "spectralNorm";
  owner: Module;
  prop: string;
  /** The weight from the current parameters; training is the mode of the module it is registered on. */
  compute(training: boolean): Tensor;
}

const tables = new WeakMap<Module, Map<string, Parametrization>>();

/** Finds the Parameter the module names `name` (PyTorch's name, e.g. weight_hh_l0) and the module property holding it. */
export function locateParameter(fn: string, module: Module, name: string): { owner: Module; prop: string; param: Parameter } {
  if (!(module instanceof Module)) throw new Error(`${fn}: expected a Module, got ${module === null ? "null" : typeof module}`);
  if (name.includes(".")) throw new Error(`${fn}: "${name}" belongs to a submodule; apply ${fn} to that module (PyTorch's names have no "." here)`);
  const named = module.namedParameters();
  const param = named.find(([n]) => n === name)?.[1];
  if (!param) throw new Error(`${fn}: ${module.constructor.name} has no parameter "${name}"; its parameters are ${named.map(([n]) => n).join(", ") || "none"}`);
  for (const owner of module.modules()) {
    for (const [prop, value] of Object.entries(owner)) if (value === param) return { owner, prop, param };
  }
  throw new Error(`${fn}: the parameter "${name}" of ${module.constructor.name} is not held by a property of any of its modules`);
}

/** Sets a property so that it is enumerable and last in insertion order (where PyTorch appends a parameter). */
export function setLast(target: object, key: string, value: unknown): void {
  delete (target as Record<string, unknown>)[key];
  (target as Record<string, unknown>)[key] = value;
}

/** Registers p under name on module and makes module.forward recompute `p.owner[p.prop]` first. */
export function addParametrization(fn: string, module: Module, name: string, p: Parametrization): void {
  let table = tables.get(module);
  if (table?.has(name)) throw new Error(`${fn}: "${name}" of ${module.constructor.name} already has a ${table.get(name)!.kind} parametrization`);
  if (!table) {
    const entries = (table = new Map());
    tables.set(module, entries);
    const original = module.forward;
    Object.defineProperty(module, "forward", {
      configurable: true,
      enumerable: false,
      writable: true,
      value: function (this: Module, ...args: never[]) {
        for (const q of entries.values()) (q.owner as unknown as Record<string, unknown>)[q.prop] = q.compute(this.training);
        return original.apply(this, args);
      },
    });
  }
  table.set(name, p);
}

/** Unregisters the parametrization of name (of the given kind) and returns it; throws naming fn when there is none. */
export function takeParametrization(fn: string, module: Module, name: string, kind: Parametrization["kind"]): Parametrization {
  const table = tables.get(module);
  const p = table?.get(name);
  if (!table || !p || p.kind !== kind) throw new Error(`${fn}: ${module.constructor.name} has no ${kind} parametrization of "${name}"`);
  table.delete(name);
  if (table.size === 0) {
    tables.delete(module);
    delete (module as unknown as Record<string, unknown>).forward;
  }
  return p;
}
