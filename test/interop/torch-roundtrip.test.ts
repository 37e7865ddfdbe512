import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tensor, type Tensor } from "@tapegrad/autograd";
import { LSTM, mseLoss } from "@tapegrad/nn";
import { loadSafetensors } from "@tapegrad/nn/node";
import { SGD } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";
import { expectAllClose } from "./close";

interface JsonTensor {
  shape: number[];
  data: number[];
}
const dir = fileURLToPath(new URL("../fixtures/torch-roundtrip/", import.meta.url));
const json = (name: string) => JSON.parse(readFileSync(`${dir}${name}`, "utf8"));
const inputs = json("inputs.json") as { x: JsonTensor; target: JsonTensor };
const torchOut = json("torch_outputs.json") as { loss: number; before: Record<"y" | "h" | "c", JsonTensor>; after: Record<"y" | "h" | "c", JsonTensor> };
const t = (j: JsonTensor) => tensor(j.data, { shape: j.shape });

function expectClose(actual: Tensor, expected: JsonTensor): void {
  expectAllClose({ shape: actual.shape, data: actual.data() }, expected);
}

const model = () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true });

describe("a state dict goes to PyTorch and back unchanged (safetensors, same names)", () => {
  it("PyTorch's torch.nn.LSTM gave tapegrad's outputs for tapegrad's file", () => {
    const lstm = model();
    lstm.loadStateDict(loadSafetensors(`${dir}lstm_tapegrad.safetensors`));
    const [y, [h, c]] = lstm.forward(t(inputs.x));
    expectClose(y, torchOut.before.y);
    expectClose(h, torchOut.before.h);
    expectClose(c, torchOut.before.c);
  });

  it("the state dict PyTorch trained loads into tapegrad and reproduces PyTorch's outputs", () => {
    const lstm = model();
    lstm.loadStateDict(loadSafetensors(`${dir}lstm_torch.safetensors`));
    const [y, [h, c]] = lstm.forward(t(inputs.x));
    expectClose(y, torchOut.after.y);
    expectClose(h, torchOut.after.h);
    expectClose(c, torchOut.after.c);
  });

  it("the same SGD step taken in tapegrad lands on PyTorch's weights", () => {
    const lstm = model();
    lstm.loadStateDict(loadSafetensors(`${dir}lstm_tapegrad.safetensors`));
    const loss = mseLoss(lstm.forward(t(inputs.x))[0], t(inputs.target));
    expect(Math.abs(loss.item() - torchOut.loss)).toBeLessThan(1e-6);
    loss.backward();
    new SGD(lstm.parameters(), { lr: 0.1 }).step();
    const fromTorch = loadSafetensors(`${dir}lstm_torch.safetensors`);
    expect(Object.keys(fromTorch).sort()).toEqual(Object.keys(lstm.stateDict()).sort());
    for (const [name, p] of Object.entries(lstm.stateDict())) {
      const want = fromTorch[name]!;
      expectClose(p, { shape: want.shape, data: Array.from(want.data()) });
    }
  });
});
