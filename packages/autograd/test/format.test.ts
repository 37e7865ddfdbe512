import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { formatFixed, formatScientific } from "../src/core/format";
import { tensor, type DType, type Tensor } from "../src/index";

interface PrintCase {
  name: string;
  dtype: DType;
  shape: number[];
  data: (number | "nan" | "inf" | "-inf")[];
  requires_grad: boolean;
  op: "add" | "mul" | "neg" | "tanh" | "exp" | "sum" | null;
  repr: string;
}

// repr() of PyTorch 1.13 (float64 and float32), written by fixtures/print/gen_print_fixtures.py.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/print/tensors.json", import.meta.url), "utf8")) as { cases: PrintCase[] };
const decode = (v: PrintCase["data"][number]) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

function build(c: PrintCase): Tensor {
  const x = tensor(c.data.map(decode), { shape: c.shape, dtype: c.dtype, requiresGrad: c.requires_grad });
  switch (c.op) {
    case "add": return x.add(x);
    case "mul": return x.mul(x);
    case "neg": return x.neg();
    case "tanh": return x.tanh();
    case "exp": return x.exp();
    case "sum": return x.sum();
    default: return x;
  }
}

describe("Tensor.toString prints what PyTorch's repr prints", () => {
  it("has the fixture cases", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(40);
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(String(build(c))).toBe(c.repr);
    });
  }
});

describe("printing", () => {
  it("console.log / util.inspect show the same form", () => {
    const t = tensor([[1, -2.5]], { dtype: "float64", requiresGrad: true });
    expect(inspect(t)).toBe("tensor([[ 1.0000, -2.5000]], dtype=float64, requires_grad=True)");
    expect(inspect({ w: t })).toContain("tensor([[ 1.0000, -2.5000]]");
  });

  it("prints a strided view by its logical order", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]).T.narrow(0, 1, 2).flip([1]);
    expect(String(t)).toBe("tensor([[5., 2.],\n        [6., 3.]])");
  });

  it("does not change the tensor or its gradient state", () => {
    const t = tensor([0.5, 1.5], { requiresGrad: true });
    String(t);
    expect(t.requiresGrad).toBe(true);
    expect(t.grad).toBeNull();
    expect(Array.from(t.data())).toEqual([0.5, 1.5]);
  });

  it("rounds like Python's format: exact value, ties to even", () => {
    expect(formatFixed(0.125, 2)).toBe("0.12");        // exact tie, even digit kept
    expect(formatFixed(0.375, 2)).toBe("0.38");        // exact tie, rounds up to even
    expect(formatFixed(2.675, 2)).toBe("2.67");        // 2.675 is 2.67499999... as a double
    expect(formatFixed(-0, 0)).toBe("-0");
    expect(formatFixed(1e21, 1)).toBe("1000000000000000000000.0");
    expect(formatScientific(9.99996, 4)).toBe("1.0000e+01");  // rounding carries into the exponent
    expect(formatScientific(0, 4)).toBe("0.0000e+00");
    expect(formatScientific(-1.5e-300, 2)).toBe("-1.50e-300");
    expect(formatScientific(5e-324, 3)).toBe("4.941e-324");   // the smallest subnormal
  });
});
