import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "@tapegrad/autograd";
import { CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, ReduceLROnPlateau, SGD, StepLR } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";
import { camel } from "./helpers";

interface ScheduleCase {
  name: string;
  lrs: number[];
  schedulers: { kind: string; kwargs: Record<string, unknown> }[];
  metrics?: number[];
  history: number[][];
}

// Written by test/fixtures/gen_schedules.py with PyTorch 1.13.
const reference = JSON.parse(readFileSync(new URL("./fixtures/schedules.json", import.meta.url), "utf8")) as { cases: ScheduleCase[] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const SCHEDULERS: Record<string, new (opt: SGD, options: any) => { step(metric: number): void }> = {
  StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau,
};

function optimizer(lrs: number[]): SGD {
  return new SGD(lrs.map((lr) => ({ params: [tensor([0], { requiresGrad: true })], lr })), { lr: lrs[0]! });
}

const lrsOf = (opt: SGD) => opt.paramGroups.map((g) => g.lr);

function expectLrs(actual: number[], expected: number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((lr, i) => {
    if (Math.abs(lr - expected[i]!) > 1e-13 * Math.abs(expected[i]!)) throw new Error(`${label} group ${i}: lr ${lr}, PyTorch ${expected[i]}`);
  });
}

describe("schedulers reproduce PyTorch's schedules", () => {
  it("has the reference cases", () => {
    expect(reference.cases.map((c) => c.schedulers.map((s) => s.kind)).flat()).toEqual(
      expect.arrayContaining(["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ReduceLROnPlateau"]),
    );
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const opt = optimizer(c.lrs);
    const schedulers = c.schedulers.map((s) => new SCHEDULERS[s.kind]!(opt, camel(s.kwargs)));
    expectLrs(lrsOf(opt), c.history[0]!, `${c.name} epoch 0`);
    for (let t = 1; t < c.history.length; t++) {
      opt.step();
      for (const s of schedulers) s.step(c.metrics?.[t - 1] as number);
      expectLrs(lrsOf(opt), c.history[t]!, `${c.name} epoch ${t}`);
    }
  });
});

describe("schedulers agree with their closed forms", () => {
  const run = (make: (opt: SGD) => { step(): void }, epochs: number, lr = 0.1) => {
    const opt = optimizer([lr]);
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
