import { tensor, type Tensor } from "@tapegrad/autograd";
import { Adam, CosineAnnealingLR, ExponentialLR, LinearLR, ReduceLROnPlateau, SGD, SequentialLR, type OptimizerStateDict } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";

const leaf = (values: number[]) => tensor(new Float64Array(values), { requiresGrad: true });

/** An Adam over two parameters, stepped twice, and its state dict. */
function trained() {
  const params = [leaf([1, 2]), leaf([3])];
  const opt = new Adam(params, { lr: 0.1, amsgrad: true });
  for (let i = 0; i < 2; i++) {
    params[0]!.grad = tensor(new Float64Array([0.5, -1]));
    params[1]!.grad = tensor(new Float64Array([2]));
    opt.step();
  }
  return { params, opt, saved: opt.stateDict() };
}

/** A deep description of an optimizer's state, to check that a failed load changed nothing. */
const snapshot = (opt: Adam) => JSON.stringify(opt.stateDict(), (_k, v: unknown) => (v instanceof Object && "shape" in v && "data" in (v as object) ? Array.from((v as Tensor).data()) : v));

describe("optimizer state dicts", () => {
  it("have PyTorch's structure: state by parameter index, param_groups with snake_case options", () => {
    const { saved } = trained();
    expect(Object.keys(saved.state)).toEqual(["0", "1"]);
    expect(Object.keys(saved.state[0]!).sort()).toEqual(["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
    expect(saved.state[1]!.step).toBe(2);
    expect((saved.state[1]!.exp_avg as Tensor).shape).toEqual([1]);
    expect(saved.param_groups).toEqual([
      { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: true, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false, params: [0, 1] },
    ]);
  });

  const target = () => {
    const params = [leaf([1, 2]), leaf([3])];
    return new Adam(params, { lr: 0.1, amsgrad: true });
  };
  const corrupt = (edit: (d: OptimizerStateDict) => void): OptimizerStateDict => {
    const d = trained().saved;
    edit(d);
    return d;
  };
  it.each<[string, (d: OptimizerStateDict) => void, RegExp]>([
    ["a tensor of the wrong shape on the second parameter", (d) => (d.state[1]!.exp_avg_sq = tensor(new Float64Array([1, 2]))), /Adam.loadStateDict: state\[1\].exp_avg_sq: expected a Tensor of shape \[1\], got shape \[2\]/],
    ["an integer tensor", (d) => (d.state[1]!.exp_avg = tensor([1], { dtype: "int32" })), /state\[1\].exp_avg: expected a float32 or float64 Tensor, got int32/],
    ["a missing state key", (d) => delete d.state[0]!.max_exp_avg_sq, /state\[0\]: missing key 'max_exp_avg_sq'/],
    ["an unknown state key", (d) => (d.state[0]!.momentum_buffer = null), /state\[0\]: unexpected key 'momentum_buffer'/],
    ["a step that is not a number", (d) => (d.state[0]!.step = "2" as never), /state\[0\].step: expected a number, got string 2/],
    ["state for an unlisted parameter", (d) => (d.state[5] = {}), /state\[5\] is for a parameter index that no group of param_groups lists/],
    ["a missing option", (d) => delete (d.param_groups[0] as Record<string, unknown>).eps, /param_groups\[0\]: missing key 'eps'/],
    ["a camelCase option", (d) => ((d.param_groups[0] as Record<string, unknown>).weightDecay = 0), /param_groups\[0\]: unexpected key 'weightDecay'/],
    ["a bad option value", (d) => (d.param_groups[0]!.betas = [1, 0.9]), /param_groups\[0\]: Adam: betas\[0\] must be in \[0, 1\), got 1/],
    ["an option tapegrad does not have, switched on", (d) => (d.param_groups[0]!.maximize = true), /param_groups\[0\].maximize is true; Adam supports only false/],
    ["too few parameter indices", (d) => (d.param_groups[0]!.params = [0]), /param_groups\[0\].params must list 2 parameter indices/],
    ["a parameter index listed twice", (d) => (d.param_groups[0]!.params = [0, 0]), /parameter index 0 is listed twice/],
    ["two groups for one", (d) => d.param_groups.push({ ...d.param_groups[0]!, params: [2] }), /the state dict has 2 parameter groups, this optimizer has 1/],
    ["camelCase top-level keys", (d) => Object.assign(d, { paramGroups: d.param_groups }), /unexpected key 'paramGroups'; expected state, param_groups/],
  ])("rejects %s, naming the key, and changes nothing", (_what, edit, message) => {
    const opt = target();
    const { saved: ownSaved } = trained();
    opt.loadStateDict(ownSaved);
    const before = snapshot(opt);
    const bad = corrupt(edit);
    const badText = JSON.stringify(bad);
    expect(() => opt.loadStateDict(bad)).toThrow(message);
    expect(snapshot(opt)).toBe(before);
    expect(JSON.stringify(bad)).toBe(badText);
  });

  it("a fresh optimizer of the same shape loads a state dict into the same state", () => {
    const { saved, opt } = trained();
    const other = target();
    other.loadStateDict({ ...saved, state: { 0: { ...saved.state[0]!, step: 2 }, 1: saved.state[1]! } });
    expect(snapshot(other)).toBe(snapshot(opt));
  });
});

describe("scheduler state dicts", () => {
  const sgd = () => new SGD([leaf([1])], { lr: 0.1 });

  it("have PyTorch's keys", () => {
    const s = new CosineAnnealingLR(sgd(), { tMax: 10, etaMin: 0.01 });
    s.step();
    expect(s.stateDict()).toEqual({ T_max: 10, eta_min: 0.01, base_lrs: [0.1], last_epoch: 1, verbose: false, _step_count: 2, _get_lr_called_within_step: false, _last_lr: [s.getLastLr()[0]] });
  });

  it("refuse a dict from a scheduler built with other options, and change nothing", () => {
    const a = new ExponentialLR(sgd(), { gamma: 0.9 });
    const b = new ExponentialLR(sgd(), { gamma: 0.5 });
    b.step();
    const before = JSON.stringify(b.stateDict());
    expect(() => b.loadStateDict(a.stateDict())).toThrow(/ExponentialLR.loadStateDict: 'gamma' is 0.9 in the state dict but 0.5 in this scheduler/);
    expect(() => b.loadStateDict({ ...b.stateDict(), last_epoch: 1.5 })).toThrow(/last_epoch must be a whole number >= -1, got 1.5/);
    expect(() => b.loadStateDict({ ...b.stateDict(), base_lrs: [0.1, 0.2] })).toThrow(/base_lrs: expected a list of 1 numbers/);
    expect(JSON.stringify(b.stateDict())).toBe(before);
  });

  it("SequentialLR loads all of its schedulers or none", () => {
    const make = () => {
      const opt = sgd();
      return new SequentialLR(opt, { schedulers: [new LinearLR(opt, { totalIters: 3 }), new ExponentialLR(opt, { gamma: 0.9 })], milestones: [3] });
    };
    const a = make();
    for (let i = 0; i < 5; i++) a.step();
    const saved = a.stateDict() as { _schedulers: Record<string, unknown>[] };
    const b = make();
    const before = JSON.stringify(b.stateDict());
    const bad = { ...saved, _schedulers: [saved._schedulers[0]!, { ...saved._schedulers[1]!, gamma: 0.5 }] };
    expect(() => b.loadStateDict(bad as never)).toThrow(/SequentialLR.loadStateDict: _schedulers\[1\] \(ExponentialLR\): 'gamma' is 0.5/);
    expect(JSON.stringify(b.stateDict())).toBe(before);
    b.loadStateDict(saved as never);
    expect(b.stateDict()).toEqual(saved);
  });

  it("ReduceLROnPlateau's infinite best survives JSON as null", () => {
    const p = new ReduceLROnPlateau(sgd());
    const saved = JSON.parse(JSON.stringify(p.stateDict())) as Record<string, unknown>;
    expect(saved.best).toBeNull();
    const q = new ReduceLROnPlateau(sgd());
    q.step(1);
    q.loadStateDict(saved as never);
    expect(q.best).toBe(Infinity);
    expect(q.lastEpoch).toBe(0);
  });
});
