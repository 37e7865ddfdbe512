import { type Tensor } from "@tapegrad/autograd";
import { Adagrad, Adam, AdamW, RMSprop, SGD, clipGradNorm, clipGradValue, type Optimizer } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";
import { expectClose, fixturesOfKind, toTensor, type Fixture, type FixtureTensor } from "./helpers/fixtures";

// PyTorch's keyword arguments as tapegrad options (snake_case -> camelCase).
const camel = (config: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const OPTIMIZERS: Record<string, new (params: Tensor[], options: any) => Optimizer<{ lr: number }, any>> = { SGD, Adam, AdamW, RMSprop, Adagrad };

const RTOL = 1e-12;
const ATOL = 1e-15;

const optimFixtures = fixturesOfKind("optim");
const clipFixtures = fixturesOfKind("clip");

describe("optimizers match PyTorch 1.13 after every step (float64)", () => {
  it("has an optimizer for every optim fixture (9 in PyTorch's set)", () => {
    expect(optimFixtures.length).toBeGreaterThanOrEqual(9);
    expect(optimFixtures.filter((f) => !(f.module in OPTIMIZERS)).map((f) => f.name)).toEqual([]);
  });

  it.each(optimFixtures.map((f) => [f.name, f] as const))("%s", (_name, fixture: Fixture) => {
    const Ctor = OPTIMIZERS[fixture.module];
    if (!Ctor) throw new Error(`no optimizer for ${fixture.module}`);
    const names = Object.keys(fixture.params);
    expect(names).toEqual(["w", "b"]);
    const params = names.map((n) => toTensor(fixture.params[n]!, "float64", true));
    const opt = new Ctor(params, camel(fixture.config));
    expect(fixture.steps).toHaveLength(5);
    fixture.steps!.forEach((step, t) => {
      names.forEach((n, i) => (params[i]!.grad = toTensor(step.grads[n]!)));
      opt.step();
      names.forEach((n, i) => expectClose(params[i], step.params[n]!, `${fixture.name} step ${t + 1} ${n}`, RTOL, ATOL));
    });
  });
});

describe("gradient clipping matches PyTorch 1.13 (float64)", () => {
  it("knows every clip fixture (4 in PyTorch's set)", () => {
    expect(clipFixtures.length).toBeGreaterThanOrEqual(4);
    expect(clipFixtures.filter((f) => f.module !== "clip_grad_norm_" && f.module !== "clip_grad_value_").map((f) => f.name)).toEqual([]);
  });

  it.each(clipFixtures.map((f) => [f.name, f] as const))("%s", (_name, fixture: Fixture) => {
    const before = fixture.inputs.grads as Record<string, FixtureTensor>;
    const after = fixture.outputs.grads as Record<string, FixtureTensor>;
    const params = Object.keys(before).map((n) => {
      const p = toTensor(before[n]!, "float64", true);
      p.grad = toTensor(before[n]!);
      return p;
    });
    if (fixture.module === "clip_grad_norm_") {
      const { max_norm, norm_type } = fixture.config as { max_norm: number; norm_type: number | "inf" };
      const total = clipGradNorm(params, max_norm, norm_type);
      const expected = (fixture.outputs.total_norm as FixtureTensor).data[0] as number;
      expect(Math.abs(total - expected)).toBeLessThanOrEqual(RTOL * Math.abs(expected));
    } else {
      clipGradValue(params, (fixture.config as { clip_value: number }).clip_value);
    }
    Object.keys(before).forEach((n, i) => expectClose(params[i]!.grad, after[n]!, `${fixture.name} ${n}`, RTOL, ATOL));
  });
});
