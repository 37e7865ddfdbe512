import { manualSeed, randn, tensor, type Tensor } from "@tapegrad/autograd";
import { LSTM, Module, exportOnnx } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { expectCloseOrt, runOnnx } from "./onnx-helpers";

/** An LSTM with projSize called with (x[, h0, c0][, lengths]); returns [y, hN, cN]. */
class Projected extends Module {
  constructor(readonly lstm: LSTM, readonly withState: boolean, readonly withLengths: boolean) {
    super();
  }
  forward(x: Tensor, ...rest: Tensor[]): Tensor[] {
    const state = this.withState ? ([rest[0]!, rest[1]!] as [Tensor, Tensor]) : undefined;
    const [y, [h, c]] = this.lstm.forward(x, state, this.withLengths ? { lengths: rest[this.withState ? 2 : 0]! } : {});
    return [y, h, c];
  }
}

describe("exportOnnx: an LSTM with projSize, unrolled over time into MatMul and gate ops", () => {
  it.each([
    ["one layer", {}, false, false],
    ["2 layers, bidirectional, initial states", { numLayers: 2, bidirectional: true }, true, false],
    ["batch-first, no bias", { batchFirst: true, bias: false }, false, false],
  ] as const)("%s: matches onnxruntime at another batch size", async (_n, opts, withState, withLengths) => {
    manualSeed(21);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, ...opts });
    const model = new Projected(lstm, withState, withLengths);
    const T = 4;
    const L = lstm.numLayers * lstm.directions;
    const inputs = (B: number) => [
      randn(lstm.batchFirst ? [B, T, 3] : [T, B, 3]),
      ...(withState ? [randn([L, B, 2]), randn([L, B, 5])] : []),
      ...(withLengths ? [tensor(Array.from({ length: B }, (_, b) => T - (b % 3)), { dtype: "int32" })] : []),
    ];
    const names = ["x", ...(withState ? ["h0", "c0"] : []), ...(withLengths ? ["lengths"] : [])];
    const batchAxis = lstm.batchFirst ? 0 : 1;
    const dynamicAxes = { x: [batchAxis], y: [batchAxis], hN: [1], cN: [1], ...(withState ? { h0: [1], c0: [1] } : {}), ...(withLengths ? { lengths: [0] } : {}) };
    const bytes = exportOnnx(model, inputs(2), { inputNames: names, outputNames: ["y", "hN", "cN"], dynamicAxes });
    for (const B of [3, 1]) {
      const other = inputs(B);
      const got = await runOnnx(bytes, Object.fromEntries(names.map((n, i) => [n, other[i]!])));
      const want = model.eval().forward(...(other as [Tensor, ...Tensor[]]));
      ["y", "hN", "cN"].forEach((n, i) => expectCloseOrt(got[n]!, want[i]!));
    }
  });

  it("names the fixed sequence length when the time axis is declared dynamic, and rejects lengths", () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2 });
    const lengths = tensor([4, 3], { dtype: "int32" });
    expect(() => exportOnnx(new Projected(lstm, false, true), [randn([4, 2, 3]), lengths])).toThrow(/exportOnnx: an LSTM with projSize exports unrolled over time, where lengths would become constants .*; export it without lengths/);
    expect(() => exportOnnx(lstm, randn([4, 2, 3]), { dynamicAxes: { input_0: [0, 1] } })).toThrow(/exportOnnx: forward runs other ops when the dynamic axes grow .*\(an LSTM with projSize exports unrolled over time\); export without dynamicAxes for fixed shapes/);
  });
});
