import { readFileSync } from "node:fs";
import { type Tensor } from "@tapegrad/autograd";
import { ASGD, Adadelta, Adagrad, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop, Rprop, SGD, type Optimizer, type OptimizerStateDict } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";
import { camel, expectAllClose, expectStateDict, fromRef, type RefTensor } from "./helpers";

interface OptimCase {
  name: string;
  module: string;
  config: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  params: Record<string, RefTensor>;
  steps: { grads: Record<string, RefTensor>; params: Record<string, RefTensor> }[];
  state_dict: OptimizerStateDict;
}

// Written by test/fixtures/gen_optimizers.py with PyTorch 1.13: amsgrad, dampening, lr decay,
// initial accumulator, AdamW's default decay, per-group options, and the optimizers beyond the
// shared fixtures (NAdam, RAdam, Adamax, Adadelta, Rprop, ASGD), each with its final state_dict().
const reference = JSON.parse(readFileSync(new URL("./fixtures/optimizers.json", import.meta.url), "utf8")) as { cases: OptimCase[] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const OPTIMIZERS: Record<string, new (params: any, options: any) => Optimizer<{ lr: number }, any>> = { SGD, Adam, AdamW, RMSprop, Adagrad, NAdam, RAdam, Adamax, Adadelta, Rprop, ASGD };

describe("optimizer options beyond the shared fixtures match PyTorch 1.13 (float64, rtol 1e-12)", () => {
  it("covers amsgrad, dampening, lr decay, AdamW defaults, parameter groups, and each new optimizer at least twice", () => {
    expect(reference.cases.map((c) => c.name)).toEqual(expect.arrayContaining(["adam_amsgrad", "adamw_amsgrad", "sgd_dampening", "adagrad_decay_init", "sgd_two_groups", "adam_two_groups"]));
    for (const kind of ["NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD"]) expect(reference.cases.filter((c) => c.module === kind).length, kind).toBeGreaterThanOrEqual(2);
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const names = ["w", "b"];
    const params = names.map((n) => fromRef(c.params[n]!, true));
    const input = c.groups ? c.groups.map((g, i) => ({ params: [params[i]!], ...camel(g) })) : params;
    const opt = new OPTIMIZERS[c.module]!(input, camel(c.config));
    c.steps.forEach((step, t) => {
      names.forEach((n, i) => (params[i]!.grad = fromRef(step.grads[n]!)));
      opt.step();
      names.forEach((n, i) => expectAllClose(params[i] as Tensor, step.params[n]!, `${c.name} step ${t + 1} ${n}`));
    });
    expectStateDict(opt.stateDict(), c.state_dict, c.name);
  });
});
