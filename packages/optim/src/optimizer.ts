import { enableGrad, isTensor, noGrad, type Tensor } from "@tapegrad/autograd";
import { rejectUnknownKeys } from "./options";
import { checkKeys, copyValue, describeValue, isPlainObject, loadNumber, loadTensor, snakeCase, type StateKind, type StateValue } from "./state-dict";

/** Per-parameter optimizer state, under PyTorch's key names (exp_avg, momentum_buffer, ...). */
export type ParamState = Record<string, StateValue | undefined>;

/** Re-evaluates the model: zeroes the gradients, computes the loss, calls backward, returns the loss. */
export type Closure = () => Tensor | number;

/** A parameter group: its tensors and its own copy of every option (PyTorch's param_groups). */
export type ParamGroup<O> = O & {
  /** The group's parameters. */
  params: Tensor[];
  /** The lr a scheduler started from (set by the first scheduler attached, like PyTorch's initial_lr). */
  initialLr?: number;
};

/** What a user passes for one group: the tensors, and any options that differ from the defaults. */
export type ParamGroupInput<O> = Partial<O> & {
  /** The group's parameters. */
  params: Tensor[];
};

/** A flat list of tensors (one group) or a list of groups. */
export type Params<O> = Tensor[] | ParamGroupInput<O>[];

/** A parameter that has a gradient, with its gradient and its group (what Optimizer.gradients lists). */
type ParamGradient<O> = {
  /** A parameter that has a gradient. */
  param: Tensor;
  /** Its gradient. */
  grad: Tensor;
  /** Its group. */
  group: ParamGroup<O>;
};

/**
 * PyTorch's optimizer state_dict: per-parameter state keyed by the parameter's position across
 * all groups, and each group's options under PyTorch's snake_case names with `params` listing
 * those positions. Tensors are copies; everything else is plain JSON.
 */
export interface OptimizerStateDict {
  /** Each parameter's state, keyed by its position across all groups. */
  state: Record<number, ParamState>;
  /** Each group's options (snake_case) and the positions of its parameters. */
  param_groups: (Record<string, StateValue> & {
    /** Positions of the group's parameters. */
    params: number[];
  })[];
}

/**
 * Base of every optimizer: parameter groups, per-parameter state, and the step loop. A subclass
 * gives its option checks and the update of one parameter; the update runs under noGrad, reads
 * `param.grad`, and changes the parameter and its state in place without recording anything.
 */
export abstract class Optimizer<
  O extends {
    /** The learning rate. */
    lr: number;
  },
  S extends ParamState = ParamState,
> {
  /** The parameter groups, each with its own options; a scheduler changes their `lr`. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Each parameter's state (created at its first update), under PyTorch's key names. */
  readonly state = new Map<Tensor, S>();

  /**
   * @param torchOnly group keys PyTorch 1.13 saves for options tapegrad does not have (maximize,
   * foreach, ...), with the value that means "off": written by stateDict(), checked by loadStateDict().
   */
  protected constructor(
    /** The optimizer's name in error messages ("Adam", ...). */
    readonly name: string,
    params: Params<O>,
    /** The options a group gets when it does not set them. */
    readonly defaults: O,
    private readonly torchOnly: Record<string, boolean | null> = {},
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
  /** The keys of a parameter's state in this group, and what each holds (checked by loadStateDict). */
  protected abstract stateSpec(group: ParamGroup<O>): Record<string, StateKind>;
  /** Updates one parameter in place from its gradient (grad mode is off). */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup<O>, state: S): void;

  /** Adds a group of parameters (not already in another group) with options that differ from the defaults, e.g. to unfreeze layers while training. */
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
    for (const [key, value] of Object.entries(input)) if (key !== "params" && value !== undefined) (options as Record<string, unknown>)[key] = copyValue(value);
    this.checkOptions(options);
    this.paramGroups.push({ ...options, params: [...input.params] });
  }

  /**
   * One optimization step over every parameter that has a gradient. Every gradient is checked
   * first, so a bad one leaves all parameters and all state unchanged. As in PyTorch, a closure
   * (which zeroes the gradients, computes the loss, calls backward and returns the loss) may be
   * given: it runs first, with grad mode on, and its loss is returned.
   */
  step(closure?: Closure): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    const work = this.gradients(`${this.name}.step`);
    noGrad(() => {
      for (const { param, grad, group } of work) {
        let state = this.state.get(param);
        if (!state) this.state.set(param, (state = this.initState(param, group)));
        this.update(param, grad, group, state);
      }
    });
    return loss;
  }

  /** The parameters that have a gradient, with it; throws on a gradient whose shape or dtype differs from its parameter's. */
  protected gradients(where: string): ParamGradient<O>[] {
    const work: ParamGradient<O>[] = [];
    this.paramGroups.forEach((group, k) => {
      group.params.forEach((param, i) => {
        const grad = param.grad;
        if (!grad) return;
        if (grad.dtype !== param.dtype || grad.shape.length !== param.shape.length || grad.shape.some((s, d) => s !== param.shape[d])) {
          throw new Error(`${where}: parameter ${i} of group ${k} has shape [${param.shape}] (${param.dtype}) but its grad has shape [${grad.shape}] (${grad.dtype}); no parameter was changed`);
        }
        work.push({ param, grad, group });
      });
    });
    return work;
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

  /** A deep copy of the options and state, with PyTorch's structure and key names. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map(({ params, initialLr, ...options }) => {
      const group: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(options)) group[snakeCase(key)] = copyValue(value as StateValue);
      Object.assign(group, this.torchOnly);
      if (initialLr !== undefined) group.initial_lr = initialLr;
      return { ...group, params: params.map((p) => (index.set(p, index.size), index.size - 1)) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) state[index.get(p)!] = copyValue(s);
    return { state, param_groups: paramGroups };
  }

  /**
   * Replaces options and state by copies of a stateDict() (or of PyTorch's, converted) from an
   * optimizer of the same kind over parameters of the same shapes. Everything is checked before
   * anything changes.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (!isPlainObject(dict)) throw new Error(`${where}: expected { state, param_groups } as returned by stateDict(), got ${describeValue(dict)}`);
    checkKeys(where, dict, ["state", "param_groups"]);
    if (!Array.isArray(dict.param_groups)) throw new Error(`${where}: 'param_groups' must be a list, got ${describeValue(dict.param_groups)}`);
    if (!isPlainObject(dict.state)) throw new Error(`${where}: 'state' must be an object keyed by parameter index, got ${describeValue(dict.state)}`);
    if (dict.param_groups.length !== this.paramGroups.length) {
      throw new Error(`${where}: the state dict has ${dict.param_groups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, [Tensor, ParamGroup<O>]>();
    const groups = dict.param_groups.map((saved, k) => {
      const group = this.loadGroup(saved, k, where);
      group.params.forEach((p, i) => {
        const id = (saved as { params: number[] }).params[i]!;
        if (byId.has(id)) throw new Error(`${where}: parameter index ${id} is listed twice in param_groups`);
        byId.set(id, [p, group]);
      });
      return group;
    });
    const state = new Map<Tensor, S>();
    for (const [id, saved] of Object.entries(dict.state)) {
      const entry = byId.get(Number(id));
      if (!entry) throw new Error(`${where}: state[${id}] is for a parameter index that no group of param_groups lists`);
      const [p, group] = entry;
      if (!isPlainObject(saved)) throw new Error(`${where}: state[${id}] must be an object, got ${describeValue(saved)}`);
      state.set(p, this.loadParamState(saved, p, group, `${where}: state[${id}]`));
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  private loadGroup(saved: unknown, k: number, where: string): ParamGroup<O> {
    const at = `${where}: param_groups[${k}]`;
    if (!isPlainObject(saved)) throw new Error(`${at} must be an object, got ${describeValue(saved)}`);
    const keys = Object.keys(this.defaults);
    checkKeys(at, saved, [...keys.map(snakeCase), "params"], [...Object.keys(this.torchOnly), "initial_lr"]);
    const params = this.paramGroups[k]!.params;
    const ids = saved.params;
    if (!Array.isArray(ids) || ids.length !== params.length || !ids.every((id) => Number.isInteger(id) && id >= 0)) {
      throw new Error(`${at}.params must list ${params.length} parameter indices (this optimizer's group ${k} has ${params.length} parameters), got ${Array.isArray(ids) ? `[${ids.join(", ")}]` : describeValue(ids)}`);
    }
    for (const [key, value] of Object.entries(this.torchOnly)) {
      if (key in saved && saved[key] !== value) throw new Error(`${at}.${key} is ${String(saved[key])}; ${this.name} supports only ${String(value)}`);
    }
    const options = Object.fromEntries(keys.map((key) => [key, copyValue(saved[snakeCase(key)])])) as O;
    try {
      this.checkOptions(options);
    } catch (e) {
      throw new Error(`${at}: ${(e as Error).message}`);
    }
    const group = { ...options, params } as ParamGroup<O>;
    if ("initial_lr" in saved) group.initialLr = loadNumber(`${at}.initial_lr`, saved.initial_lr);
    return group;
  }

  /** Checks and copies one parameter's saved state against stateSpec(). */
  protected loadParamState(saved: Record<string, unknown>, param: Tensor, group: ParamGroup<O>, where: string): S {
    const spec = this.stateSpec(group);
    checkKeys(where, saved, Object.keys(spec));
    const out: ParamState = {};
    for (const [key, kind] of Object.entries(spec)) {
      const value = saved[key];
      if (kind === "number") out[key] = loadNumber(`${where}.${key}`, value);
      else if (kind === "tensorOrNull" && value === null) out[key] = null;
      else out[key] = loadTensor(`${where}.${key}`, value, param.shape, param.dtype);
    }
    return out as S;
  }
}

/** g + weightDecay·p as a new tensor (g itself when there is no decay). */
export function withWeightDecay(grad: Tensor, param: Tensor, weightDecay: number): Tensor {
  return weightDecay === 0 ? grad : grad.clone().add_(param, weightDecay);
}
