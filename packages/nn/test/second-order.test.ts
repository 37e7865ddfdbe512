import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Generator, grad, gradgradcheck, type Tensor } from "@tapegrad/autograd";
import { LAYER_SPECS, LOSS_SPECS, type NnSpec } from "./cases/specs";

/** What PyTorch 1.13's gradgradcheck says of each loss and layer (fixtures/second-order/gen_second_order.py). */
const TORCH = JSON.parse(readFileSync(new URL("./fixtures/second-order/second_order.json", import.meta.url), "utf8")) as Record<string, true | string>;
/** Specs that are variants of a PyTorch entry, and layers PyTorch 1.13 does not have. */
const TORCH_NAME: Record<string, string | null> = { Conv1dGroups: "Conv1d", RMSNorm: null };
const ALL: Record<string, NnSpec> = { ...LOSS_SPECS, ...LAYER_SPECS };

/** The spec's differentiable inputs and its module's parameters, and the function of them that gradgradcheck differentiates twice. */
function setUp(spec: NnSpec): [(...t: Tensor[]) => Tensor, Tensor[]] {
  const s = spec.small;
  const module = spec.module?.(s);
  const inputs = spec.inputs(s, new Generator(5));
  const which = inputs.map((t, i) => t.dtype === "float64" && !spec.constant?.includes(i));
  const leaves = inputs.filter((_, i) => which[i]).map((t) => t.requiresGrad_());
  const params = module?.parameters() ?? [];
  const fn = (...xs: Tensor[]) => {
    let k = 0;
    const args = inputs.map((t, i) => (which[i] ? xs[k++]! : t));
    return spec.run(module, args, s);
  };
  return [fn, [...leaves, ...params]];
}

describe("second order of every loss and layer: the spec table against PyTorch 1.13", () => {
  it("the table claims a double backward wherever PyTorch has one, and names the reason where it does not", () => {
    for (const [name, spec] of Object.entries(ALL)) {
      const torchName = name in TORCH_NAME ? TORCH_NAME[name] : name;
      if (torchName === null) continue;
      expect(TORCH[torchName], `${name} in the PyTorch table`).toBeDefined();
      // where PyTorch has no (right) double backward, tapegrad may still have one; else the reason is PyTorch's
      if (TORCH[torchName] === true) expect(spec.secondOrder, name).toBe(true);
      else if (spec.secondOrder !== true) expect(spec.secondOrder, name).toContain(TORCH[torchName] as string);
    }
    expect(Object.keys(TORCH).filter((n) => !(n in ALL))).toEqual([]);
  });

  for (const [name, spec] of Object.entries(ALL)) {
    if (spec.secondOrder === true) {
      it(`${name}: gradgradcheck (float64)`, () => {
        const [fn, inputs] = setUp(spec);
        const result = gradgradcheck(fn, inputs, { atol: 1e-5, rtol: 1e-4 });
        expect(result.ok, `${name}: ${JSON.stringify(result.worst)}`).toBe(true);
      });
    } else {
      it(`${name}: a second backward throws (${spec.secondOrder.split(",")[0]})`, () => {
        const [fn, inputs] = setUp(spec);
        const [g] = grad(fn(...inputs), [inputs[0]!], { createGraph: true });
        expect(() => grad(g!.sum(), [inputs[0]!], { allowUnused: true })).toThrow(new RegExp(`${name}: .*cannot be differentiated again`));
      });
    }
  }
});
