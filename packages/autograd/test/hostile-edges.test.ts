import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { amax, amin, cat, gather, indexSelect, matmul, stack, tensor, type Tensor } from "../src/index";

/**
 * Every elementwise op and reduction at ±∞, NaN, ±1e30, 0 and on empty inputs, against PyTorch
 * 1.13 in float64 (fixtures/edges/gen_edges.py): the values, the gradient of their sum, and
 * where PyTorch raises, an error naming the op.
 */
type Encoded = number | "inf" | "-inf" | "nan";
interface EdgeCase {
  op: string;
  inputs: Encoded[][];
  inputShape?: number[];
  shape?: number[];
  output?: Encoded[];
  grads?: (Encoded[] | null)[];
  error?: string;
}
interface StructuralCase {
  op: string;
  shapes: number[][];
  inputs: number[][];
  index?: { data: number[]; shape: number[] };
  shape?: number[];
  output?: Encoded[];
  grads?: (Encoded[] | null)[];
  error?: string;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/edges/edges.json", import.meta.url), "utf8")) as { cases: EdgeCase[]; structural: StructuralCase[] };
const decode = (v: Encoded): number => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : v);

const OPS: Record<string, (...xs: Tensor[]) => Tensor> = {
  neg: (x) => x.neg(), exp: (x) => x.exp(), log: (x) => x.log(), sqrt: (x) => x.sqrt(), abs: (x) => x.abs(),
  tanh: (x) => x.tanh(), sigmoid: (x) => x.sigmoid(), relu: (x) => x.relu(), sign: (x) => x.sign(),
  "clamp(-1, 1)": (x) => x.clamp(-1, 1), "clamp(NaN, 1)": (x) => x.clamp(NaN, 1),
  "pow(2)": (x) => x.pow(2), "pow(0.5)": (x) => x.pow(0.5), "pow(-1)": (x) => x.pow(-1), "pow(0)": (x) => x.pow(0),
  add: (a, b) => a!.add(b!), sub: (a, b) => a!.sub(b!), mul: (a, b) => a!.mul(b!), div: (a, b) => a!.div(b!), pow: (a, b) => a!.pow(b!),
  maximum: (a, b) => a!.maximum(b!), minimum: (a, b) => a!.minimum(b!),
  sum: (x) => x.sum(1), mean: (x) => x.mean(1), amax: (x) => amax(x, 1), amin: (x) => amin(x, 1),
  "max(dim)": (x) => x.max(1)[0], "min(dim)": (x) => x.min(1)[0], "max()": (x) => x.max(), argmax: (x) => x.argmax(1),
  logSumExp: (x) => x.logSumExp(1), softmax: (x) => x.softmax(1), logSoftmax: (x) => x.logSoftmax(1),
};

/**
 * Where we deliberately differ (README, "Differences from PyTorch"): the op, which number
 * ("value" or "gradient of input i") at which index, and what we give instead.
 */
const DIFFERENCES: { op: string; what: string; index: number; ours: number }[] = [
  // pow(x, 0.5) is Math.pow: (-∞)^0.5 = +∞ (IEEE pow); PyTorch computes it as sqrt, giving NaN
  { op: "pow(0.5)", what: "value", index: 1, ours: Infinity },
  { op: "pow(0.5)", what: "gradient of input 0", index: 1, ours: 0 }, // 0.5·(-∞)^-0.5 = 0
  // logSumExp([1e30, 1e30]): we give each 1/2 (softmax); PyTorch's exp(x - result) rounds to 1 each
  { op: "logSumExp", what: "gradient of input 0", index: 6, ours: 0.5 },
  { op: "logSumExp", what: "gradient of input 0", index: 7, ours: 0.5 },
];

/** Equal as PyTorch prints them: NaN matches NaN, ±∞ match exactly, finite values to 1e-12 relative. */
function expectSame(op: string, actual: ArrayLike<number>, expected: Encoded[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  Array.from(actual).forEach((a, i) => {
    const difference = DIFFERENCES.find((d) => d.op === op && d.what === what && d.index === i);
    const e = difference ? difference.ours : decode(expected[i]!);
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Number.isFinite(e) ? Math.abs(a - e) <= 1e-12 * Math.max(1, Math.abs(e)) : a === e;
    expect(ok, `${what}[${i}]: got ${a}, PyTorch ${e}`).toBe(true);
  });
}

describe("edge values against PyTorch 1.13 (float64)", () => {
  it("covers every op of the table", () => {
    expect(new Set(fixture.cases.map((c) => c.op))).toEqual(new Set(Object.keys(OPS)));
  });

  for (const c of fixture.cases) {
    const label = `${c.op} on ${c.inputShape ? `an empty input of shape [${c.inputShape.join(", ")}]` : JSON.stringify(c.inputs[0]!.slice(0, 8))}`;
    it(label, () => {
      const leaves = c.inputs.map((values) =>
        tensor(Float64Array.from(values.flat().map(decode)), { shape: c.inputShape ?? (Array.isArray(values[0]) ? [values.length, (values[0] as unknown as Encoded[]).length] : [values.length]), requiresGrad: true }),
      );
      const fn = OPS[c.op]!;
      if (c.error !== undefined) {
        expect(() => fn(...leaves)).toThrow(new RegExp(`^${c.op.replace(/\(.*$/, "")}: `));
        return;
      }
      const out = fn(...leaves);
      expect(out.shape).toEqual(c.shape);
      expectSame(c.op, out.data(), c.output!, "value");
      if (!c.grads) return;
      if (!out.requiresGrad) {
        // an op without a gradient (sign, argmax) is right only where PyTorch's gradient is zero
        expect(c.grads.flat().every((g) => g === 0 || g === null)).toBe(true);
        return;
      }
      out.sum().backward();
      c.grads.forEach((g, i) => g && expectSame(c.op, leaves[i]!.grad!.data(), g, `gradient of input ${i}`));
    });
  }
});

/**
 * matmul (1-d, empty and broadcast batch dims), cat/stack with empty tensors and gather/indexSelect
 * with empty indices and negative dims, against PyTorch 1.13 in float64: the value and the gradient
 * of its sum, or, where PyTorch raises, an error naming the op.
 */
const STRUCTURAL: Record<string, (inputs: Tensor[], index: Tensor) => Tensor> = {
  matmul: ([a, b]) => matmul(a!, b!),
  "cat(0)": (xs) => cat(xs, 0),
  "cat(-1)": (xs) => cat(xs, -1),
  "cat(1)": (xs) => cat(xs, 1),
  "stack(0)": (xs) => stack(xs, 0),
  "stack(-1)": (xs) => stack(xs, -1),
  stack: (xs) => stack(xs, 0),
  "gather(1)": ([x], i) => gather(x!, 1, i),
  "gather(-1)": ([x], i) => gather(x!, -1, i),
  "gather(-2)": ([x], i) => gather(x!, -2, i),
  "gather(0)": ([x], i) => gather(x!, 0, i),
  "indexSelect(0)": ([x], i) => indexSelect(x!, 0, i),
  "indexSelect(-1)": ([x], i) => indexSelect(x!, -1, i),
  "indexSelect(1)": ([x], i) => indexSelect(x!, 1, i),
  "indexSelect(-3)": ([x], i) => indexSelect(x!, -3, i),
};
/**
 * Where we deliberately differ (README, "Differences from PyTorch"): PyTorch 1.13's cat skips a
 * 1-d empty tensor whatever the other shapes (a legacy rule); here it must match like any other part.
 */
const STRUCTURAL_DIFFERENCES: Record<string, string> = {
  "cat(0) with a 1-d empty part": "cat: shapes [2, 3], [0] differ outside dim 0",
};
/** The function a case runs: its name up to the first comma or space ("matmul, 1-d · 1-d", "cat(0) with ..."). */
const structuralOp = (name: string) => name.split(/[, ]/)[0]!;

describe("matmul, join and indexing edges against PyTorch 1.13 (float64)", () => {
  it("covers matmul, cat, stack, gather and indexSelect", () => {
    expect(new Set(fixture.structural.map((c) => structuralOp(c.op).replace(/\(.*$/, "")))).toEqual(new Set(["matmul", "cat", "stack", "gather", "indexSelect"]));
  });

  for (const c of fixture.structural) {
    it(c.error ? `${c.op}: an error, as in PyTorch` : c.op, () => {
      const leaves = c.shapes.map((shape, i) => tensor(Float64Array.from(c.inputs[i]!), { shape, requiresGrad: true }));
      const index = tensor(Int32Array.from(c.index?.data ?? []), { shape: c.index?.shape ?? [0] });
      const fn = STRUCTURAL[structuralOp(c.op)]!;
      const name = structuralOp(c.op).replace(/\(.*$/, "");
      const ours = STRUCTURAL_DIFFERENCES[c.op];
      if (ours !== undefined) {
        expect(c.error).toBeUndefined();
        expect(() => fn(leaves, index)).toThrow(ours);
        return;
      }
      if (c.error !== undefined) {
        expect(() => fn(leaves, index)).toThrow(new RegExp(`^${name}: `));
        leaves.forEach((l) => expect(l.version).toBe(0));
        return;
      }
      const out = fn(leaves, index);
      expect(out.shape).toEqual(c.shape);
      expectSame(c.op, out.data(), c.output!, "value");
      out.sum().backward();
      c.grads!.forEach((g, i) => g && expectSame(c.op, leaves[i]!.grad!.data(), g, `gradient of input ${i}`));
    });
  }
});
