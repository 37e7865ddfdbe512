import { describe, expect, it } from "vitest";
import {
  adaptiveAvgPool2d, avgPool2d, conv1d, conv2d, convTranspose1d, interpolate, manualSeed, maxPool1d, maxPool2d, randn, tensor, zeros,
} from "../src/index";
import { expectAllClose } from "./helpers";

describe("convolution, pooling and resampling: hand-computed values", () => {
  it("conv1d with stride, dilation and zero padding", () => {
    const x = tensor([[[1, 2, 3, 4, 5]]]);
    // padded 0 1 2 3 4 5 0, taps at i and i + 2, windows at 0, 2, 4: (0+2) (2+4) (4+0)
    expect(conv1d(x, tensor([[[1, 1]]]), null, { padding: 1, dilation: 2, stride: 2 }).tolist()).toEqual([[[2, 6, 4]]]);
  });

  it("convTranspose1d spreads each input over stride-spaced kernel copies", () => {
    // out[i s + j] += x[i] w[j]: [1·1, 1·2 + 2·1, 2·2] with stride 1; with stride 2: [1, 2, 2, 4]
    expect(convTranspose1d(tensor([[[1, 2]]]), tensor([[[1, 2]]])).tolist()).toEqual([[[1, 4, 4]]]);
    expect(convTranspose1d(tensor([[[1, 2]]]), tensor([[[1, 2]]]), null, { stride: 2 }).tolist()).toEqual([[[1, 2, 2, 4]]]);
  });

  it("max pooling with -inf padding, ceil mode and PyTorch's flat indices", () => {
    const x = tensor([[[3, 1, 4, 1, 5]]]);
    const [values, indices] = maxPool1d(x, 2, { ceilMode: true, returnIndices: true });
    expect(values.tolist()).toEqual([[[3, 4, 5]]]);
    expect(indices.tolist()).toEqual([[[0, 2, 4]]]);
    const [v2, i2] = maxPool2d(tensor([[[1, 2], [3, 4]]]), 2, { padding: 1, returnIndices: true });
    expect(v2.tolist()).toEqual([[[1, 2], [3, 4]]]);
    expect(i2.tolist()).toEqual([[[0, 1], [2, 3]]]);
  });

  it("average pooling divisors: with padding counted, without, and overridden", () => {
    const x = tensor([[[1, 2], [3, 4]]]);
    expect(avgPool2d(x, 2, { padding: 1 }).tolist()).toEqual([[[0.25, 0.5], [0.75, 1]]]);
    expect(avgPool2d(x, 2, { padding: 1, countIncludePad: false }).tolist()).toEqual([[[1, 2], [3, 4]]]);
    expect(avgPool2d(x, 2, { divisorOverride: 2 }).tolist()).toEqual([[[5]]]);
  });

  it("adaptive pooling windows overlap as PyTorch's: [floor(i·5/3), ceil((i+1)·5/3))", () => {
    const x = tensor([[[1, 2, 3, 4, 5]]]);
    expect(adaptiveAvgPool2d(x.unsqueeze(0), [1, 3]).tolist()).toEqual([[[[1.5, 3, 4.5]]]]);
  });

  it("interpolate: nearest repeats, linear with and without alignCorners", () => {
    const x = tensor([[[0, 1]]]);
    expect(interpolate(x, { scaleFactor: 2 }).tolist()).toEqual([[[0, 0, 1, 1]]]);
    expect(interpolate(x, { size: 3, mode: "linear", alignCorners: true }).tolist()).toEqual([[[0, 0.5, 1]]]);
    // half-pixel centres: source (i + 0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last)
    expect(interpolate(x, { size: 4, mode: "linear" }).tolist()).toEqual([[[0, 0.25, 0.75, 1]]]);
  });
});

describe("convolution, pooling and resampling: bad input", () => {
  it("names the op, the offending value and what was expected", () => {
    const x = zeros([1, 4, 6]);
    expect(() => conv1d(zeros([4, 6, 1, 1]), zeros([2, 4, 3]))).toThrow(/conv1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input, got shape \[4, 6, 1, 1\]/);
    expect(() => conv1d(x, zeros([2, 3, 3]))).toThrow(/conv1d: weight of shape \[2, 3, 3\] with groups=1 expects 3 input channels, got input of shape \[1, 4, 6\]/);
    expect(() => conv1d(x, zeros([3, 2, 3]), null, { groups: 2 })).toThrow(/conv1d: 4 input and 3 output channels must both be divisible by groups=2/);
    expect(() => conv1d(x, zeros([2, 4, 3]), zeros([3]))).toThrow(/conv1d: bias must have shape \[2\], got \[3\]/);
    expect(() => conv1d(x, zeros([2, 4, 3]), null, { padding: "same", stride: 2 })).toThrow(/conv1d: padding="same" needs stride 1/);
    expect(() => conv1d(x, zeros([2, 4, 9]))).toThrow(/conv1d: kernel size 9 \(dilation 1\) is larger than the padded input length 6/);
    expect(() => conv1d(x, zeros([2, 4, 3]), null, { stride: 0 })).toThrow(/conv1d: stride must be an integer >= 1 or 1 of them, got 0/);
    expect(() => conv2d(zeros([1, 4, 6, 6]), zeros([2, 4, 3, 3]), null, { dilations: 2 } as never)).toThrow(/conv2d: unknown option "dilations"/);
    expect(() => conv1d(x, zeros([2, 4, 3], { dtype: "float64" }))).toThrow(/conv1d: dtype mismatch: input float32, parameter float64/);
    expect(() => convTranspose1d(x, zeros([4, 2, 3]), null, { outputPadding: 1 })).toThrow(/convTranspose1d: outputPadding 1 must be smaller than either stride 1 or dilation 1/);
    expect(() => maxPool1d(x, 2, { padding: 2 })).toThrow(/maxPool1d: padding 2 must be at most half of the kernel size 2/);
    expect(() => maxPool2d(x, 7)).toThrow(/maxPool2d: kernel size 7 \(dilation 1\) is larger than the padded input length 4/);
    expect(() => avgPool2d(zeros([1, 1, 4, 4]), 2, { divisorOverride: 0 })).toThrow(/avgPool2d: divisorOverride must be a non-zero integer, got 0/);
    expect(() => adaptiveAvgPool2d(x, [0, 2])).toThrow(/adaptiveAvgPool2d: outputSize must be a positive integer or 2 of them/);
    expect(() => interpolate(x, { size: 3, mode: "bilinear" })).toThrow(/interpolate: mode "bilinear" expects a 4-D input \(N, C, \.\.\.\), got shape \[1, 4, 6\]/);
    expect(() => interpolate(x, { size: 3, scaleFactor: 2 })).toThrow(/interpolate: give exactly one of size and scaleFactor/);
    expect(() => interpolate(x, { size: 3, alignCorners: true })).toThrow(/interpolate: alignCorners can only be set with the "linear" and "bilinear" modes/);
  });

  it("leaves every input as it was, forward and backward", () => {
    manualSeed(4);
    const x = randn([2, 2, 5, 5], { dtype: "float64", requiresGrad: true });
    const w = randn([3, 2, 3, 3], { dtype: "float64", requiresGrad: true });
    const before = [x.detach().clone(), w.detach().clone()];
    const y = conv2d(x, w, null, { padding: 1 });
    maxPool2d(y, 2, { ceilMode: true }).sum().add(avgPool2d(y, 3, { padding: 1 }).sum()).add(interpolate(y, { scaleFactor: 1.5, mode: "bilinear" }).sum()).backward();
    expectAllClose(x.detach(), before[0]!, 0, 0);
    expectAllClose(w.detach(), before[1]!, 0, 0);
  });
});
