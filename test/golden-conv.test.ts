import { readFileSync } from "node:fs";
import * as ag from "@tapegrad/autograd";
import type { Tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { expectClose, toTensor, type FixtureTensor } from "./helpers/fixtures";

interface OpCase {
  name: string;
  op: string;
  args: Record<string, unknown>;
  inputs: Record<string, FixtureTensor>;
  outputs: { out: FixtureTensor; indices?: FixtureTensor };
  g: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const { ops } = JSON.parse(readFileSync(new URL("./fixtures/torch-conv/conv.json", import.meta.url), "utf8")) as { ops: OpCase[] };

/** The tapegrad call for each op: kernel sizes and output sizes are positional, as in PyTorch. */
function call(c: OpCase, inputs: Tensor[]): Tensor | [Tensor, Tensor] {
  const { kernelSize, outputSize, ...opts } = c.args as Record<string, never>;
  const [x, weight, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
  switch (c.op) {
    case "conv1d": return ag.conv1d(x, weight, bias, opts);
    case "conv2d": return ag.conv2d(x, weight, bias, opts);
    case "convTranspose1d": return ag.convTranspose1d(x, weight, bias, opts);
    case "convTranspose2d": return ag.convTranspose2d(x, weight, bias, opts);
    case "maxPool1d": return ag.maxPool1d(x, kernelSize, opts);
    case "maxPool2d": return ag.maxPool2d(x, kernelSize, opts);
    case "avgPool1d": return ag.avgPool1d(x, kernelSize, opts);
    case "avgPool2d": return ag.avgPool2d(x, kernelSize, opts);
    case "adaptiveAvgPool1d": return ag.adaptiveAvgPool1d(x, outputSize);
    case "adaptiveAvgPool2d": return ag.adaptiveAvgPool2d(x, outputSize);
    case "interpolate": return ag.interpolate(x, opts);
    default: throw new Error(`${c.name}: no tapegrad op ${c.op}`);
  }
}

describe("convolution, pooling and resampling agree with PyTorch 1.13 (float64 values and gradients)", () => {
  it("covers every op with several argument combinations", () => {
    const perOp = new Map<string, number>();
    for (const c of ops) perOp.set(c.op, (perOp.get(c.op) ?? 0) + 1);
    expect(perOp.size).toBe(11);
    expect(Math.min(...perOp.values())).toBeGreaterThanOrEqual(2);
  });

  for (const c of ops) {
    it(c.name, () => {
      const inputs = Object.values(c.inputs).map((t) => toTensor(t, "float64", true));
      const result = call(c, inputs);
      const [out, indices] = Array.isArray(result) ? result : [result, undefined];
      expectClose(out, c.outputs.out, `${c.name} output`, 1e-9, 1e-11);
      if (c.outputs.indices) expectClose(indices, c.outputs.indices, `${c.name} indices`, 0, 0);
      out.mul(toTensor(c.g)).sum().backward();
      Object.keys(c.inputs).forEach((name, i) => expectClose(inputs[i]!.grad, c.grads[name]!, `${c.name} d${name}`, 1e-9, 1e-11));
    });
  }

  it("float32 inputs give the float64 results to float32 precision", () => {
    for (const c of ops) {
      const inputs = Object.values(c.inputs).map((t) => toTensor(t, "float32", true));
      const result = call(c, inputs);
      const out = Array.isArray(result) ? result[0] : result;
      expect(out.dtype).toBe("float32");
      expectClose(out, c.outputs.out, `${c.name} float32 output`, 1e-4, 1e-5);
      out.mul(toTensor(c.g, "float32")).sum().backward();
      Object.keys(c.inputs).forEach((name, i) => expectClose(inputs[i]!.grad, c.grads[name]!, `${c.name} float32 d${name}`, 1e-4, 1e-5));
    }
  });
});
