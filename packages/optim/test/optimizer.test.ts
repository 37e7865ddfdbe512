import { Generator, noGrad, randn, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import { Adagrad, Adam, AdamW, CosineAnnealingLR, LinearLR, RMSprop, SGD, clipGradNorm, type Optimizer } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";

const leaf = (values: number[], shape = [values.length]) => tensor(new Float64Array(values), { shape, requiresGrad: true });

describe("parameter groups", () => {
  it("each group steps with its own options; defaults fill the rest", () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5, weightDecay: 0.1 }], { lr: 0.1 });
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, weightDecay: 0 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, momentum: 0, weightDecay: 0.1 });
    a.grad = tensor(new Float64Array([1, -1]));
    b.grad = tensor(new Float64Array([2]));
    opt.step();
    expect(Array.from(a.data())).toEqual([1 - 0.1, 2 + 0.1]);
    expect(b.item()).toBeCloseTo(3 - 0.5 * (2 + 0.1 * 3), 15);
  });

  it("addParamGroup adds a group with its own lr", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    a.grad = tensor(new Float64Array([3]));
    b.grad = tensor(new Float64Array([3]));
    opt.step();
    // Adam's first step moves by lr·sign(g) (up to eps)
    expect(a.item()).toBeCloseTo(0.9, 6);
    expect(b.item()).toBeCloseTo(0.99, 6);
  });

  it("has PyTorch's defaults", () => {
    const p = () => [leaf([0])];
    expect(new Adam(p()).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new AdamW(p()).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false });
    expect(new RMSprop(p()).paramGroups[0]).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false });
    expect(new Adagrad(p()).paramGroups[0]).toMatchObject({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
    expect(new SGD(p(), { lr: 0.1 }).paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
  });
});

describe("bad options and parameters give clear errors", () => {
  const p = () => leaf([1, 2]);
  it.each([
    ["negative lr", () => new SGD([p()], { lr: -0.1 }), /SGD: lr must be >= 0, got -0.1/],
    ["missing lr", () => new SGD([p()], {} as never), /SGD: lr is required/],
    ["NaN lr", () => new Adam([p()], { lr: NaN }), /Adam: lr must be a finite number/],
    ["beta1 = 1", () => new Adam([p()], { betas: [1, 0.999] }), /Adam: betas\[0\] must be in \[0, 1\), got 1/],
    ["negative beta2", () => new AdamW([p()], { betas: [0.9, -0.1] }), /AdamW: betas\[1\] must be in \[0, 1\), got -0.1/],
    ["betas not a pair", () => new Adam([p()], { betas: [0.9] as never }), /Adam: betas must be a pair/],
    ["negative eps", () => new RMSprop([p()], { eps: -1 }), /RMSprop: eps must be >= 0/],
    ["negative momentum", () => new SGD([p()], { lr: 0.1, momentum: -0.5 }), /SGD: momentum must be >= 0/],
    ["nesterov without momentum", () => new SGD([p()], { lr: 0.1, nesterov: true }), /SGD: nesterov needs momentum > 0 and dampening = 0/],
    ["negative lrDecay", () => new Adagrad([p()], { lrDecay: -1 }), /Adagrad: lrDecay must be >= 0/],
    ["misspelt option", () => new Adam([p()], { weight_decay: 0.1 } as never), /Adam: unknown option 'weight_decay'; expected one of lr, betas/],
    ["misspelt group option", () => new Adam([{ params: [p()], beta: 0.5 } as never]), /Adam parameter group: unknown option 'beta'/],
    ["bad group option", () => new Adam([{ params: [p()] }, { params: [p()], lr: -1 }]), /Adam: lr must be >= 0, got -1/],
    ["int32 parameter", () => new SGD([tensor([1, 2], { dtype: "int32" })], { lr: 0.1 }), /SGD: parameter 0 of group 0 has dtype int32 \(shape \[2\]\); only float32 and float64/],
    ["not a tensor", () => new SGD([[1, 2]] as never, { lr: 0.1 }), /SGD: a parameter group must be an object/],
    ["empty list", () => new Adam([]), /Adam: expected a non-empty list of parameters/],
    ["non-leaf parameter", () => new SGD([p().mul(2)], { lr: 0.1 }), /SGD: parameter 0 of group 0 \(shape \[2\]\) is not a leaf tensor/],
  ])("%s", (_what, make, message) => {
    expect(make).toThrow(message);
  });

  it("a parameter shared by two groups", () => {
    const shared = p();
    expect(() => new Adam([{ params: [p(), shared] }, { params: [shared] }])).toThrow(/Adam: parameter 0 of group 1 \(shape \[2\]\) is already in group 0; a parameter may belong to one group only/);
    const opt = new Adam([shared]);
    expect(() => opt.addParamGroup({ params: [shared] })).toThrow(/already in group 0/);
    expect(() => new Adam([shared, shared])).toThrow(/Adam: parameter 1 of group 0 \(shape \[2\]\) appears twice in the group/);
  });

  it("a gradient whose shape or dtype differs from its parameter", () => {
    const w = p();
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor(new Float64Array([1, 2, 3]));
    expect(() => opt.step()).toThrow(/SGD.step: parameter 0 of group 0 has shape \[2\] \(float64\) but its grad has shape \[3\] \(float64\)/);
    w.grad = tensor([1, 2]);
    expect(() => opt.step()).toThrow(/has shape \[2\] \(float64\) but its grad has shape \[2\] \(float32\)/);
  });
});

describe("step", () => {
  it("updates in place under grad mode without recording on the tape or touching the gradient", () => {
    const w = leaf([1, 2, 3]);
    const buffer = w.buf;
    const opt = new Adam([w], { lr: 0.1, weightDecay: 0.5 });
    w.mul(w).sum().backward();
    const grad = w.grad!;
    const gradBefore = Array.from(grad.data());
    opt.step();
    expect(w.isLeaf).toBe(true);
    expect(w.gradFn).toBeNull();
    expect(w.requiresGrad).toBe(true);
    expect(w.buf).toBe(buffer);
    expect(w.grad).toBe(grad);
    expect(Array.from(grad.data())).toEqual(gradBefore);
    // the updated parameter still trains
    opt.zeroGrad();
    w.sum().backward();
    expect(Array.from(w.grad!.data())).toEqual([1, 1, 1]);
  });

  it("skips parameters without a gradient and gives them no state", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new Adam([a, b]);
    a.grad = tensor(new Float64Array([1]));
    opt.step();
    expect(b.item()).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)).toMatchObject({ step: 1 });
  });

  it("accepts float32 parameters", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.5, momentum: 0.9 });
    w.grad = tensor([2, 4]);
    opt.step();
    expect(w.dtype).toBe("float32");
    expect(Array.from(w.data())).toEqual([0, 0]);
  });
});

describe("zeroGrad", () => {
  it("sets gradients to null by default, or fills them with zeros", () => {
    const w = leaf([1, 2]);
    const opt = new SGD([w], { lr: 0.1 });
    w.grad = tensor(new Float64Array([3, 4]));
    opt.zeroGrad();
    expect(w.grad).toBeNull();
    w.grad = tensor(new Float64Array([3, 4]));
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(w.grad!.data())).toEqual([0, 0]);
  });
});

describe("state dicts", () => {
  it("stateDict copies state tensors: later steps do not change a saved dict, nor edits of the dict the optimizer", () => {
    const w = leaf([1, 2]);
    const opt = new Adam([w], { lr: 0.1 });
    w.grad = tensor(new Float64Array([1, -2]));
    opt.step();
    const saved = opt.stateDict();
    const expAvg = Array.from((saved.state[0]!.exp_avg as Tensor).data());
    expect(expAvg).toEqual([0.1 * 1, 0.1 * -2].map((v) => expect.closeTo(v, 15)) as never);
    opt.step();
    expect(Array.from((saved.state[0]!.exp_avg as Tensor).data())).toEqual(expAvg);
    expect(saved.param_groups).toEqual([{ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false, params: [0] }]);

    const other = new Adam([leaf([1, 2])]);
    other.loadStateDict(saved);
    noGrad(() => (saved.state[0]!.exp_avg as Tensor).fill_(7));
    saved.param_groups[0]!.betas = [0.1, 0.1];
    expect(Array.from((other.stateDict().state[0]!.exp_avg as Tensor).data())).toEqual(expAvg);
    expect(other.paramGroups[0]!.betas).toEqual([0.9, 0.999]);
    expect(other.paramGroups[0]!.lr).toBe(0.1);
  });

  it("loadStateDict rejects a dict from a differently shaped optimizer", () => {
    const opt = new SGD([leaf([1, 2])], { lr: 0.1, momentum: 0.9 });
    opt.paramGroups[0]!.params[0]!.grad = tensor(new Float64Array([1, 1]));
    opt.step();
    const saved = opt.stateDict();
    expect(() => new SGD([leaf([1, 2]), leaf([1])], { lr: 0.1 }).loadStateDict(saved)).toThrow(/SGD.loadStateDict: param_groups\[0\].params must list 2 parameter indices \(this optimizer's group 0 has 2 parameters\), got \[0\]/);
    expect(() => new SGD([{ params: [leaf([1, 2])] }, { params: [leaf([1])] }], { lr: 0.1 }).loadStateDict(saved)).toThrow(/the state dict has 1 parameter groups, this optimizer has 2/);
    expect(() => new SGD([leaf([1, 2, 3])], { lr: 0.1 }).loadStateDict(saved)).toThrow(/SGD.loadStateDict: state\[0\].momentum_buffer: expected a Tensor of shape \[3\], got shape \[2\]/);
    expect(() => new SGD([leaf([1, 2])], { lr: 0.1 }).loadStateDict({ ...saved, param_groups: [{ ...saved.param_groups[0]!, lr: -1 }] })).toThrow(/SGD.loadStateDict: param_groups\[0\]: SGD: lr must be >= 0/);
  });

  // A small regression model trained with clipping and a warmup + cosine schedule.
  type Run = { params: Tensor[]; opt: Optimizer<{ lr: number }, never>; schedulers: (LinearLR | CosineAnnealingLR)[] };
  const data = (() => {
    const g = new Generator(3);
    const x = randn([16, 3], { dtype: "float64", generator: g });
    const y = randn([16, 1], { dtype: "float64", generator: g });
    return { x, y };
  })();
  const makeRun = (make: (params: Tensor[]) => Optimizer<{ lr: number }, never>, seed: number): Run => {
    const g = new Generator(seed);
    const params = [randn([3, 4], { dtype: "float64", generator: g, requiresGrad: true }), zeros([4], { dtype: "float64", requiresGrad: true }), randn([4, 1], { dtype: "float64", generator: g, requiresGrad: true })];
    const opt = make(params);
    return { params, opt, schedulers: [new LinearLR(opt, { startFactor: 0.2, totalIters: 3 }), new CosineAnnealingLR(opt, { tMax: 12 })] };
  };
  const train = ({ params, opt, schedulers }: Run, steps: number) => {
    const [w1, b1, w2] = params as [Tensor, Tensor, Tensor];
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      const pred = data.x.matmul(w1).add(b1).tanh().matmul(w2);
      pred.sub(data.y).pow(2).mean().backward();
      clipGradNorm(params, 0.5);
      opt.step();
      for (const s of schedulers) s.step();
    }
  };
  const snapshot = (params: Tensor[]) => params.map((p) => Array.from(p.data()));

  it.each([
    ["SGD nesterov", (p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ["Adam amsgrad", (p: Tensor[]) => new Adam(p, { lr: 0.05, amsgrad: true, weightDecay: 0.01 })],
    ["AdamW", (p: Tensor[]) => new AdamW(p, { lr: 0.05 })],
    ["RMSprop centered momentum", (p: Tensor[]) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
    ["Adagrad", (p: Tensor[]) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01 })],
  ])("%s: resuming from a checkpoint continues bit-identically", (_name, make) => {
    const straight = makeRun(make as never, 1);
    train(straight, 5);
    const checkpoint = {
      params: noGrad(() => straight.params.map((p) => p.clone())),
      opt: straight.opt.stateDict(),
      schedulers: straight.schedulers.map((s) => s.stateDict()),
    };
    train(straight, 7);

    const resumed = makeRun(make as never, 2); // different initial values, overwritten below
    noGrad(() => resumed.params.forEach((p, i) => p.copy_(checkpoint.params[i]!)));
    resumed.opt.loadStateDict(checkpoint.opt);
    resumed.schedulers.forEach((s, i) => s.loadStateDict(checkpoint.schedulers[i]!));
    train(resumed, 7);
    expect(snapshot(resumed.params)).toEqual(snapshot(straight.params));

    // the optimizer state matters: a fresh optimizer from the same parameters ends elsewhere
    const fresh = makeRun(make as never, 2);
    noGrad(() => fresh.params.forEach((p, i) => p.copy_(checkpoint.params[i]!)));
    train(fresh, 7);
    expect(snapshot(fresh.params)).not.toEqual(snapshot(straight.params));
  });
});
