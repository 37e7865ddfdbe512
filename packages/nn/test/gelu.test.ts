import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { erf, erfScalar, gelu } from "../src/layers/gelu";

describe("erf and exact GELU (for TransformerEncoderLayer's activation)", () => {
  it("erf matches Python's math.erf to a few ulp, on both sides of the series/continued-fraction switch at 3", () => {
    const reference: [number, number][] = [
      [-6, -1], [-3.2, -0.9999939742388483], [-1.5, -0.9661051464753108], [-0.25, -0.2763263901682369], [1e-8, 1.1283791670955126e-8],
      [0.7, 0.6778011938374184], [2.9, 0.9999589021219005], [3.1, 0.9999883513426328], [4.5, 0.9999999998033839],
    ];
    for (const [x, e] of reference) expect(Math.abs(erfScalar(x) - e), `erf(${x})`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(e));
    expect(erfScalar(0)).toBe(0);
    expect(Number.isNaN(erfScalar(NaN))).toBe(true);
    expect(erf(tensor([0.7, -1.5], { dtype: "float64" })).tolist()).toEqual([erfScalar(0.7), erfScalar(-1.5)]);
  });

  it("gelu matches torch.nn.functional.gelu (PyTorch 1.13, float64)", () => {
    const y = gelu(tensor([-4, -1.3, 0, 0.5, 2.2], { dtype: "float64" })).data();
    [-0.00012668496733247991, -0.1258406299612934, 0, 0.34573123063700656, 2.1694124154703034].forEach((e, i) => expect(Math.abs(y[i]! - e)).toBeLessThanOrEqual(1e-15 + 1e-12 * Math.abs(e)));
  });
});
