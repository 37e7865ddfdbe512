import { describe, expect, it } from "vitest";
import { gradcheck, tensor } from "@tapegrad/autograd";
import { PackedSequence, packPaddedSequence, padPackedSequence } from "@tapegrad/nn";
import { expectAllClose, makeLayer, randn64 } from "./helpers";

describe("packPaddedSequence / padPackedSequence", () => {
  // x[t][b] = 10 b + t, so every packed value says where it came from.
  const x = tensor(Array.from({ length: 5 }, (_, t) => [0, 1, 2].map((b) => [10 * b + t])), { dtype: "float64" });

  it("packs the valid steps time-major, longest sequence first, like PyTorch", () => {
    const p = packPaddedSequence(x, [3, 5, 2], { enforceSorted: false });
    expect(p.batchSizes).toEqual([3, 3, 2, 1, 1]);
    expect(p.sortedIndices).toEqual([1, 0, 2]);
    expect(p.unsortedIndices).toEqual([1, 0, 2]);
    expect(Array.from(p.data.data())).toEqual([10, 0, 20, 11, 1, 21, 12, 2, 13, 14]);
    expect(p.lengths).toEqual([3, 5, 2]);
  });

  it("unpacks to the padded batch in the original order, padded with paddingValue up to totalLength", () => {
    const [padded, lengths] = padPackedSequence(packPaddedSequence(x.transpose(0, 1), [3, 5, 2], { batchFirst: true, enforceSorted: false }), {
      batchFirst: true, totalLength: 6, paddingValue: -1,
    });
    expect(lengths).toEqual([3, 5, 2]);
    expect(padded.squeeze(2).tolist()).toEqual([[0, 1, 2, -1, -1, -1], [10, 11, 12, 13, 14, -1], [20, 21, -1, -1, -1, -1]]);
  });

  it("passes gradcheck through pack and unpack", () => {
    const input = randn64([4, 3, 2], 1, true);
    const result = gradcheck((t) => padPackedSequence(packPaddedSequence(t!, [2, 4, 1], { enforceSorted: false }))[0].mul(randn64([4, 3, 2], 2)), [input]);
    expect(result.ok).toBe(true);
  });

  it("runs a recurrent layer on packed input like on padded input with lengths", () => {
    const gru = makeLayer("GRU", { inputSize: 1, hiddenSize: 3, numLayers: 2, bidirectional: true }, 3);
    const xs = randn64([5, 3, 1], 4);
    const [packedOut, hPacked] = gru.forward(packPaddedSequence(xs, [3, 5, 2], { enforceSorted: false }));
    expect(packedOut).toBeInstanceOf(PackedSequence);
    const [out, h] = gru.forward(xs, undefined, { lengths: [3, 5, 2] });
    expectAllClose(padPackedSequence(packedOut)[0], out, 0);
    expectAllClose(hPacked as never, h as never, 0);
  });

  it("rejects unsorted lengths unless enforceSorted is false, and bad lengths", () => {
    expect(() => packPaddedSequence(x, [3, 5, 2])).toThrow(/lengths \[3, 5, 2\] are not in decreasing order; sort the batch or pass enforceSorted: false/);
    expect(() => packPaddedSequence(x, [3, 6, 2], { enforceSorted: false })).toThrow(/every length must be an integer in \[1, 5\].*got 6/);
    expect(() => packPaddedSequence(x, [3, 2])).toThrow(/lengths has 2 entries, expected one per sequence \(batch 3\)/);
    expect(() => padPackedSequence(packPaddedSequence(x, [5, 3, 2]), { totalLength: 4 })).toThrow(/totalLength 4 is shorter than the longest sequence \(5\)/);
    const gru = makeLayer("GRU", { inputSize: 1, hiddenSize: 2 });
    expect(() => gru.forward(packPaddedSequence(x, [5, 3, 2]), undefined, { lengths: [5, 3, 2] })).toThrow(/GRU: pass lengths or a PackedSequence, not both/);
  });
});
