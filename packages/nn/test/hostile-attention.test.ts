import { describe, expect, it } from "vitest";
import { Generator, ones, randn, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import { MultiheadAttention, TransformerEncoderLayer, paddingMask, scaledDotProductAttention } from "@tapegrad/nn";

const never = (v: unknown) => v as never;
const seq = () => randn([3, 2, 4], { generator: new Generator(0) });

// PyTorch 1.13: nn.MultiheadAttention(4, 3) "embed_dim must be divisible by num_heads"; a
// key_padding_mask that masks every key gives NaN rows, refused here (README, Differences from
// PyTorch); a key of length 0 gives the output bias, refused here for the same reason.
describe("MultiheadAttention and TransformerEncoderLayer options", () => {
  it.each<[string, () => unknown, string]>([
    ["a string embedDim", () => new MultiheadAttention(never("4"), 2), 'MultiheadAttention: embedDim must be a positive integer, got "4"'],
    ["numHeads 0", () => new MultiheadAttention(4, 0), "MultiheadAttention: numHeads must be a positive integer, got 0"],
    ["a kdim of NaN", () => new MultiheadAttention(4, 2, { kdim: NaN }), "MultiheadAttention: kdim must be a positive integer, got NaN"],
    ["a string dropout", () => new MultiheadAttention(4, 2, { dropout: never("0.1") }), 'MultiheadAttention: dropout must be a number in [0, 1], got "0.1"'],
    ["a string bias", () => new MultiheadAttention(4, 2, { bias: never("no") }), 'MultiheadAttention: bias must be true or false, got "no"'],
    ["a numeric batchFirst", () => new MultiheadAttention(4, 2, { batchFirst: never(1) }), "MultiheadAttention: batchFirst must be true or false, got 1"],
    ["an int32 dtype", () => new MultiheadAttention(4, 2, { dtype: never("int32") }), 'MultiheadAttention: dtype must be "float32" or "float64", got "int32"'],
    ["a negative layerNormEps", () => new TransformerEncoderLayer(4, 2, { layerNormEps: -1 }), "LayerNorm: eps must be a finite number >= 0, got -1"],
    ["a string layerNormEps", () => new TransformerEncoderLayer(4, 2, { layerNormEps: never("1e-5") }), 'LayerNorm: eps must be a finite number >= 0, got "1e-5"'],
    ["a string normFirst", () => new TransformerEncoderLayer(4, 2, { normFirst: never("x") }), 'TransformerEncoderLayer: normFirst must be true or false, got "x"'],
    ["dimFeedforward 0", () => new TransformerEncoderLayer(4, 2, { dimFeedforward: 0 }), "Linear: outFeatures must be a positive integer, got 0"],
  ])("%s", (_name, make, message) => expect(make).toThrow(message));
});

describe("MultiheadAttention.forward and TransformerEncoderLayer.forward arguments", () => {
  const mha = () => new MultiheadAttention(4, 2, { generator: new Generator(1) });
  const layer = (activation?: (x: Tensor) => Tensor) => new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, generator: new Generator(2), activation });
  const inf = tensor([Infinity, 0, 0, 0, 0, 0, 0, 0, 0], { shape: [3, 3] });
  it.each<[string, (x: Tensor) => unknown, string]>([
    ["a query that is an array", (x) => mha().forward(never([[1]]), x, x), "MultiheadAttention: query must be a Tensor, got [[1]]"],
    ["an undefined key", (x) => mha().forward(x, never(undefined), x), "MultiheadAttention: key must be a Tensor, got undefined"],
    ["keys of length 0", (x) => mha().forward(x, zeros([0, 2, 4]), zeros([0, 2, 4])), "MultiheadAttention: key and value have no positions (S = 0, shapes [0, 2, 4] and [0, 2, 4]); each query needs at least one key"],
    ["a keyPaddingMask that is an array", (x) => mha().forward(x, x, x, { keyPaddingMask: never([[0, 0, 0], [0, 0, 0]]) }), "MultiheadAttention: keyPaddingMask must be a Tensor, got [[0, 0, 0], [0, 0, 0]]"],
    ["a float keyPaddingMask holding NaN", (x) => mha().forward(x, x, x, { keyPaddingMask: tensor([[NaN, 0, 0], [0, 0, 0]]) }), "MultiheadAttention: a float keyPaddingMask is added to the scores and must hold finite numbers or -Infinity, got NaN at flat index 0 (shape [2, 3])"],
    ["a float attnMask holding +Infinity", (x) => mha().forward(x, x, x, { attnMask: inf }), "MultiheadAttention: a float attnMask is added to the scores and must hold finite numbers or -Infinity, got Infinity at flat index 0 (shape [3, 3])"],
    ["an attnMask masking every key", (x) => mha().forward(x, x, x, { attnMask: ones([3, 3], { dtype: "int32" }) }), "MultiheadAttention: every key is masked for query 0 of batch·head 0; each query needs at least one key"],
    ["a string isCausal", (x) => mha().forward(x, x, x, { isCausal: never("yes") }), 'MultiheadAttention: isCausal must be true or false, got "yes"'],
    ["a numeric needWeights", (x) => mha().forward(x, x, x, { needWeights: never(0) }), "MultiheadAttention: needWeights must be true or false, got 0"],
    ["options that are null", (x) => mha().forward(x, x, x, never(null)), "MultiheadAttention.forward: options must be an object, got null"],
    ["a src that is an array", () => layer().forward(never([1])), "TransformerEncoderLayer: src must be a Tensor, got [1]"],
    ["an activation returning a number", (x) => layer(never(() => 3)).forward(x), "TransformerEncoderLayer: activation returned 3; expected a float32 tensor of its input's shape [3, 2, 8]"],
    ["an activation changing the shape", (x) => layer((h) => h.sum(-1)).forward(x), "TransformerEncoderLayer: activation returned a float32 tensor of shape [3, 2]; expected a float32 tensor of its input's shape [3, 2, 8]"],
  ])("%s", (_name, fn, message) => {
    const x = seq();
    expect(() => fn(x)).toThrow(message);
    expect(x.version).toBe(0);
  });

  it("an isCausal given as false, and float masks of finite values and -Infinity, are accepted", () => {
    const x = seq();
    const mask = tensor([0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0], { shape: [3, 3] });
    const [masked] = mha().forward(x, x, x, { attnMask: mask });
    const [causal] = mha().forward(x, x, x, { isCausal: true, needWeights: false });
    expect(Array.from(masked.data())).toEqual(Array.from(causal.data()));
    expect(mha().forward(x, x, x, { isCausal: false })[0].shape).toEqual([3, 2, 4]);
  });
});

// PyTorch 1.13: scaled_dot_product_attention with d = 0 scales by 1/√0 and gives NaN.
describe("scaledDotProductAttention and paddingMask arguments", () => {
  it.each<[string, () => unknown, string]>([
    ["a query that is an array", () => scaledDotProductAttention(never([1]), seq(), seq()), "scaledDotProductAttention: query must be a Tensor, got [1]"],
    ["a feature size of 0", () => scaledDotProductAttention(zeros([2, 0]), zeros([2, 0]), zeros([2, 3])), "scaledDotProductAttention: the feature size d of query [2,0] and key [2,0] must be at least 1"],
    ["keys of length 0", () => scaledDotProductAttention(zeros([2, 3]), zeros([0, 3]), zeros([0, 3])), "scaledDotProductAttention: keys [0,3] have no positions (Lk = 0); each query needs at least one key"],
    ["a mask that is an array", () => scaledDotProductAttention(seq(), seq(), seq(), { mask: never([1]) }), "scaledDotProductAttention: mask must be a Tensor, got [1]"],
    ["no lengths", () => paddingMask([]), "paddingMask: lengths must be a non-empty array of integers, got []"],
    ["a fractional maxLength", () => paddingMask([1], 2.5), "paddingMask: maxLength must be a positive integer, got 2.5"],
    ["a string length", () => paddingMask(never(["2"]), 3), 'paddingMask: every length must be an integer in [1, 3], got "2"'],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});
