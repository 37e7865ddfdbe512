import { Generator, isTensor, noGrad, randn, tensor, type Tensor } from "@tapegrad/autograd";
import {
  ASGD, Adadelta, Adagrad, Adam, AdamW, Adamax, ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR,
  LBFGS, LambdaLR, LinearLR, MultiStepLR, MultiplicativeLR, NAdam, OneCycleLR, PolynomialLR, RAdam, RMSprop, ReduceLROnPlateau, Rprop, SGD, SequentialLR,
  StepLR, type AnyOptimizer,
} from "@tapegrad/optim";
import { describe, expect, it } from "vitest";

// A small regression problem; training is bit-identical whether or not it was interrupted.
const data = (() => {
  const g = new Generator(3);
  return { x: randn([16, 3], { dtype: "float64", generator: g }), y: randn([16, 1], { dtype: "float64", generator: g }) };
})();

function model(seed: number): Tensor[] {
  const g = new Generator(seed);
  return [randn([3, 4], { dtype: "float64", generator: g, requiresGrad: true }), randn([4], { dtype: "float64", generator: g, requiresGrad: true }), randn([4, 1], { dtype: "float64", generator: g, requiresGrad: true })];
}

function lossOf([w1, b1, w2]: Tensor[]): Tensor {
  return data.x.matmul(w1!).add(b1!).tanh().matmul(w2!).sub(data.y).pow(2).mean();
}

/** A checkpoint as a file would hold it: JSON, with each tensor as { shape, data }. */
function throughJson<T>(value: T): T {
  const text = JSON.stringify(value, (_k, v: unknown) => (isTensor(v) ? { tensor: { shape: v.shape, data: Array.from(v.data()) } } : v));
  return JSON.parse(text, (_k, v: { tensor?: { shape: number[]; data: number[] } }) => (v && typeof v === "object" && v.tensor ? tensor(new Float64Array(v.tensor.data), { shape: v.tensor.shape }) : v)) as T;
}

interface Stepper {
  step(metric: number): void;
  stateDict(): object;
  loadStateDict(d: never): void;
}
type Run = { params: Tensor[]; opt: AnyOptimizer; scheduler?: Stepper };

function train({ params, opt, scheduler }: Run, steps: number): void {
  for (let i = 0; i < steps; i++) {
    if (opt instanceof LBFGS) {
      opt.step(() => {
        opt.zeroGrad();
        const loss = lossOf(params);
        loss.backward();
        return loss;
      });
    } else {
      opt.zeroGrad();
      const loss = lossOf(params);
      loss.backward();
      opt.step();
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(loss.item());
      else scheduler?.step(undefined as never);
    }
  }
}

function expectResumeIdentical(make: (params: Tensor[]) => Run, before = 4, after = 6): void {
  const straight = make(model(1));
  train(straight, before);
  const checkpoint = throughJson({
    params: noGrad(() => straight.params.map((p) => p.clone())),
    opt: straight.opt.stateDict(),
    scheduler: straight.scheduler?.stateDict(),
  });
  train(straight, after);

  const resumed = make(model(2));
  noGrad(() => resumed.params.forEach((p, i) => p.copy_(checkpoint.params[i]!)));
  resumed.opt.loadStateDict(checkpoint.opt);
  if (checkpoint.scheduler) resumed.scheduler!.loadStateDict(checkpoint.scheduler as never);
  train(resumed, after);
  resumed.params.forEach((p, i) => expect(Array.from(p.data())).toEqual(Array.from(straight.params[i]!.data())));
  expect(resumed.opt.paramGroups.map(({ params: _, ...o }) => o)).toEqual(straight.opt.paramGroups.map(({ params: _, ...o }) => o));
}

const optimizers: [string, (p: Tensor[]) => AnyOptimizer][] = [
  ["SGD nesterov", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["Adam amsgrad", (p) => new Adam(p, { lr: 0.05, amsgrad: true })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.05 })],
  ["RMSprop centered momentum", (p) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01 })],
  ["NAdam", (p) => new NAdam(p, { lr: 0.05, weightDecay: 0.01 })],
  ["RAdam", (p) => new RAdam(p, { lr: 0.05, betas: [0.9, 0.6] })],
  ["Adamax", (p) => new Adamax(p, { lr: 0.05 })],
  ["Adadelta", (p) => new Adadelta(p, { lr: 1, rho: 0.8 })],
  ["Rprop", (p) => new Rprop(p, { lr: 0.01 })],
  ["ASGD", (p) => new ASGD(p, { lr: 0.05, t0: 2, lambd: 0.01 })],
  ["LBFGS strong Wolfe", (p) => new LBFGS(p, { maxIter: 3, historySize: 2, lineSearchFn: "strong_wolfe" })],
  ["LBFGS", (p) => new LBFGS(p, { lr: 0.5, maxIter: 2 })],
];

const sgd = (p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9 });
const schedulers: [string, (opt: SGD) => Stepper][] = [
  ["StepLR", (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
  ["MultiStepLR", (o) => new MultiStepLR(o, { milestones: [2, 5, 5, 7] })],
  ["ExponentialLR", (o) => new ExponentialLR(o, { gamma: 0.9 })],
  ["CosineAnnealingLR", (o) => new CosineAnnealingLR(o, { tMax: 4 })],
  ["LinearLR", (o) => new LinearLR(o, { totalIters: 6 })],
  ["LambdaLR", (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) })],
  ["MultiplicativeLR", (o) => new MultiplicativeLR(o, { lrLambda: () => 0.9 })],
  ["ConstantLR", (o) => new ConstantLR(o, { totalIters: 6 })],
  ["PolynomialLR", (o) => new PolynomialLR(o, { totalIters: 8, power: 2 })],
  ["CyclicLR", (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: "triangular2" })],
  ["OneCycleLR", (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 12, threePhase: true })],
  ["CosineAnnealingWarmRestarts", (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2 })],
  ["SequentialLR", (o) => new SequentialLR(o, { schedulers: [new LinearLR(o, { startFactor: 0.5, totalIters: 2 }), new CosineAnnealingLR(o, { tMax: 5 })], milestones: [5] })],
  ["ChainedScheduler", (o) => new ChainedScheduler([new ConstantLR(o, { factor: 0.5, totalIters: 5 }), new ExponentialLR(o, { gamma: 0.9 })])],
  ["ReduceLROnPlateau", (o) => new ReduceLROnPlateau(o, { patience: 0, threshold: 0.5 })],
];

describe("training resumed from a JSON checkpoint continues bit-identically", () => {
  it.each(optimizers)("%s", (_name, make) => expectResumeIdentical((params) => ({ params, opt: make(params) })));
  it.each(schedulers)("SGD with %s", (_name, make) =>
    expectResumeIdentical((params) => {
      const opt = sgd(params);
      return { params, opt, scheduler: make(opt) };
    }),
  );
});

describe("step() checks every gradient before changing anything", () => {
  it.each(optimizers.filter(([n]) => !n.startsWith("LBFGS")))("%s", (_name, make) => {
    const params = model(1);
    const opt = make(params);
    const before = params.map((p) => Array.from(p.data()));
    params.forEach((p) => (p.grad = tensor(new Float64Array(p.data().length).fill(0.5), { shape: p.shape })));
    params[1]!.grad = tensor(new Float64Array(3), { shape: [3] });
    expect(() => opt.step()).toThrow(new RegExp(`${opt.name}.step: parameter 1 of group 0 has shape \\[4\\] \\(float64\\) but its grad has shape \\[3\\] \\(float64\\)`));
    params.forEach((p, i) => expect(Array.from(p.data())).toEqual(before[i]));
    expect(opt.state.size).toBe(0);
  });

  it("LBFGS checks them after the closure, before moving", () => {
    const params = model(1);
    const opt = new LBFGS(params);
    const before = params.map((p) => Array.from(p.data()));
    const bad = () => {
      const loss = lossOf(params);
      loss.backward();
      params[2]!.grad = tensor(new Float64Array([1, 2]));
      return loss;
    };
    expect(() => opt.step(bad)).toThrow(/LBFGS.step: parameter 2 of group 0 has shape \[4,1\] \(float64\) but its grad has shape \[2\]/);
    params.forEach((p, i) => expect(Array.from(p.data())).toEqual(before[i]));
  });
});
