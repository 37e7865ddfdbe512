import { noGrad, persistentData, Tensor, type DType } from "@tapegrad/autograd";
import { entriesOf, record, type Dict } from "./dict";
import { fmt } from "./format";
import { bufferTable, defineBuffer, type BufferEntry } from "./buffers";

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

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

  /** As PyTorch prints a Parameter: `Parameter containing:` above the tensor. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/**
 * Base class of layers. Parameters and child modules are found by walking the instance's own
 * properties (a Parameter, a Module, or an array of Modules named `prop.i`), in the order they
 * were assigned, so `namedParameters()` gives PyTorch's dotted names without registration calls.
 *
 * @example
 * ```ts
 * class TwoLayer extends Module {
 *   hidden = new Linear(4, 8);
 *   out = new Linear(8, 1);
 *   forward(x: Tensor): Tensor {
 *     return this.out.forward(this.hidden.forward(x).relu());
 *   }
 * }
 * new TwoLayer().namedParameters().map(([name]) => name); // ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (dropout active); set by `train()` and `eval()`. */
  training = true;

  /**
   * The module's computation. Typed loosely here so that code generic over modules
   * (`function train(model: Module, x: Tensor) { model.forward(x) }`) type-checks; each subclass
   * declares its own parameter and return types.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...args: any[]): unknown;

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

  /** Direct child modules, in the order they were assigned. */
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

  /** Every parameter of this module and its children, each once: what an optimizer takes. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Registers a tensor that is state but not a parameter (PyTorch's register_buffer): readable
   * and assignable as `this[name]`, in `stateDict()` when persistent and not null, loaded by
   * `loadStateDict`, converted by `.to()`, never in `parameters()`.
   */
  registerBuffer(name: string, value: Tensor | null, persistent = true): void {
    defineBuffer(this, name, value, persistent);
  }

  /** Buffers held directly by this module, with their persistence. */
  protected ownBuffers(): [string, BufferEntry][] {
    return [...bufferTable(this)];
  }

  /** Every non-null buffer of this module and those below it, with dotted names. */
  namedBuffers(): [string, Tensor][] {
    const own = this.ownBuffers().flatMap(([name, b]): [string, Tensor][] => (b.value ? [[name, b.value]] : []));
    return [...own, ...this.namedChildren().flatMap(([name, child]) => child.namedBuffers().map(([b, t]): [string, Tensor] => [`${name}.${b}`, t]))];
  }

  /** Every non-null buffer of this module and those below it. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /**
   * What `stateDict()` lists, in PyTorch's order: each module's parameters, then its persistent
   * buffers, then its children's entries.
   */
  protected collectState(): [string, Tensor][] {
    return [
      ...this.ownParameters(),
      ...this.persistentBuffers(),
      ...this.namedChildren().flatMap(([name, child]) => child.collectState().map(([p, t]): [string, Tensor] => [`${name}.${p}`, t])),
    ];
  }

  /** This module's own persistent, non-null buffers. */
  protected persistentBuffers(): [string, Tensor][] {
    return this.ownBuffers().flatMap(([name, b]): [string, Tensor][] => (b.persistent && b.value ? [[name, b.value]] : []));
  }

  /**
   * Parameter and persistent buffer values by name (detached views sharing storage), like
   * PyTorch's state_dict: a parameter reachable under several names (tied modules or weights)
   * appears under each.
   */
  stateDict(): Record<string, Tensor> {
    return record(this.collectState().map(([name, p]): [string, Tensor] => [name, p.detach()]));
  }

  /**
   * Copies values into the parameters and persistent buffers (converting dtype). With strict (the default) every
   * missing key, unexpected key and shape mismatch is reported in one error and nothing is
   * copied; without strict, missing and unexpected keys are skipped but shapes must still agree.
   */
  loadStateDict(
    dict: Dict<Tensor>,
    opts: { strict?: boolean } = {},
  ): {
    /** Names the module has that `dict` lacks (empty with strict, which throws instead). */
    missingKeys: string[];
    /** Names in `dict` the module does not have (empty with strict, which throws instead). */
    unexpectedKeys: string[];
  } {
    const strict = opts.strict ?? true;
    const entries = entriesOf(dict, `loadStateDict (${this.constructor.name})`, "the state dict");
    const targets = new Map<string, Tensor>(this.collectState());
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

  /** Switches to evaluation mode (`train(false)`): dropout off. */
  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's gradient to null. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Converts every parameter (and its gradient) to dtype in place, as PyTorch does: the Parameter
   * objects stay the same, so an optimizer created before keeps updating the model. Floating
   * buffers are replaced by converted copies; int32 ones (counters) stay as they are.
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
    for (const m of this.modules()) {
      for (const [, b] of m.ownBuffers()) if (b.value && b.value.dtype !== "int32" && b.value.dtype !== dtype) b.value = noGrad(() => b.value!.to(dtype));
    }
    return this;
  }

  /** Calls fn on every module, children first, like PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** This module's configuration as PyTorch's extra_repr writes it, e.g. `in_features=8, out_features=16, bias=True`. */
  extraRepr(): string {
    return "";
  }

  /** The children shown when printing; a list of modules prints as a ModuleList. */
  protected printedChildren(): [string, Module | Module[]][] {
    return Object.entries(this).filter((e): e is [string, Module | Module[]] => e[1] instanceof Module || (Array.isArray(e[1]) && e[1].length > 0 && e[1].every((v) => v instanceof Module)));
  }

  /** PyTorch's module repr: the class name with extraRepr, and each child indented below. */
  toString(): string {
    const indent = (s: string) => s.replaceAll("\n", "\n  ");
    const children = this.printedChildren().map(([name, child]) => {
      const text = child instanceof Module ? child.toString() : `ModuleList(\n${child.map((m, i) => `  (${i}): ${indent(m.toString())}`).join("\n")}\n)`;
      return `(${name}): ${indent(text)}`;
    });
    const extra = this.extraRepr();
    const lines = [...(extra ? extra.split("\n") : []), ...children];
    const body = lines.length === 0 ? "" : lines.length === 1 && children.length === 0 ? lines[0] : `\n  ${lines.join("\n  ")}\n`;
    return `${this.constructor.name}(${body})`;
  }

  /** What console.log and util.inspect show in Node. */
  [inspectCustom](): string {
    return this.toString();
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
