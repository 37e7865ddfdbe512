import { describe, expect, it } from "vitest";
import type { Tensor } from "@tapegrad/autograd";
import * as nn from "@tapegrad/nn";
import { expectMatches, fromJson, readJson, type JsonTensor } from "./torch-json";

interface LossCase {
  name: string;
  fn: string;
  options: Record<string, unknown>;
  args: Record<string, JsonTensor>;
  loss: JsonTensor;
  cotangent: JsonTensor;
  grads: Record<string, JsonTensor>;
}

const { cases } = readJson<{ cases: LossCase[] }>(new URL("./fixtures/losses/losses.json", import.meta.url));

type Args = Record<string, Tensor>;
type Options = Record<string, unknown>;
const pick = (o: Options, keys: string[]) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
/** PyTorch's functional name -> the call with our argument order (tensors that are keywords in PyTorch go in the options). */
const calls: Record<string, (a: Args, o: Options) => Tensor> = {
  binary_cross_entropy: (a, o) => nn.binaryCrossEntropy(a.input!, a.target!, { ...o, weight: a.weight }),
  l1_loss: (a, o) => nn.l1Loss(a.input!, a.target!, o),
  smooth_l1_loss: (a, o) => nn.smoothL1Loss(a.input!, a.target!, o),
  huber_loss: (a, o) => nn.huberLoss(a.input!, a.target!, o),
  kl_div: (a, o) => nn.klDiv(a.input!, a.target!, o),
  gaussian_nll_loss: (a, o) => nn.gaussianNllLoss(a.input!, a.target!, a.var!, o),
  poisson_nll_loss: (a, o) => nn.poissonNllLoss(a.input!, a.target!, o),
  cosine_embedding_loss: (a, o) => nn.cosineEmbeddingLoss(a.x1!, a.x2!, a.target!, o),
  margin_ranking_loss: (a, o) => nn.marginRankingLoss(a.x1!, a.x2!, a.target!, o),
  hinge_embedding_loss: (a, o) => nn.hingeEmbeddingLoss(a.input!, a.target!, o),
  triplet_margin_loss: (a, o) => nn.tripletMarginLoss(a.anchor!, a.positive!, a.negative!, { ...o, p: o.p === "inf" ? Infinity : (o.p as number | undefined) }),
  multilabel_soft_margin_loss: (a, o) => nn.multiLabelSoftMarginLoss(a.input!, a.target!, { ...pick(o, ["reduction"]), weight: a.weight }),
};

/**
 * PyTorch's poissonNllLoss with full gives a NaN target gradient where the target is 0 (0 · ∞ in
 * the Stirling term it masks to 0 for target <= 1). There the term is constant, so the gradient is
 * the rest's, -input (logInput) or -log(input + eps), times the cotangent, which is what we give.
 */
function withoutNaN(c: LossCase, name: string, g: JsonTensor): JsonTensor {
  if (c.fn !== "poisson_nll_loss" || !c.options.full || name !== "target") return g;
  const input = c.args.input!.data as number[];
  const n = input.length;
  const cot = (i: number) => (c.cotangent.data.length === 1 ? (c.cotangent.data[0] as number) / ((c.options.reduction ?? "mean") === "mean" ? n : 1) : (c.cotangent.data[i] as number));
  const rest = (x: number) => (c.options.logInput === false ? -Math.log(x + ((c.options.eps as number | undefined) ?? 1e-8)) : -x);
  return { ...g, data: g.data.map((v, i) => (v === "nan" && c.args.target!.data[i] === 0 ? rest(input[i]!) * cot(i) : v)) };
}

describe("losses against PyTorch 1.13 (float64)", () => {
  it("has a fixture case for every option combination generated", () => {
    expect(cases.length).toBe(41);
    expect(new Set(cases.map((c) => c.fn))).toEqual(new Set(Object.keys(calls)));
  });

  for (const c of cases) {
    it(`${c.name}: loss and input gradients`, () => {
      const args = Object.fromEntries(Object.entries(c.args).map(([k, t]) => [k, fromJson(t, "float64", k in c.grads)]));
      const loss = calls[c.fn]!(args, c.options);
      expectMatches(loss, c.loss, "loss");
      if (Object.keys(c.grads).length === 0) return;
      loss.mul(fromJson(c.cotangent)).sum().backward();
      for (const [k, g] of Object.entries(c.grads)) expectMatches(args[k]!.grad, withoutNaN(c, k, g), `grad ${k}`);
    });
  }
});
