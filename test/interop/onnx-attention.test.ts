import { cat, manualSeed, randint, randn, stack, tensor, type Tensor } from "@tapegrad/autograd";
import { Linear, Module, MultiheadAttention, TransformerEncoderLayer, exportOnnx, type TransformerEncoderLayerOptions } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { expectCloseOrt, runOnnx } from "./onnx-helpers";

/** Exports with dynamic batch and sequence axes, runs other sizes in onnxruntime, compares with tapegrad's forward. */
async function roundTrip(model: Module, example: Tensor[], others: Tensor[][], names: { inputs: string[]; outputs: string[]; dynamicAxes?: Record<string, Record<number, string>> }): Promise<void> {
  const bytes = exportOnnx(model, example, { inputNames: names.inputs, outputNames: names.outputs, dynamicAxes: names.dynamicAxes });
  for (const inputs of others) {
    const got = await runOnnx(bytes, Object.fromEntries(names.inputs.map((n, i) => [n, inputs[i]!])));
    const want = [model.eval().forward(...inputs)].flat(2) as Tensor[];
    names.outputs.forEach((n, i) => expectCloseOrt(got[n]!, want[i]!));
  }
}

class SelfAttention extends Module {
  constructor(readonly attn: MultiheadAttention, readonly padded: boolean) {
    super();
  }
  forward(x: Tensor, pad?: Tensor): Tensor[] {
    const [y, w] = this.attn.forward(x, x, x, this.padded ? { keyPaddingMask: pad } : {});
    return [y, w!];
  }
}

describe("exportOnnx: attention traced into primitive ONNX ops, run at other batch and sequence sizes", () => {
  it.each([
    ["seq-first", false],
    ["batch-first", true],
  ])("MultiheadAttention (%s) with its averaged weights", async (_n, batchFirst) => {
    manualSeed(11);
    const model = new SelfAttention(new MultiheadAttention(8, 2, { batchFirst }), false);
    const shape = (b: number, s: number) => (batchFirst ? [b, s, 8] : [s, b, 8]);
    const [bAxis, sAxis] = batchFirst ? [0, 1] : [1, 0];
    await roundTrip(model, [randn(shape(2, 5))], [[randn(shape(3, 7))], [randn(shape(1, 2))], [randn(shape(2, 5))]], {
      inputs: ["x"],
      outputs: ["y", "weights"],
      dynamicAxes: { x: { [bAxis]: "batch", [sAxis]: "seq" }, y: { [bAxis]: "batch", [sAxis]: "seq" }, weights: { 0: "batch", 1: "seq", 2: "seq" } },
    });
  });

  it("MultiheadAttention with an int32 key padding mask input (the mask is computed inside the graph)", async () => {
    manualSeed(12);
    const model = new SelfAttention(new MultiheadAttention(6, 3, { batchFirst: true }), true);
    const pad = (b: number, s: number) => tensor(Array.from({ length: b * s }, (_, i) => (i % s >= s - (Math.floor(i / s) % 2) - 1 && i % s > 0 ? 1 : 0)), { shape: [b, s], dtype: "int32" });
    await roundTrip(model, [randn([2, 5, 6]), pad(2, 5)], [[randn([4, 3, 6]), pad(4, 3)], [randn([3, 8, 6]), pad(3, 8)]], {
      inputs: ["x", "pad"],
      outputs: ["y", "weights"],
      dynamicAxes: { x: { 0: "batch", 1: "seq" }, pad: { 0: "batch", 1: "seq" }, y: { 0: "batch", 1: "seq" }, weights: { 0: "batch", 1: "seq", 2: "seq" } },
    });
  });

  it.each<[string, TransformerEncoderLayerOptions]>([
    ["post-norm, relu", { activation: "relu" }],
    ["pre-norm, gelu, batch-first", { activation: "gelu", normFirst: true, batchFirst: true }],
  ])("TransformerEncoderLayer (%s)", async (_n, opts) => {
    manualSeed(13);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, ...opts });
    const bf = opts.batchFirst ?? false;
    const shape = (b: number, s: number) => (bf ? [b, s, 8] : [s, b, 8]);
    const axes = bf ? { 0: "batch", 1: "seq" } : { 0: "seq", 1: "batch" };
    await roundTrip(layer, [randn(shape(2, 5))], [[randn(shape(3, 9))], [randn(shape(1, 1))]], { inputs: ["src"], outputs: ["out"], dynamicAxes: { src: axes, out: axes } });
  });

  it("a causal TransformerEncoderLayer exports with fixed shapes; with a dynamic sequence axis its mask is named", async () => {
    manualSeed(14);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
    class Causal extends Module {
      constructor(readonly layer: TransformerEncoderLayer) {
        super();
      }
      forward(x: Tensor): Tensor {
        return this.layer.forward(x, { isCausal: true });
      }
    }
    const model = new Causal(layer);
    await roundTrip(model, [randn([2, 5, 8])], [[randn([2, 5, 8])]], { inputs: ["x"], outputs: ["y"], dynamicAxes: { x: { 0: "batch" }, y: { 0: "batch" } } });
    expect(() => exportOnnx(model, randn([2, 5, 8]), { dynamicAxes: { input_0: { 1: "seq" } } })).toThrow(
      /exportOnnx: input 1 of 'add' is a tensor made inside forward without the inputs \(a constant, shape \[5, 5\]\); the exported graph holds it fixed, but its shape \[5, 5\] becomes \[8, 8\] when the dynamic axes grow/,
    );
  });
});

/** Movement, indexing, joins, reductions and constants between modules. */
class Shuffle extends Module {
  proj = new Linear(4, 6);
  offsets = [0.5, -1, 2, 0, 1.5, -0.25];
  forward(x: Tensor): Tensor[] {
    const h = this.proj.forward(x); // (B, T, 6)
    const heads = h.view([h.shape[0]!, h.shape[1]!, 2, 3]).permute([0, 2, 1, 3]); // (B, 2, T, 3)
    const scores = heads.matmul(heads.transpose(-1, -2)).mul(0.5).softmax(-1); // (B, 2, T, T)
    const mixed = scores.matmul(heads).transpose(1, 2).flatten(2); // (B, T, 6)
    const first = mixed.select(1, 0); // (B, 6)
    const last = mixed.narrow(1, mixed.shape[1]! - 1, 1).squeeze(1); // (B, 6), from the end
    const bias = tensor(this.offsets); // made inside forward
    const [a, b] = mixed.add(bias).chunk(2, -1) as [Tensor, Tensor]; // (B, T, 3) each
    const pooled = stack([a.sum(1), b.amax(1), a.mean(-1, true).squeeze(-1).exp().sum(1, true).expand([x.shape[0]!, 3])], 1); // (B, 3, 3)
    const joined = cat([first, last.mul(last.gt(0).to("float32")), mixed.index([null, tensor([0, 2], { dtype: "int32" })]).flatten(1)], -1); // (B, 24)
    return [joined.logSoftmax(-1), pooled.reshape([-1, 9]).clamp(-1, 2), mixed.max(-1)[0].sub(mixed.min(-1)[0]).sqrt()];
  }
}

describe("exportOnnx: traced movement, indexing, joins, reductions and constants", () => {
  it("matches onnxruntime with dynamic batch and sequence", async () => {
    manualSeed(15);
    const model = new Shuffle();
    const axes = { 0: "batch", 1: "seq" };
    await roundTrip(model, [randn([2, 5, 4])], [[randn([3, 7, 4])], [randn([1, 3, 4])]], {
      inputs: ["x"],
      outputs: ["joined", "pooled", "range"],
      dynamicAxes: { x: axes, joined: { 0: "batch" }, pooled: { 0: "batch" }, range: axes },
    });
  });

  it("token ids through an embedding-free path: integer inputs compared and cast inside the graph", async () => {
    class Count extends Module {
      w = new Linear(1, 2);
      forward(ids: Tensor): Tensor {
        const nonzero = ids.ne(0).to("float32").unsqueeze(-1); // (B, T, 1)
        return this.w.forward(nonzero).sum(1);
      }
    }
    const model = new Count();
    await roundTrip(model, [randint(0, 3, [2, 5])], [[randint(0, 3, [4, 9])]], { inputs: ["ids"], outputs: ["y"], dynamicAxes: { ids: { 0: "b", 1: "t" }, y: { 0: "b" } } });
  });

  it("names an op without a mapping, a mean over a dynamic axis, and a slice counted neither from the start nor the end", () => {
    const lin = new Linear(2, 2);
    class Uses extends Module {
      constructor(readonly f: (t: Tensor) => Tensor) {
        super();
      }
      forward(t: Tensor): Tensor {
        return this.f(lin.forward(t));
      }
    }
    const x = randn([4, 2]);
    expect(() => exportOnnx(new Uses((t) => t.cumsum(0)), x)).toThrow(/exportOnnx: op 'cumsum' \(shape \[4, 2\] → \[4, 2\]\) has no ONNX mapping; traced ops that export: .*softmax/);
    expect(() => exportOnnx(new Uses((t) => t.mean(0)), x, { dynamicAxes: { input_0: [0] } })).toThrow(/input 1 of 'div' is a tensor made inside forward .* its values change when the dynamic axes grow/);
    expect(() => exportOnnx(new Uses((t) => t.narrow(0, 0, t.shape[0]! >> 1)), x, { dynamicAxes: { input_0: [0] } })).toThrow(/slice 0\.\.2 of a dim of size 4 \(0\.\.3 of 7 when the dynamic axes grow\) is neither fixed nor counted from the end/);
  });
});
