import { describe, it } from "vitest";
import { JOIN_INDEX_CHECKS } from "./cases/join-index";
import { MOVEMENT_CHECKS } from "./cases/movement";
import { POINTWISE_CHECKS } from "./cases/pointwise";
import { REDUCE_CHECKS } from "./cases/reduce";
import { Generator, tensor, where, type Tensor } from "../src/index";
import { checkLayouts, expectAllClose, LAYOUTS, makeInput } from "./helpers";

const ALL = { ...POINTWISE_CHECKS, ...REDUCE_CHECKS, ...MOVEMENT_CHECKS, ...JOIN_INDEX_CHECKS };

describe("every op gives the same result on permuted, offset, flipped and expanded inputs as on contiguous copies", () => {
  for (const [op, specs] of Object.entries(ALL)) it(op, () => [specs].flat().forEach(checkLayouts));
});

/** Large enough for any size-dependent fast path a kernel may take. */
const LARGE_OPS: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  "exp, tanh, sigmoid, relu": (a) => a.exp().add(a.tanh()).add(a.sigmoid()).add(a.relu()),
  "add, mul, div, maximum with broadcasting": (a, b) => a.add(b.select(0, 3)).mul(b).div(b.abs().add(1)).maximum(a.T.T),
  "sum, amax, logSumExp": (a) => a.sum(0).add(a.amax(0)).add(a.logSumExp(0)),
  "softmax, logSoftmax": (a) => a.softmax(1).add(a.logSoftmax(0)),
  matmul: (a, b) => a.matmul(b.T),
  "where, clamp, pow": (a, b) => where(a.gt(0), a.clamp(-0.5, 0.5), b).pow(2),
};

describe("large inputs in every layout give the same results as contiguous copies", () => {
  for (const [name, op] of Object.entries(LARGE_OPS)) {
    it(name, () => {
      for (const layout of LAYOUTS) {
        const gen = new Generator(LAYOUTS.indexOf(layout));
        const [a, b] = [makeInput([67, 130], layout, gen), makeInput([67, 130], layout, gen)].map((m) => m.use(m.leaf.detach()));
        const copy = (t: Tensor) => tensor(t.data(), { shape: t.shape });
        expectAllClose(op(a!, b!), op(copy(a!), copy(b!)), 1e-12, 1e-12);
      }
    });
  }
});
