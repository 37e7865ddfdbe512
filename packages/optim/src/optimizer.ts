import { isTensor, noGrad, type Tensor } from "@tapegrad/autograd";
import { rejectUnknownKeys } from "./options";

/** Per-parameter optimizer state: buffers shaped like the parameter, and step counters. */
export type ParamState = Record<string, Tensor | number | undefined>;

/** A parameter group: its tensors and its own copy of every option (PyTorch's param_groups). */
export type ParamGroup<O> = O & {
  params: Tensor[];
  /** The lr a scheduler started from (set by the first scheduler attached, like PyTorch's initial_lr). */
  initialLr?: number;
};

/** What a user passes for one group: the tensors, and any options that differ from the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Tensor[] };

/** A flat list of tensors (one group) or a list of groups. */
export type Params<O> = Tensor[] | ParamGroupInput<O>[];

/** Parameters are named by their position across all groups, as in PyTorch. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * Base of every optimizer: parameter groups, per-parameter state, and the step loop. A subclass
 * gives its option checks and the update of one parameter; the update runs under noGrad, reads
 * `param.grad`, and changes the parameter and its state in place without recording anything.
 */
export abstract class Optimizer<O extends { lr: number }, S extends ParamState = ParamState> {
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, S>();

  protected constructor(
    readonly name: string,
    params: Params<O>,
    readonly defaults: O,
  ) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error(`${name}: expected a non-empty list of parameters or of parameter groups, got ${Array.isArray(params) ? "an empty list" : typeof params}`);
    }
    const groups = params.every(isTensor) ? [{ params: params as Tensor[] } as ParamGroupInput<O>] : (params as ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Checks one group's merged options; throws naming the option and the value. */
  protected abstract checkOptions(options: O): void;
  /** The state of a parameter before its first update. */
  protected abstract initState(param: Tensor, group: ParamGroup<O>): S;
  /** Updates one parameter in place from its gradient (grad mode is off). */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<O>, state: S): void;

  addParamGroup(input: ParamGroupInput<O>): void {
    if (typeof input !== "object" || input === null || isTensor(input) || !Array.isArray((input as { params?: unknown }).params)) {
      throw new Error(`${this.name}: a parameter group must be an object { params: Tensor[], ...options }, got ${isTensor(input) ? "a Tensor mixed with groups" : String(input)}`);
    }
    rejectUnknownKeys(`${this.name} parameter group`, input, [...Object.keys(this.defaults), "params", "initialLr"]);
    const groupIndex = this.paramGroups.length;
    const groupOf = new Map<Tensor, number>();
    this.paramGroups.forEach((g, k) => g.params.forEach((p) => groupOf.set(p, k)));
    const seen = new Set<Tensor>();
    input.params.forEach((p, i) => {
      const where = `parameter ${i} of group ${groupIndex}`;
      if (!isTensor(p)) throw new Error(`${this.name}: ${where} is not a Tensor (got ${typeof p})`);
      if (p.dtype !== "float32" && p.dtype !== "float64") throw new Error(`${this.name}: ${where} has dtype ${p.dtype} (shape [${p.shape}]); only float32 and float64 tensors can be optimized`);
      if (!p.isLeaf) throw new Error(`${this.name}: ${where} (shape [${p.shape}]) is not a leaf tensor; optimize the leaf it was computed from, or detach() it`);
      if (seen.has(p)) throw new Error(`${this.name}: ${where} (shape [${p.shape}]) appears twice in the group`);
      seen.add(p);
      const other = groupOf.get(p);
      if (other !== undefined) throw new Error(`${this.name}: ${where} (shape [${p.shape}]) is already in group ${other}; a parameter may belong to one group only`);
    });
    const options = { ...this.defaults };
    for (const [key, value] of Object.entries(input)) if (key !== "params" && value !== undefined) (options as Record<string, unknown>)[key] = copyOption(value);
    this.checkOptions(options);
    this.paramGroups.push({ ...options, params: [...input.params] });
  }

  /** One optimization step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      this.paramGroups.forEach((group, k) => {
        group.params.forEach((p, i) => {
          const g = p.grad;
          if (!g) return;
          if (g.dtype !== p.dtype || g.shape.length !== p.shape.length || g.shape.some((s, d) => s !== p.shape[d])) {
            throw new Error(`${this.name}.step: parameter ${i} of group ${k} has shape [${p.shape}] (${p.dtype}) but its grad has shape [${g.shape}] (${g.dtype})`);
          }
          let state = this.state.get(p);
          if (!state) this.state.set(p, (state = this.initState(p, group)));
          this.update(p, g, group, state);
        });
      });
    });
  }

  /** Clears the gradients: sets them to null (the default, as in PyTorch 2) or fills them with zeros. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        if (opts.setToNone ?? true) p.grad = null;
        else {
          const g = p.grad.detach();
          noGrad(() => g.zero_());
          p.grad = g;
        }
      }
    }
  }

  /** A deep copy of the options and state; parameters are named by their position. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map(({ params, ...options }) => ({
      ...copyOptions(options),
      params: params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      }),
    }));
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) state[index.get(p)!] = copyState(s, p, `${this.name}.stateDict`);
    return { state, paramGroups };
  }

  /** Replaces options and state by copies of a stateDict() from an optimizer of the same shape. */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (!dict || !Array.isArray(dict.paramGroups) || typeof dict.state !== "object") {
      throw new Error(`${where}: expected { state, paramGroups } as returned by stateDict()`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${where}: the state dict has ${dict.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, Tensor>();
    const groups = dict.paramGroups.map(({ params: ids, ...options }, k) => {
      const params = this.paramGroups[k]!.params;
      if (!Array.isArray(ids) || ids.length !== params.length) {
        throw new Error(`${where}: group ${k} has ${Array.isArray(ids) ? ids.length : "no"} parameters in the state dict and ${params.length} in this optimizer`);
      }
      ids.forEach((id, i) => byId.set(id, params[i]!));
      rejectUnknownKeys(`${where} group ${k}`, options, [...Object.keys(this.defaults), "initialLr"]);
      const merged = { ...this.defaults, ...copyOptions(options) } as O;
      this.checkOptions(merged);
      return { ...merged, params };
    });
    const state = new Map<Tensor, S>();
    for (const [id, saved] of Object.entries(dict.state)) {
      const p = byId.get(Number(id));
      if (!p) throw new Error(`${where}: state for parameter ${id}, which no group of the state dict lists`);
      state.set(p, copyState(saved, p, where) as S);
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...(groups as ParamGroup<O>[]));
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }
}

function copyOption(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

function copyOptions(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, copyOption(v)]));
}

/** Copies a parameter's state; tensors must have the parameter's shape and take its dtype. */
function copyState(state: ParamState, param: Tensor, where: string): ParamState {
  const out: ParamState = {};
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    if (typeof value === "number") {
      out[key] = value;
      continue;
    }
    if (!isTensor(value)) throw new Error(`${where}: state '${key}' must be a Tensor or a number, got ${typeof value}`);
    if (value.shape.length !== param.shape.length || value.shape.some((s, d) => s !== param.shape[d])) {
      throw new Error(`${where}: state '${key}' has shape [${value.shape}] but its parameter has shape [${param.shape}]`);
    }
    out[key] = noGrad(() => (value.dtype === param.dtype ? value.clone() : value.to(param.dtype)));
  }
  return out;
}

/** g + weightDecay·p as a new tensor (g itself when there is no decay). */
export function withWeightDecay(grad: Tensor, param: Tensor, weightDecay: number): Tensor {
  return weightDecay === 0 ? grad : grad.clone().add_(param, weightDecay);
}
