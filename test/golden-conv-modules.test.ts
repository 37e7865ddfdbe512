import { readFileSync } from "node:fs";
import { Conv1d, Conv2d, type PaddingMode } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { expectClose, toTensor, type FixtureTensor } from "./helpers/fixtures";

interface ModuleCase {
  name: string;
  module: "Conv1d" | "Conv2d";
  config: Record<string, unknown>;
  stateDict: Record<string, FixtureTensor>;
  x: FixtureTensor;
  out: FixtureTensor;
}

const { modules } = JSON.parse(readFileSync(new URL("./fixtures/torch-conv/conv.json", import.meta.url), "utf8")) as { modules: ModuleCase[] };

const tupleOrNumber = (v: unknown) => v as never;

describe("Conv1d and Conv2d load PyTorch 1.13 state dicts unchanged and give PyTorch's outputs", () => {
  it("has cases for both modules and every non-zero padding mode", () => {
    expect(new Set(modules.map((m) => m.module))).toEqual(new Set(["Conv1d", "Conv2d"]));
    expect(new Set(modules.map((m) => m.config.padding_mode ?? "zeros"))).toEqual(new Set(["zeros", "circular", "reflect", "replicate"]));
  });

  for (const m of modules) {
    it(m.name, () => {
      const c = m.config;
      const opts = {
        stride: tupleOrNumber(c.stride), padding: tupleOrNumber(c.padding), dilation: tupleOrNumber(c.dilation), groups: c.groups as number | undefined,
        bias: c.bias as boolean | undefined, paddingMode: c.padding_mode as PaddingMode | undefined, dtype: "float64" as const,
      };
      for (const k of Object.keys(opts) as (keyof typeof opts)[]) if (opts[k] === undefined) delete opts[k];
      const Ctor = m.module === "Conv1d" ? Conv1d : Conv2d;
      const layer = new Ctor(c.in_channels as number, c.out_channels as number, tupleOrNumber(c.kernel_size), opts);
      expect(Object.keys(layer.stateDict()).sort()).toEqual(Object.keys(m.stateDict).sort());
      layer.loadStateDict(Object.fromEntries(Object.entries(m.stateDict).map(([k, t]) => [k, toTensor(t)])));
      expectClose(layer.forward(toTensor(m.x)), m.out, `${m.name} output`, 1e-9, 1e-11);
    });
  }
});
