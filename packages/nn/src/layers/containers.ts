import { describeValue } from "@tapegrad/autograd";
import { Module } from "../module";

function checkModule(op: string, value: unknown, where: string): Module {
  if (!(value instanceof Module)) throw new Error(`${op}: ${where} must be a Module, got ${describeValue(value)}`);
  return value;
}

/** Modules in a list, registered under their positions ("0", "1", ...), like PyTorch's ModuleList. It has no forward of its own. */
export class ModuleList extends Module {
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at index (negative counts from the end). */
  get(index: number): Module {
    const i = Number.isInteger(index) && index < 0 ? index + this.items.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.items.length) throw new Error(`ModuleList.get: index ${describeValue(index)} is out of range for ${this.items.length} module(s)`);
    return this.items[i]!;
  }

  /** Adds a module at the end. */
  append(module: Module): this {
    this.items.push(checkModule("ModuleList.append", module, "the module"));
    return this;
  }

  /** Adds modules at the end, in order. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== "function") throw new Error(`ModuleList: expected an iterable of modules, got ${describeValue(modules)}`);
    [...modules].forEach((m, i) => this.items.push(checkModule("ModuleList", m, `module ${i}`)));
    return this;
  }

  /** Inserts before index (negative counts from the end), as list.insert. */
  insert(index: number, module: Module): this {
    const n = this.items.length;
    if (!Number.isInteger(index) || index < -n || index > n) throw new Error(`ModuleList.insert: index ${describeValue(index)} is out of range for ${n} module(s)`);
    this.items.splice(index < 0 ? index + n : index, 0, checkModule("ModuleList.insert", module, "the module"));
    return this;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }

  forward(): never {
    throw new Error("ModuleList: a ModuleList has no forward; call the forward of its modules");
  }
}

/** Modules by name, registered under their keys in insertion order, like PyTorch's ModuleDict. It has no forward of its own. */
export class ModuleDict extends Module {
  private readonly items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [key, m] of entries) this.set(key, m);
  }

  /** Number of modules. */
  get size(): number {
    return this.items.size;
  }

  /** Adds or replaces the module under key; a key is a non-empty string without ".", as in PyTorch. */
  set(key: string, module: Module): this {
    if (typeof key !== "string" || key === "" || key.includes(".")) throw new Error(`ModuleDict: key ${describeValue(key)} must be a non-empty string without "."`);
    this.items.set(key, checkModule("ModuleDict", module, `the module under ${JSON.stringify(key)}`));
    return this;
  }

  /** The module under key; throws naming the keys when there is none. */
  get(key: string): Module {
    const m = this.items.get(key);
    if (!m) throw new Error(`ModuleDict.get: no module under ${describeValue(key)} (keys: ${[...this.items.keys()].join(", ")})`);
    return m;
  }

  /** Whether a module is stored under key. */
  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Removes the module under key; returns whether there was one. */
  delete(key: string): boolean {
    return this.items.delete(key);
  }

  /** The keys in insertion order. */
  keys(): string[] {
    return [...this.items.keys()];
  }

  /** The modules in insertion order. */
  values(): Module[] {
    return [...this.items.values()];
  }

  /** [key, module] pairs in insertion order. */
  entries(): [string, Module][] {
    return [...this.items.entries()];
  }

  /** [key, module] pairs in insertion order. */
  [Symbol.iterator](): Iterator<[string, Module]> {
    return this.items.entries();
  }

  override namedChildren(): [string, Module][] {
    return this.entries();
  }

  forward(): never {
    throw new Error("ModuleDict: a ModuleDict has no forward; call the forward of its modules");
  }
}
