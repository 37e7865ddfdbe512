import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as tg from "../src/index";
import { grad, tensor, type DType, type Tensor } from "../src/index";

interface FixtureTensor {
  shape: number[];
  dtype: DType;
  data: (number | "nan" | "inf" | "-inf")[];
}
interface Case {
  op: string;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  cotangent?: FixtureTensor;
  grads?: (FixtureTensor | null)[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/pointwise/pointwise.json", import.meta.url), "utf8")) as { cases: Case[] };
const number = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));
const values = (t: FixtureTensor) => t.data.map(number);
const toTensor = (t: FixtureTensor) => tensor(values(t), { shape: t.shape, dtype: t.dtype, requiresGrad: t.dtype === "float32" || t.dtype === "float64" });

type Op = (...xs: Tensor[]) => Tensor;
/** The tapegrad call for each fixture op name (see gen_pointwise.py for the PyTorch one). */
const OPS: Record<string, Op> = {
  ...Object.fromEntries(
    ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p", "expm1", "log2", "log10", "exp2", "erf", "erfc", "erfinv",
      "reciprocal", "rsqrt", "square", "sign", "floor", "ceil", "round", "trunc", "frac", "logit", "logsigmoid", "softplus", "silu", "gelu", "mish", "elu", "selu",
      "leakyRelu", "hardtanh", "hardsigmoid", "hardswish", "relu6", "softsign", "nanToNum", "abs", "relu", "sqrt", "exp", "log", "tanh", "sigmoid", "isnan", "isinf", "isfinite"]
      .map((name) => [name, (x: Tensor) => (x as unknown as Record<string, () => Tensor>)[name]!()]),
  ),
  ...Object.fromEntries(
    ["atan2", "fmod", "remainder", "hypot", "xlogy", "copysign", "logaddexp", "logaddexp2", "pow", "maximum", "minimum", "div", "isclose", "gt", "eq", "ne", "le",
      "bitwiseAnd", "bitwiseOr", "bitwiseXor", "bitwiseLeftShift", "bitwiseRightShift"]
      .map((name) => [name, (a: Tensor, b: Tensor) => (a as unknown as Record<string, (o: Tensor) => Tensor>)[name]!(b)]),
  ),
  "logit eps 0.1": (x) => tg.logit(x, 0.1),
  "softplus beta 2 threshold 5": (x) => tg.softplus(x, { beta: 2, threshold: 5 }),
  "gelu tanh": (x) => tg.gelu(x, { approximate: "tanh" }),
  "elu alpha 0.5": (x) => tg.elu(x, 0.5),
  "celu alpha 2": (x) => tg.celu(x, 2),
  "leakyRelu 0.2": (x) => tg.leakyRelu(x, 0.2),
  "hardtanh -2 3": (x) => tg.hardtanh(x, -2, 3),
  "nanToNum 1 2 -3": (x) => tg.nanToNum(x, { nan: 1, posinf: 2, neginf: -3 }),
  "erfinv near ±1 (mpmath)": (x) => x.erfinv(),
  "div trunc": (a, b) => a.div(b, { roundingMode: "trunc" }),
  "div floor": (a, b) => a.div(b, { roundingMode: "floor" }),
  "lerp 0.3": (a, b) => tg.lerp(a, b, 0.3),
  "lerp 0.8": (a, b) => tg.lerp(a, b, 0.8),
  "isclose equalNan": (a, b) => tg.isclose(a, b, { rtol: 1e-3, atol: 0.5, equalNan: true }),
  lerp: (a, b, w) => tg.lerp(a, b, w),
  "addcmul 0.5": (a, b, c) => tg.addcmul(a, b, c, { value: 0.5 }),
  "addcdiv 2": (a, b, c) => tg.addcdiv(a, b, c, { value: 2 }),
  where: (c, a, b) => tg.where(c.gt(0), a, b),
  "sum bool": (m) => m.sum(),
  "sum bool dim 1": (m) => m.sum(1),
};

/**
 * Where we differ from PyTorch on purpose: its float64 hardsigmoid backward multiplies by 1/6
 * rounded to float32 (0.1666666716...); ours is the exact 1/6.
 */
const GRAD_RTOL: Record<string, number> = { hardsigmoid: 1e-7 };
/** PyTorch's lerp uses a fused multiply-add, exact where start + w (end - start) cancels; JavaScript has none. */
const VALUE_ATOL: Record<string, number> = { "lerp 0.3": 1e-15, "lerp 0.8": 1e-15, lerp: 1e-15 };
/**
 * Elements where PyTorch 1.13 disagrees with itself, its vectorized kernel against its scalar one
 * (which of them runs depends on the element's position): we follow the scalar kernel.
 */
const PYTORCH_INCONSISTENT: Record<string, { element: number; why: string }> = {
  // vectorized: x < 3 ? x/3 + 1/2 : 1; scalar: x <= 3 ? x/3 + 1/2 : 1
  "hardswish float64 grad 0": { element: 10, why: "the gradient at x = 3: 1 (vectorized) or 1.5 (scalar)" },
  "hardswish float32 grad 0": { element: 10, why: "the gradient at x = 3: 1 (vectorized) or 1.5 (scalar)" },
};

/** float64 to 1e-12 relative; float32 results are float64 ones rounded once, PyTorch's may be a few float32 ulps off. */
const tolerance = (dtype: DType) => (dtype === "float32" ? { rtol: 1e-4, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-300 });

function expectMatches(actual: Tensor, expected: FixtureTensor, label: string, rtol: number, atol: number): void {
  expect(actual.dtype, label).toBe(expected.dtype);
  expect(actual.shape, label).toEqual(expected.shape);
  const got = Array.from(actual.data());
  values(expected).forEach((e, i) => {
    if (PYTORCH_INCONSISTENT[label]?.element === i) return;
    const g = got[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(g) : e === g || Math.abs(g - e) <= atol + rtol * Math.abs(e);
    if (!ok) throw new Error(`${label}: element ${i} (inputs ${JSON.stringify(fixtureInputsAt(label, i))}): got ${g}, expected ${e}`);
    if (e === 0 && g === 0 && Object.is(e, -0) !== Object.is(g, -0) && !label.includes("grad") && actual.dtype === "float64") throw new Error(`${label}: element ${i}: got ${Object.is(g, -0) ? "-0" : "0"}, expected ${Object.is(e, -0) ? "-0" : "0"}`);
  });
}

let current: Case | null = null;
function fixtureInputsAt(_label: string, i: number): (number | string | undefined)[] {
  return current ? current.inputs.map((t) => t.data[t.data.length === current!.output.data.length ? i : i % t.data.length]) : [];
}

describe("pointwise ops against PyTorch 1.13 (values and gradients at ±0, ±1, domain edges, ±1e30, ±inf, NaN)", () => {
  it("covers every op of the fixture", () => {
    expect(fixture.cases.length).toBeGreaterThan(190);
    expect(fixture.cases.map((c) => c.op).filter((op) => !OPS[op])).toEqual([]);
  });

  for (const c of fixture.cases) {
    const dtype = c.inputs[0]!.dtype;
    it(`${c.op} (${dtype})`, () => {
      current = c;
      const inputs = c.inputs.map(toTensor);
      const out = OPS[c.op]!(...inputs);
      const { rtol, atol } = tolerance(c.output.dtype);
      expectMatches(out, c.output, `${c.op} ${dtype} value`, rtol, c.output.dtype === "float64" ? (VALUE_ATOL[c.op] ?? atol) : atol);
      if (!c.grads) {
        expect(out.requiresGrad).toBe(c.output.dtype === "float64" || c.output.dtype === "float32");
        return;
      }
      const grads = grad(out, inputs, { gradOutputs: [toTensor(c.cotangent!).detach()], allowUnused: true });
      c.grads.forEach((g, k) => {
        if (g) expectMatches(grads[k]!, g, `${c.op} ${dtype} grad ${k}`, Math.max(rtol, GRAD_RTOL[c.op] ?? 0), atol);
      });
    });
  }
});
