import { defaultGenerator, Generator, Tensor, noGrad, type GeneratorState } from "@tapegrad/autograd";
import { record } from "./dict";
import { checkStateDict, Module } from "./module";
import { decodeSafetensors, encodeSafetensors } from "./safetensors";
import { flatten, unflatten } from "./tree";

/** Anything with PyTorch-style state: an optimizer or an LR scheduler. */
export interface Stateful {
  /** The object's state. */
  stateDict(): unknown;
  /** Restores a state from stateDict(). */
  loadStateDict(state: never): unknown;
}

/** What {@link encodeCheckpoint} saves. */
export interface CheckpointObjects {
  /** The model (its state dict). */
  model: Module;
  /** An optimizer, saved with its state dict. */
  optimizer?: Stateful;
  /** A scheduler, saved with its state dict. */
  scheduler?: Stateful;
  /** A generator of your own (data order, a Dropout given `generator`); the default generator is always saved. */
  generator?: Generator;
}

/** What {@link decodeCheckpoint} restores into. */
export interface CheckpointTargets extends CheckpointObjects {
  /** Restore the default generator (manualSeed's, which Dropout uses by default); true unless false. */
  defaultGenerator?: boolean;
}

/** The `__metadata__` key that holds the JSON part. */
export const CHECKPOINT_KEY = "tapegrad.checkpoint";
const FORMAT = 1;
const OBJECTS = ["model", "optimizer", "scheduler", "generator"] as const;
const RESERVED = new Set<string>([...OBJECTS, "defaultGenerator"]);

/**
 * One safetensors file holding a model, optimizer, scheduler, the generators' states and any plain
 * JSON values: every Tensor in their state dicts is stored under its dotted path (`model.fc.weight`,
 * `optimizer.state.0.exp_avg`, ...), everything else as JSON in `__metadata__`.
 */
export function encodeCheckpoint(contents: CheckpointObjects & Record<string, unknown>): Uint8Array {
  const fn = "encodeCheckpoint";
  if (typeof contents !== "object" || contents === null) throw new Error(`${fn}: expected { model, optimizer?, scheduler?, generator?, ...values }, got ${contents}`);
  const { model, optimizer, scheduler, generator, ...values } = contents;
  if (!(model instanceof Module)) throw new Error(`${fn}: model must be a Module, got ${describeValue(model)}`);
  for (const key of ["optimizer", "scheduler"] as const) {
    const o = contents[key];
    if (o !== undefined && typeof (o as Stateful)?.stateDict !== "function") throw new Error(`${fn}: ${key} must have stateDict() and loadStateDict(), got ${describeValue(o)}`);
  }
  if (generator !== undefined && !(generator instanceof Generator)) throw new Error(`${fn}: generator must be a Generator, got ${describeValue(generator)}`);
  if ("defaultGenerator" in values) throw new Error(`${fn}: "defaultGenerator" is reserved for the default generator's state`);
  const tree = record<unknown>(Object.entries(values));
  tree.model = model.stateDict();
  if (optimizer) tree.optimizer = optimizer.stateDict();
  if (scheduler) tree.scheduler = scheduler.stateDict();
  if (generator) tree.generator = generator.getState();
  tree.defaultGenerator = defaultGenerator.getState();
  const flat = flatten(tree, fn);
  return encodeSafetensors(flat.tensors, { [CHECKPOINT_KEY]: JSON.stringify({ format: FORMAT, json: flat.json, leaves: flat.leaves }) });
}

/**
 * Restores the objects given from a checkpoint and returns its plain values. Everything is checked
 * first (the file, every requested part present, the model's keys and shapes, the generators'
 * states); if a load still fails, the parts already loaded are put back, so a failed call leaves
 * model, optimizer, scheduler and generators as they were.
 */
export function decodeCheckpoint(bytes: Uint8Array, targets: CheckpointTargets): Record<string, unknown> {
  const fn = "decodeCheckpoint";
  if (typeof targets !== "object" || targets === null) throw new Error(`${fn}: expected { model, optimizer?, scheduler?, generator?, defaultGenerator? }, got ${targets}`);
  for (const key of Object.keys(targets)) if (!RESERVED.has(key)) throw new Error(`${fn}: unknown option ${JSON.stringify(key)}; expected model, optimizer, scheduler, generator, defaultGenerator`);
  if (!(targets.model instanceof Module)) throw new Error(`${fn}: model must be a Module, got ${describeValue(targets.model)}`);
  const stored = readTree(bytes, fn);
  for (const key of OBJECTS) {
    if (targets[key] !== undefined && !Object.hasOwn(stored, key)) throw new Error(`${fn}: the checkpoint has no ${key} state, but a ${key} was given to restore`);
  }
  checkModel(targets.model, stored.model, fn);
  if (targets.generator) checkGeneratorState(stored.generator, "generator", fn);
  const restoreDefault = targets.defaultGenerator ?? true;
  if (restoreDefault && Object.hasOwn(stored, "defaultGenerator")) checkGeneratorState(stored.defaultGenerator, "defaultGenerator", fn);

  const steps: { name: string; target: Stateful; state: unknown }[] = [{ name: "model", target: targets.model as Stateful, state: stored.model }];
  if (targets.optimizer) steps.push({ name: "optimizer", target: targets.optimizer, state: stored.optimizer });
  if (targets.scheduler) steps.push({ name: "scheduler", target: targets.scheduler, state: stored.scheduler });
  const generators: [Generator, GeneratorState][] = [];
  if (targets.generator) generators.push([targets.generator, stored.generator as GeneratorState]);
  if (restoreDefault && Object.hasOwn(stored, "defaultGenerator")) generators.push([defaultGenerator, stored.defaultGenerator as GeneratorState]);

  const backups = steps.map(({ target }) => backup(target));
  let done = 0;
  try {
    for (; done < steps.length; done++) steps[done]!.target.loadStateDict(steps[done]!.state as never);
  } catch (e) {
    for (let i = done - 1; i >= 0; i--) steps[i]!.target.loadStateDict(backups[i] as never);
    throw new Error(`${fn}: the ${steps[done]!.name} state does not load, nothing was changed: ${(e as Error).message}`, { cause: e });
  }
  for (const [g, state] of generators) g.setState(state);
  return record(Object.entries(stored).filter(([key]) => !RESERVED.has(key)));
}

/** The stored values by top-level key, tensors in place; throws naming fn if the file is damaged. */
function readTree(bytes: Uint8Array, fn: string): Record<string, unknown> {
  let tensors: Record<string, Tensor>;
  let metadata: Record<string, string> | null;
  try {
    ({ tensors, metadata } = decodeSafetensors(bytes));
  } catch (e) {
    throw new Error(`${fn}: ${(e as Error).message}`, { cause: e });
  }
  const text = metadata?.[CHECKPOINT_KEY];
  if (text === undefined) throw new Error(`${fn}: the file is safetensors but not a checkpoint (its __metadata__ has no ${JSON.stringify(CHECKPOINT_KEY)} entry)`);
  let parsed: { format?: unknown; json?: unknown; leaves?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fn}: the ${JSON.stringify(CHECKPOINT_KEY)} metadata is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (parsed?.format !== FORMAT) throw new Error(`${fn}: unknown checkpoint format ${JSON.stringify(parsed?.format)}; this version reads format ${FORMAT}`);
  const tree = unflatten(parsed.json, parsed.leaves, tensors, fn);
  if (typeof tree !== "object" || tree === null || Array.isArray(tree) || !Object.hasOwn(tree, "model")) throw new Error(`${fn}: the checkpoint holds no model state`);
  return tree as Record<string, unknown>;
}

/** The same checks as Module.loadStateDict (strict), without loading anything. */
function checkModel(model: Module, state: unknown, fn: string): void {
  if (typeof state !== "object" || state === null || Array.isArray(state) || Object.values(state).some((t) => !(t instanceof Tensor))) {
    throw new Error(`${fn}: the stored model state is not a dict of tensors`);
  }
  const { problems } = checkStateDict(new Map(Object.entries(model.stateDict())), Object.entries(state), true);
  if (problems.length > 0) throw new Error(`${fn}: the checkpoint does not fit this ${model.constructor.name}, nothing was changed: ${problems.join("; ")}`);
}

function checkGeneratorState(state: unknown, key: string, fn: string): void {
  const s = (state as { s?: unknown })?.s;
  const spare = (state as { spare?: unknown })?.spare;
  const words = Array.isArray(s) && s.length === 4 && s.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) && s.some((x) => x !== 0);
  if (!words || !(spare === null || typeof spare === "number")) {
    throw new Error(`${fn}: the stored ${key} state ${JSON.stringify(state)} is not a generator state { s: four uint32 (not all 0), spare: number | null }`);
  }
}

/** A copy of a target's state to put back if a later part fails to load. */
function backup(target: Stateful): unknown {
  if (!(target instanceof Module)) return target.stateDict();
  return record(Object.entries(target.stateDict()).map(([k, t]): [string, Tensor] => [k, noGrad(() => t.clone())]));
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  return typeof v === "object" ? (v.constructor?.name ?? "an object") : typeof v;
}
