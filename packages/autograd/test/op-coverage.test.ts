import { describe, expect, it } from "vitest";
import { PRIMITIVES } from "../src/index";
import { JOIN_INDEX_CHECKS } from "./cases/join-index";
import { MOVEMENT_CHECKS } from "./cases/movement";
import { POINTWISE_CHECKS } from "./cases/pointwise";
import { REDUCE_CHECKS } from "./cases/reduce";
import { CELL_CHECKS } from "./cases/cells";
import { CONV_CHECKS } from "./cases/conv";

/** Every op with a gradcheck in test/cases: the keys of the spec tables. */
const COVERED = Object.keys({ ...POINTWISE_CHECKS, ...REDUCE_CHECKS, ...MOVEMENT_CHECKS, ...JOIN_INDEX_CHECKS, ...CELL_CHECKS, ...CONV_CHECKS });

/** Every primitive (an op with a rule of its own). */
const declared = new Set<string>(Object.values(PRIMITIVES).flat());

/** Ops written from primitives (no rule of their own), checked as well. */
const COMPOSITES = [
  "mean", "logSumExp", "view", "transpose", "T", "narrow", "select", "squeeze", "unsqueeze", "flatten", "chunk", "unbind", "clone",
  "reciprocal", "rsqrt", "square", "frac", "lerp", "addcmul", "addcdiv", "nanToNum", "softplus", "logsigmoid", "silu", "gelu", "mish",
  "elu", "selu", "celu", "leakyRelu", "hardtanh", "relu6", "hardsigmoid", "hardswish", "softsign",
  "prod", "variance", "std", "varMean", "stdMean", "norm", "normalize", "nansum", "nanmean", "cumprod", "logcumsumexp", "cummax", "cummin",
  "sort", "topk", "kthvalue", "median", "mode", "diag", "trace", "tril", "triu", "repeat", "tile", "repeatInterleave", "roll", "movedim", "swapaxes",
  "unflatten", "meshgrid", "pad", "outer", "bmm", "addmm", "baddbmm", "einsum", "tensordot", "kron", "cross",
  "maskedFill", "maskedSelect", "take", "takeAlongDim", "scatter", "scatterReduce", "index", "indexPut",
  "conv1d", "conv2d", "convTranspose1d", "convTranspose2d", "maxPool1d", "maxPool2d", "avgPool1d", "avgPool2d", "adaptiveAvgPool1d", "adaptiveAvgPool2d", "interpolate",
];

describe("op coverage", () => {
  it("every primitive in the rule table has a gradcheck", () => {
    expect(declared.size).toBeGreaterThan(30);
    expect([...declared].filter((op) => !COVERED.includes(op)).sort()).toEqual([]);
  });

  it("every gradcheck names a declared op or a known composite", () => {
    expect(COVERED.filter((op) => !declared.has(op) && !COMPOSITES.includes(op))).toEqual([]);
    expect(COMPOSITES.filter((op) => !COVERED.includes(op))).toEqual([]);
  });
});
