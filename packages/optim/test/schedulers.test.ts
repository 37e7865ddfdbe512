import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "@tapegrad/autograd";
import {
  Adam, ChainedScheduler, ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR,
  MultiplicativeLR, OneCycleLR, PolynomialLR, RMSprop, ReduceLROnPlateau, SGD, SequentialLR, StepLR, type AnyOptimizer, type LRScheduler, type LrLambda,
} from "@tapegrad/optim";
import { describe, expect, it } from "vitest";
import { camel, expectStateDict } from "./helpers";

interface SchedulerSpec {
  kind: string;
  kwargs: Record<string, unknown>;
}

interface ScheduleCase {
  name: string;
  lrs: number[];
  optimizer?: { kind: string; kwargs: Record<string, unknown> };
  schedulers: SchedulerSpec[];
  metrics?: number[];
  step_args?: number[];
  history: number[][];
  momenta?: number[][];
  state_dict: Record<string, unknown>;
}

// Written by test/fixtures/gen_schedules.py with PyTorch 1.13.
const reference = JSON.parse(readFileSync(new URL("./fixtures/schedules.json", import.meta.url), "utf8")) as { cases: ScheduleCase[] };

// The functions the generator names (its LAMBDAS).
const LAMBDAS: Record<string, LrLambda> = {
  "exp_0.95": (e) => 0.95 ** e,
  inverse: (e) => 1 / (e + 1),
  warmup_5: (e) => Math.min(1, (e + 1) / 5),
  "mult_0.9": () => 0.9,
  mult_alternate: (e) => (e % 2 ? 1.1 : 0.8),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const SCHEDULERS: Record<string, new (opt: AnyOptimizer, options: any) => { step(arg: number): void; stateDict(): object }> = {
  StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau, LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR,
  CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts, SequentialLR,
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const OPTIMIZERS: Record<string, new (params: any, options: any) => AnyOptimizer> = { SGD, Adam, RMSprop };

function build(opt: AnyOptimizer, { kind, kwargs }: SchedulerSpec): { step(arg: number): void; stateDict(): object } {
  const options = camel(kwargs);
  if (typeof options.lrLambda === "string") options.lrLambda = LAMBDAS[options.lrLambda];
  if (Array.isArray(options.lrLambda)) options.lrLambda = options.lrLambda.map((n: string) => LAMBDAS[n]);
  if (options.schedulers) options.schedulers = (options.schedulers as SchedulerSpec[]).map((s) => build(opt, s));
  if (kind === "ChainedScheduler") return new ChainedScheduler(options.schedulers as LRScheduler[]);
  return new SCHEDULERS[kind]!(opt, options);
}

function optimizer(lrs: number[], kind = "SGD", kwargs: Record<string, unknown> = {}): AnyOptimizer {
  return new OPTIMIZERS[kind]!(lrs.map((lr) => ({ params: [tensor([0], { requiresGrad: true })], lr })), { lr: lrs[0]!, ...camel(kwargs) });
}

const lrsOf = (opt: AnyOptimizer) => opt.paramGroups.map((g) => g.lr);
const momentaOf = (opt: AnyOptimizer) => opt.paramGroups.map((g) => ((g as { betas?: number[] }).betas?.[0] ?? (g as { momentum?: number }).momentum)!);

function expectLrs(actual: number[], expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((lr, i) => {
    if (!(Math.abs(lr - expected[i]!) <= 1e-12 * Math.abs(expected[i]!))) throw new Error(`${label} group ${i}: ${lr}, PyTorch ${expected[i]}`);
  });
}

describe("schedulers reproduce PyTorch's schedules (rtol 1e-12)", () => {
  it("has reference cases for every scheduler", () => {
    const kinds = (specs: SchedulerSpec[]): string[] => specs.flatMap((s) => [s.kind, ...kinds((s.kwargs.schedulers as SchedulerSpec[] | undefined) ?? [])]);
    expect(new Set(reference.cases.flatMap((c) => kinds(c.schedulers)))).toEqual(new Set([...Object.keys(SCHEDULERS), "ChainedScheduler"]));
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const opt = optimizer(c.lrs, c.optimizer?.kind, c.optimizer?.kwargs);
    const schedulers = c.schedulers.map((s) => build(opt, s));
    expectLrs(lrsOf(opt), c.history[0]!, `${c.name} epoch 0`);
    for (let t = 1; t < c.history.length; t++) {
      opt.step();
      for (const s of schedulers) s.step((c.metrics?.[t - 1] ?? c.step_args?.[t - 1])!);
      expectLrs(lrsOf(opt), c.history[t]!, `${c.name} epoch ${t} lr`);
      if (c.momenta) expectLrs(momentaOf(opt), c.momenta[t]!, `${c.name} epoch ${t} momentum`);
    }
    // PyTorch's state_dict() of the last scheduler, as JSON (an infinite best is null there)
    expectStateDict(JSON.parse(JSON.stringify(schedulers.at(-1)!.stateDict())), c.state_dict, `${c.name} state dict`);
  });
});

describe("schedulers agree with their closed forms", () => {
  const run = (make: (opt: SGD) => { step(): void }, epochs: number, lr = 0.1) => {
    const opt = optimizer([lr]) as SGD;
    const s = make(opt);
    const lrs = [opt.paramGroups[0]!.lr];
    for (let t = 0; t < epochs; t++) {
      s.step();
      lrs.push(opt.paramGroups[0]!.lr);
    }
    return lrs;
  };
  const close = (a: number[], b: number[]) => a.forEach((x, t) => expect(x).toBeCloseTo(b[t]!, 14));

  it("StepLR: lr0·γ^⌊t/stepSize⌋", () => {
    close(run((o) => new StepLR(o, { stepSize: 4, gamma: 0.3 }), 25), Array.from({ length: 26 }, (_, t) => 0.1 * 0.3 ** Math.floor(t / 4)));
  });
  it("MultiStepLR: lr0·γ^(milestones passed)", () => {
    const ms = [3, 7, 8];
    close(run((o) => new MultiStepLR(o, { milestones: ms, gamma: 0.5 }), 12), Array.from({ length: 13 }, (_, t) => 0.1 * 0.5 ** ms.filter((m) => m <= t).length));
  });
  it("ExponentialLR: lr0·γ^t", () => {
    close(run((o) => new ExponentialLR(o, { gamma: 0.95 }), 40), Array.from({ length: 41 }, (_, t) => 0.1 * 0.95 ** t));
  });
  it("CosineAnnealingLR: ηmin + (lr0 - ηmin)(1 + cos(πt/T))/2, including past T", () => {
    close(run((o) => new CosineAnnealingLR(o, { tMax: 9, etaMin: 0.01 }), 30), Array.from({ length: 31 }, (_, t) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * t) / 9))) / 2));
  });
  it("LinearLR: lr0·(start + (end - start)·min(t, n)/n)", () => {
    close(run((o) => new LinearLR(o, { startFactor: 0.2, endFactor: 0.9, totalIters: 6 }), 12), Array.from({ length: 13 }, (_, t) => 0.1 * (0.2 + (0.7 * Math.min(t, 6)) / 6)));
  });
});

describe("scheduler state and errors", () => {
  it("a scheduler restored from its state dict continues the same schedule", () => {
    const a = optimizer([0.1]);
    const sa = new CosineAnnealingLR(a, { tMax: 10, etaMin: 0.001 });
    for (let t = 0; t < 4; t++) sa.step();
    const saved = { opt: a.stateDict(), sched: sa.stateDict() };
    const b = optimizer([0.7]);
    const sb = new CosineAnnealingLR(b, { tMax: 10, etaMin: 0.001 });
    b.loadStateDict(saved.opt);
    sb.loadStateDict(saved.sched);
    for (let t = 0; t < 20; t++) {
      sa.step();
      sb.step();
      expect(lrsOf(b)).toEqual(lrsOf(a));
    }
    expect(sb.getLastLr()).toEqual(sa.getLastLr());
  });

  it("ReduceLROnPlateau restored from its state dict reduces at the same epoch", () => {
    const metrics = [1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const a = optimizer([0.1]);
    const pa = new ReduceLROnPlateau(a, { patience: 2 });
    metrics.slice(0, 3).forEach((m) => pa.step(m));
    const b = optimizer([0.1]);
    const pb = new ReduceLROnPlateau(b, { patience: 2 });
    pb.loadStateDict(pa.stateDict());
    for (const m of metrics.slice(3)) {
      pa.step(m);
      pb.step(m);
      expect(lrsOf(b)).toEqual(lrsOf(a));
    }
    // best 0.5 at epoch 2; three bad epochs each at 5 and at 8 reduce the lr twice
    expect(lrsOf(b)[0]).toBeCloseTo(0.001, 15);
  });

  it("accepts a 0-d tensor as the metric", () => {
    const opt = optimizer([0.1]);
    const p = new ReduceLROnPlateau(opt, { patience: 0 });
    p.step(tensor(2) as Tensor);
    p.step(tensor(3) as Tensor);
    expect(lrsOf(opt)[0]).toBeCloseTo(0.01, 15);
  });

  it("rejects bad options with errors naming the scheduler and option", () => {
    const opt = optimizer([0.1]);
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/StepLR: stepSize must be a positive integer/);
    expect(() => new StepLR(opt, { stepSize: 2, gamma: -1 })).toThrow(/StepLR: gamma must be > 0/);
    expect(() => new StepLR({} as SGD, { stepSize: 2 })).toThrow(/StepLR: expected an optimizer/);
    expect(() => new MultiStepLR(opt, { milestones: [2, 1.5] })).toThrow(/MultiStepLR: milestones\[1\]/);
    expect(() => new CosineAnnealingLR(opt, { tMax: 0 })).toThrow(/CosineAnnealingLR: tMax must be > 0/);
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow(/LinearLR: startFactor must be > 0/);
    expect(() => new LinearLR(opt, { endFactor: 1.5 })).toThrow(/LinearLR: endFactor must be in \[0, 1\]/);
    expect(() => new ExponentialLR(opt, { gamma: 0.9, step_size: 3 } as never)).toThrow(/ExponentialLR: unknown option 'step_size'/);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/ReduceLROnPlateau: factor must be in \[0, 1\)/);
    expect(() => new ReduceLROnPlateau(opt, { mode: "up" as never })).toThrow(/mode must be "min" or "max"/);
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0, 0] })).toThrow(/expected 1 minLr values/);
    expect(() => new ReduceLROnPlateau(opt).step(NaN)).toThrow(/ReduceLROnPlateau.step: the metric must be a number or a one-element tensor, got NaN/);
  });
});
