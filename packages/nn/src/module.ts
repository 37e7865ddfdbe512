import { noGrad, persistentData, Tensor, type DType } from "@tapegrad/autograd";
import { entriesOf, record, type Dict } from "./dict";
import { fmt } from "./format";

/**
 * Modules or Parameters inside a plain object, Map, Set or nested array would be left out of
 * parameters() and stateDict() without a word; this names them instead (PyTorch registers only
 * attributes and its containers too, but leaves the rest silently).
 */
function refuseHidden(owner: Module, key: string, value: unknown, inArray?: string): void {
  const hidden = (what: string, where: string) =>
    new Error(`${owner.constructor.name}: property '${key}' holds ${what} inside ${where}, where parameters() and stateDict() cannot see them; use ModuleList or ModuleDict (or one property per Parameter)`);
  if (value instanceof Parameter && inArray !== undefined) throw hidden("a Parameter", `the array '${inArray}'`);
  if (value === null || typeof value !== "object" || value instanceof Tensor || value instanceof Module) return;
  const where = Array.isArray(value) ? "a nested array" : value instanceof Map ? "a Map" : value instanceof Set ? "a Set" : [Object.prototype, null].includes(Object.getPrototypeOf(value)) ? "a plain object" : null;
  if (where === null) return;
  const items = value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
  if (items.some((v) => v instanceof Module)) throw hidden("modules", where);
  if (items.some((v) => v instanceof Parameter)) throw hidden("parameters", where);
}

/** A tensor that a Module owns and trains: a leaf that requires grad. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (data.dtype === "int32" && requiresGrad) throw new Error(`Parameter: a trainable parameter must be float32 or float64, got int32 (shape ${fmt(data.shape)})`);
    super(persistentData(data), data.shape);
    this.requiresGrad = requiresGrad;
  }
}

/**
 * Base class of layers. Parameters and child modules are found by walking the instance's own
 * properties (a Parameter, a Module, or an array of Modules named `prop.i`), in the order they
 * were assigned, so `namedParameters()` gives PyTorch's dotted names without registration calls.
 */
export abstract class Module {
  training = true;

  abstract forward(...args: never[]): unknown;

  /** Direct child modules with their names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => (v instanceof Module ? out.push([`${key}.${i}`, v]) : refuseHidden(this, `${key}.${i}`, v, key)));
      else refuseHidden(this, key, value);
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all modules below it, depth first. */
  modules(): Module[] {
    return [this, ...this.children().flatMap((c) => c.modules())];
  }

  /** Parameters held directly by this module (not its children). */
  protected ownParameters(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Every parameter once (a shared one under its first name), own parameters before children's. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    return this.collectParameters().filter(([, p]) => !seen.has(p) && seen.add(p));
  }

  /** All parameters under every name they have (a shared one repeated); a module that names its parameters differently overrides this. */
  protected collectParameters(): [string, Parameter][] {
    return [
      ...this.ownParameters(),
      ...this.namedChildren().flatMap(([name, child]) => child.collectParameters().map(([p, t]): [string, Parameter] => [`${name}.${p}`, t])),
    ];
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Parameter values by name (detached views sharing storage), like PyTorch's state_dict: a
   * parameter reachable under several names (tied modules or weights) appears under each.
   */
  stateDict(): Record<string, Tensor> {
    return record(this.collectParameters().map(([name, p]): [string, Tensor] => [name, p.detach()]));
  }

  /**
   * Copies values into the parameters (converting dtype). With strict (the default) every
   * missing key, unexpected key and shape mismatch is reported in one error and nothing is
   * copied; without strict, missing and unexpected keys are skipped but shapes must still agree.
   */
  loadStateDict(dict: Dict<Tensor>, opts: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = opts.strict ?? true;
    const entries = entriesOf(dict, `loadStateDict (${this.constructor.name})`, "the state dict");
    const targets = new Map<string, Tensor>(this.collectParameters());
    const { problems, missingKeys, unexpectedKeys } = checkStateDict(targets, entries, strict);
    if (problems.length > 0) throw new Error(`loadStateDict (${this.constructor.name}): ${problems.join("; ")}`);
    noGrad(() => {
      for (const [name, value] of entries) targets.get(name)?.copy_(value.to(targets.get(name)!.dtype));
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Switches training behaviour (dropout) on or off for this module and all below it. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's gradient to null. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Converts every parameter (and its gradient) to dtype in place, as PyTorch does: the Parameter
   * objects stay the same, so an optimizer created before keeps updating the model.
   */
  to(dtype: DType): this {
    if (dtype !== "float32" && dtype !== "float64") throw new Error(`${this.constructor.name}.to: parameters can be converted to "float32" or "float64", got ${JSON.stringify(dtype)}`);
    for (const p of this.parameters()) {
      if (p.dtype === dtype) continue;
      const converted = noGrad(() => p.to(dtype));
      const grad = p.grad && noGrad(() => p.grad!.to(dtype));
      Object.assign(p, { buf: persistentData(converted), dtype });
      p.grad = grad;
    }
    return this;
  }

  /** Calls fn on every module, children first, like PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
}

/**
 * What loading entries into the named targets would get wrong: wrong types, shape mismatches,
 * and with strict, missing and unexpected keys.
 */
export function checkStateDict(targets: ReadonlyMap<string, Tensor>, entries: [string, unknown][], strict: boolean) {
  const given = new Set(entries.map(([k]) => k));
  const missingKeys = [...targets.keys()].filter((k) => !given.has(k));
  const unexpectedKeys = [...given].filter((k) => !targets.has(k));
  const problems: string[] = [];
  for (const [name, value] of entries) {
    const p = targets.get(name);
    if (!p) continue;
    if (!(value instanceof Tensor)) problems.push(`${name}: expected a Tensor, got ${value === null ? "null" : typeof value}`);
    else if (fmt(value.shape) !== fmt(p.shape)) problems.push(`size mismatch for ${name}: the model has shape ${fmt(p.shape)}, the state dict has ${fmt(value.shape)}`);
    else if (value.dtype === "int32" && p.dtype !== "int32") problems.push(`${name}: the model has a ${p.dtype} parameter, the state dict an int32 tensor`);
  }
  if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(", ")}`);
  if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
  return { problems, missingKeys, unexpectedKeys };
}
