import { readFileSync } from "node:fs";
import { type Tensor } from "@tapegrad/autograd";
import { LBFGS, type OptimizerStateDict } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";
import { camel, expectAllClose, expectStateDict, fromRef, type RefTensor } from "./helpers";

interface LBFGSCase {
  name: string;
  config: Record<string, unknown>;
  steps: { loss: number; evals: number; params: Record<"w" | "b", RefTensor> }[];
  state_dict: OptimizerStateDict;
}

// Written by test/fixtures/gen_lbfgs.py with PyTorch 1.13: loss = Σ(x·w + b - y)² + 0.1·Σw⁴.
const reference = JSON.parse(readFileSync(new URL("./fixtures/lbfgs.json", import.meta.url), "utf8")) as {
  x: RefTensor; y: RefTensor; w: RefTensor; b: RefTensor; cases: LBFGSCase[];
};

function problem(config: Record<string, unknown>) {
  const [x, y] = [fromRef(reference.x), fromRef(reference.y)];
  const [w, b] = [fromRef(reference.w, true), fromRef(reference.b, true)];
  const opt = new LBFGS([w, b], camel(config));
  let evals = 0;
  const closure = () => {
    evals += 1;
    opt.zeroGrad();
    const loss = x.matmul(w).add(b).sub(y).pow(2).sum().add(w.pow(4).sum().mul(0.1));
    loss.backward();
    return loss;
  };
  return { w, b, opt, closure, evals: () => evals };
}

// Tens of quasi-Newton iterations amplify the last-bit differences between our dot products and
// BLAS's (another summation order): parameters agree to rtol 1e-11; the state, whose `al`
// entries are near-cancelling residuals once converged, to rtol 1e-9 or atol 1e-10.
describe("LBFGS matches PyTorch 1.13 (float64)", () => {
  it("covers the fixed step and the strong-Wolfe line search", () => {
    expect(reference.cases.map((c) => c.config.line_search_fn ?? null)).toEqual(expect.arrayContaining([null, "strong_wolfe"]));
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { w, b, opt, closure, evals } = problem(c.config);
    c.steps.forEach((step, t) => {
      const loss = opt.step(closure) as Tensor;
      expect(Math.abs(loss.item() - step.loss)).toBeLessThanOrEqual(1e-11 * Math.abs(step.loss));
      expect(evals(), `${c.name} step ${t + 1}: closure evaluations`).toBe(step.evals);
      expectAllClose(w, step.params.w, `${c.name} step ${t + 1} w`, 1e-11, 1e-14);
      expectAllClose(b, step.params.b, `${c.name} step ${t + 1} b`, 1e-11, 1e-14);
    });
    expectStateDict(opt.stateDict(), c.state_dict, c.name, 1e-9, 1e-10);
  });
});

describe("LBFGS API", () => {
  it("has PyTorch's defaults, maxEval following maxIter", () => {
    const { opt } = problem({});
    expect(opt.paramGroups[0]).toMatchObject({ lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null });
    expect(problem({ max_iter: 7 }).opt.paramGroups[0]!.maxEval).toBe(8);
  });

  it("needs a closure, one group and a known line search", () => {
    const { opt, w, b } = problem({});
    expect(() => opt.step()).toThrow(/LBFGS: step needs a closure/);
    expect(() => new LBFGS([{ params: [w] }, { params: [b] }])).toThrow(/LBFGS: supports one parameter group only/);
    expect(() => new LBFGS([w], { lineSearchFn: "armijo" as never })).toThrow(/LBFGS: lineSearchFn must be null or "strong_wolfe", got "armijo"/);
    expect(() => new LBFGS([w], { historySize: 0 })).toThrow(/LBFGS: historySize must be a positive integer/);
  });

  it("accepts a closure returning a number", () => {
    const { w, b, opt, closure } = problem({ max_iter: 3 });
    expect(opt.step(() => closure().item())).toBeCloseTo(reference.cases[0]!.steps[0]!.loss, 9);
    expect(w.requiresGrad && b.requiresGrad).toBe(true);
  });
});
