import { describe, expect, it } from "vitest";
import { Generator, adaptiveAvgPool2d, avgPool1d, avgPool2d, conv1d, conv2d, maxPool1d, maxPool2d, tensor, type Tensor } from "@tapegrad/autograd";
import { AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, Conv1d, Conv2d, MaxPool1d, MaxPool2d } from "@tapegrad/nn";
import { expectAllClose, randn64 } from "./helpers";

const maxAbs = (t: Tensor) => Math.max(...Array.from(t.data(), Math.abs));

describe("Conv1d and Conv2d", () => {
  it("have PyTorch's parameter names and shapes (weight (out, in / groups, ...kernel), bias (out))", () => {
    const c1 = new Conv1d(4, 6, 3, { groups: 2 });
    expect(c1.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([["weight", [6, 2, 3]], ["bias", [6]]]);
    const c2 = new Conv2d(3, 5, [2, 4], { bias: false, dtype: "float64" });
    expect(c2.namedParameters().map(([n, p]) => [n, p.shape, p.dtype])).toEqual([["weight", [5, 3, 2, 4], "float64"]]);
  });

  it("initialise as PyTorch: weight and bias uniform in ±1/√fan_in (kaiming a=√5), fan_in = in / groups · kernel", () => {
    const c = new Conv2d(8, 64, 3, { groups: 2, generator: new Generator(1) });
    const bound = 1 / Math.sqrt(4 * 9);
    for (const p of [c.weight, c.bias!]) {
      expect(maxAbs(p)).toBeLessThanOrEqual(bound);
      expect(maxAbs(p)).toBeGreaterThan(0.9 * bound); // spread over the whole interval
    }
    const w = Array.from(c.weight.data());
    const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 3);
  });

  it("forward is the functional op with the layer's parameters and options", () => {
    const c1 = new Conv1d(2, 3, 2, { stride: 2, padding: 1, dilation: 1, dtype: "float64" });
    const x = randn64([2, 2, 7], 1);
    expectAllClose(c1.forward(x), conv1d(x, c1.weight, c1.bias, { stride: 2, padding: 1 }), 0);
    const c2 = new Conv2d(2, 2, 3, { padding: "same", groups: 2, dtype: "float64" });
    const y = randn64([2, 5, 4], 2);
    expectAllClose(c2.forward(y), conv2d(y, c2.weight, c2.bias, { padding: "same", groups: 2 }), 0);
  });

  it("pads by hand-computed rules in the reflect, replicate and circular modes", () => {
    const c = new Conv1d(1, 1, 3, { padding: 2, paddingMode: "reflect", bias: false, dtype: "float64" });
    c.loadStateDict({ weight: tensor([[[0, 0, 1]]], { dtype: "float64" }) }); // picks x[i + 2] of the padded row
    const x = tensor([[[1, 2, 3, 4]]], { dtype: "float64" });
    expect(c.forward(x).tolist()).toEqual([[[1, 2, 3, 4, 3, 2]]]); // padded: 3 2 | 1 2 3 4 | 3 2
    const r = new Conv1d(1, 1, 3, { padding: 2, paddingMode: "replicate", bias: false, dtype: "float64" });
    r.loadStateDict({ weight: tensor([[[1, 0, 0]]], { dtype: "float64" }) });
    expect(r.forward(x).tolist()).toEqual([[[1, 1, 1, 2, 3, 4]]]); // padded: 1 1 | 1 2 3 4 | 4 4
    const k = new Conv1d(1, 1, 3, { padding: 1, paddingMode: "circular", bias: false, dtype: "float64" });
    k.loadStateDict({ weight: tensor([[[1, 0, 0]]], { dtype: "float64" }) });
    expect(k.forward(x).tolist()).toEqual([[[4, 1, 2, 3]]]); // padded: 4 | 1 2 3 4 | 1
  });

  it("reject bad arguments, naming the layer and the value", () => {
    expect(() => new Conv1d(3, 4, 2, { groups: 2 })).toThrow(/Conv1d: inChannels 3 and outChannels 4 must be divisible by groups 2/);
    expect(() => new Conv2d(2, 4, [2, 0])).toThrow(/Conv2d: kernelSize must be a positive integer or 2 of them, got \[2,0\]/);
    expect(() => new Conv1d(2, 4, 2, { paddingMode: "mirror" as never })).toThrow(/Conv1d: paddingMode must be/);
    expect(() => new Conv1d(2, 4, 2, { strides: 2 } as never)).toThrow(/Conv1d: unknown option "strides"/);
    expect(() => new Conv1d(2, 4, 3).forward(randn64([1, 3, 5], 1).to("float32"))).toThrow(/conv1d: weight of shape \[4, 2, 3\] with groups=1 expects 2 input channels, got input of shape \[1, 3, 5\]/);
    expect(() => new Conv1d(1, 1, 3, { padding: 4, paddingMode: "reflect" }).forward(randn64([1, 1, 4], 1).to("float32"))).toThrow(/padding 4 is too large for "reflect" padding of a dim of size 4/);
  });
});

describe("pooling layers", () => {
  it("forward is the functional op with the layer's options", () => {
    const x = randn64([2, 3, 6, 7], 3);
    const x1 = randn64([2, 3, 9], 4);
    expectAllClose(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(x) as Tensor, maxPool2d(x, 3, { stride: 2, padding: 1 }), 0);
    const [values, indices] = new MaxPool1d(2, { returnIndices: true, ceilMode: true }).forward(x1) as [Tensor, Tensor];
    const [v2, i2] = maxPool1d(x1, 2, { returnIndices: true, ceilMode: true });
    expectAllClose(values, v2, 0);
    expect(indices.tolist()).toEqual(i2.tolist());
    expectAllClose(new AvgPool1d(3, { countIncludePad: false, padding: 1 }).forward(x1), avgPool1d(x1, 3, { countIncludePad: false, padding: 1 }), 0);
    expectAllClose(new AvgPool2d([2, 3], { divisorOverride: 2 }).forward(x), avgPool2d(x, [2, 3], { divisorOverride: 2 }), 0);
    expect(new AdaptiveAvgPool1d(4).forward(x1).shape).toEqual([2, 3, 4]);
    expectAllClose(new AdaptiveAvgPool2d([null, 2]).forward(x), adaptiveAvgPool2d(x, [6, 2]), 0);
  });

  it("have no parameters and reject unknown options", () => {
    expect(new MaxPool2d(2).parameters()).toEqual([]);
    expect(() => new AvgPool1d(2, { divisorOverride: 2 } as never)).toThrow(/AvgPool1d: unknown option "divisorOverride"/);
  });
});
