import { describe, expect, it } from "vitest";
import { Generator, gradcheck, tensor, type Tensor } from "@tapegrad/autograd";
import { DataLoader, LSTM, packPaddedSequence, padCollate, padSequence, type PadSequenceOptions } from "@tapegrad/nn";
import { dataFixture, expectClose, toTensor, type FixtureTensor } from "./fixtures";
import { randn64 } from "../helpers";

interface PadCase {
  name: string;
  config: Required<PadSequenceOptions>;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  g_output?: FixtureTensor;
  grads?: FixtureTensor[];
}

describe("padSequence", () => {
  const cases = dataFixture<PadCase[]>("pad_sequence");

  it("has the six PyTorch cases", () => expect(cases.map((c) => c.name)).toHaveLength(6));

  for (const c of cases) {
    it(`${c.name}: values and gradients as torch's pad_sequence`, () => {
      const seqs = c.inputs.map((t) => toTensor(t, "float64", true));
      const out = padSequence(seqs, c.config);
      expectClose(out, c.output, `${c.name} output`);
      if (!c.grads) return;
      out.mul(toTensor(c.g_output!)).sum().backward();
      c.grads.forEach((g, i) => expectClose(seqs[i]!.grad ?? null, g, `${c.name} grad ${i}`));
    });
  }

  it("passes gradcheck, right and left, time-major and batch-first", () => {
    const seqs = [randn64([2, 3], 1, true), randn64([4, 3], 2, true), randn64([1, 3], 3, true)];
    for (const opts of [{}, { batchFirst: true, paddingSide: "left" as const, paddingValue: 2 }]) {
      const weight = randn64([4, 3, 3], 4);
      const fn = (...xs: (Tensor | undefined)[]) => {
        const out = padSequence(xs as Tensor[], opts);
        return (opts.batchFirst ? out.transpose(0, 1) : out).mul(weight);
      };
      expect(gradcheck(fn, seqs).ok).toBe(true);
    }
  });

  it("pads a batch of empty sequences to length 0", () => {
    expect(padSequence([tensor([]), tensor([])], { batchFirst: true }).shape).toEqual([2, 0]);
  });

  it("rejects mismatched trailing dims or dtypes, empty lists and bad options", () => {
    expect(() => padSequence([tensor([[1, 2]]), tensor([[1, 2, 3]])])).toThrow(/padSequence: sequence 1 is a float32 tensor of shape \[1, 3\]; expected float32 \(L, 2\) like sequence 0 \[1, 2\]/);
    expect(() => padSequence([tensor([1]), tensor([1], { dtype: "int32" })])).toThrow(/sequence 1 is a int32 tensor/);
    expect(() => padSequence([tensor(1)])).toThrow(/sequence 0 is a float32 tensor of shape \[\]/);
    expect(() => padSequence([])).toThrow(/non-empty list/);
    expect(() => padSequence([tensor([1], { dtype: "int32" })], { paddingValue: 0.5 })).toThrow(/paddingValue 0.5 must be an integer for int32/);
    expect(() => padSequence([tensor([1])], { paddingSide: "top" as never })).toThrow(/paddingSide must be "right" or "left", got "top"/);
    expect(() => padSequence([tensor([1])], { batch_first: true } as never)).toThrow(/unknown option "batch_first"/);
  });
});

describe("padCollate", () => {
  // Three token sequences of lengths 3, 1, 2 with labels 1, 0, 1.
  const items: [number[] | Tensor, number][] = [[[5, 6, 7], 1], [tensor([8], { dtype: "int32" }), 0], [[9, 4], 1]];

  it("pads token ids (arrays or int32 tensors) and returns lengths and labels", () => {
    const { inputs, lengths, targets } = padCollate(items, { batchFirst: true });
    expect(inputs.dtype).toBe("int32");
    expect(inputs.tolist()).toEqual([[5, 6, 7], [8, 0, 0], [9, 4, 0]]);
    expect(lengths).toEqual([3, 1, 2]);
    expect(targets.dtype).toBe("int32");
    expect(targets.tolist()).toEqual([1, 0, 1]);
    expect(padCollate(items).inputs.tolist()).toEqual([[5, 8, 9], [6, 0, 4], [7, 0, 0]]);
  });

  it("pads sequence targets with -100, crossEntropy's ignoreIndex", () => {
    const { targets } = padCollate([[[1, 2, 3], [2, 3, 4]], [[5], [6]]], { batchFirst: true, paddingValue: 9 });
    expect(targets.tolist()).toEqual([[2, 3, 4], [6, -100, -100]]);
  });

  it("feeds an LSTM with lengths and packPaddedSequence with the same result", () => {
    const features = [randn64([3, 2], 1), randn64([1, 2], 2), randn64([2, 2], 3)];
    const loader = new DataLoader({ length: 3, get: (i: number) => [features[i]!, i] as [Tensor, number] }, { batchSize: 3, collate: (b) => padCollate(b) });
    const [{ inputs, lengths }] = [...loader];
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64", generator: new Generator(0) });
    const [, [hMasked]] = lstm.forward(inputs!, undefined, { lengths: lengths! });
    const [, [hPacked]] = lstm.forward(packPaddedSequence(inputs!, lengths!, { enforceSorted: false }));
    expectClose(hPacked as Tensor, hMasked as Tensor, "hN");
    // Each sequence alone gives the same final state.
    features.forEach((f, b) => expectClose((lstm.forward(f)[1][0] as Tensor).select(0, 0) as Tensor, (hMasked as Tensor).select(1, b).select(0, 0), `sequence ${b}`));
  });

  it("rejects empty sequences, non-integer token ids and items that are not pairs", () => {
    expect(() => padCollate([[[], 1]])).toThrow(/padCollate: the sequence of item 0 has shape \[0\]; sequences need length >= 1/);
    expect(() => padCollate([[[1.5], 1]])).toThrow(/the sequence of item 0 must be a tensor or an array of integer token ids, got \[1.5\]/);
    expect(() => padCollate([[1, 2, 3] as never])).toThrow(/item 0 must be a \[sequence, target\] pair/);
  });
});
