import fc from "fast-check";
import { Generator, rand, randint, randn, type Tensor } from "@tapegrad/autograd";
import * as nn from "@tapegrad/nn";
import type { Module } from "@tapegrad/nn";

/** Which test family a spec belongs to: one layout property runs per family. */
export type Family = "loss" | "linear" | "conv" | "pool" | "norm" | "embedding" | "recurrent" | "attention" | "dropout";

/**
 * One loss or layer under test. `inputs` are contiguous tensors drawn for sizes `s`; the float64
 * ones are differentiable unless listed in `constant`. `run` applies the loss or the module (made
 * fresh by `module`). `secondOrder` is true when its gradient is itself differentiable (checked
 * by gradgradcheck), else why not.
 */
export interface NnSpec<S = any> {
  family: Family;
  sizes: fc.Arbitrary<S>;
  /** The sizes of the second-order check (few elements: gradgradcheck is quadratic in them). */
  small: S;
  module?: (s: S) => Module;
  inputs: (s: S, gen: Generator) => Tensor[];
  constant?: number[];
  run: (m: Module | undefined, inputs: Tensor[], s: S) => Tensor;
  secondOrder: true | string;
}

const dtype = "float64" as const;
const f64 = (shape: number[], gen: Generator) => randn(shape, { dtype, generator: gen });
/** Values in [0.1, 0.9]: probabilities away from the clamp at 0 and 1. */
const prob = (shape: number[], gen: Generator) => rand(shape, { dtype, generator: gen }).mul(0.8).add(0.1);
/** ±1 labels as float64. */
const signs = (shape: number[], gen: Generator) => rand(shape, { dtype, generator: gen }).gt(0.5).to(dtype).mul(2).sub(1);
const classes = (n: number, shape: number[], gen: Generator) => randint(0, n, shape, { generator: gen });
const dim = (min: number, max: number) => fc.integer({ min, max });
const reduction = fc.constantFrom("mean" as const, "sum" as const, "none" as const);
const nc = fc.record({ n: dim(1, 3), c: dim(1, 4), reduction });
type NC = { n: number; c: number; reduction: "mean" | "sum" | "none" };
const ncSmall: NC = { n: 2, c: 3, reduction: "mean" };
const opts = <S extends { reduction: string }>(s: S) => ({ reduction: s.reduction as "mean" | "sum" | "none" });

/** A loss of (input, target) of the same (N, C) shape, differentiable in both. */
function pairLoss(fn: (a: Tensor, b: Tensor, s: NC) => Tensor, target: (shape: number[], gen: Generator) => Tensor, input = f64): NnSpec<NC> {
  return {
    family: "loss",
    sizes: nc,
    small: ncSmall,
    inputs: (s, gen) => [input([s.n, s.c], gen), target([s.n, s.c], gen)],
    run: (_, [a, b], s) => fn(a!, b!, s),
    secondOrder: true,
  };
}

/** Every loss of nn. */
export const LOSS_SPECS: Record<string, NnSpec> = {
  crossEntropy: {
    family: "loss",
    sizes: fc.record({ n: dim(1, 3), c: dim(2, 4), l: dim(1, 3), reduction, smoothing: fc.constantFrom(0, 0.2) }),
    small: { n: 2, c: 3, l: 1, reduction: "mean", smoothing: 0.1 },
    inputs: ({ n, c, l }, gen) => [f64([n, c, l], gen), classes(c, [n, l], gen), prob([c], gen)],
    constant: [2],
    run: (_, [x, t, w], s) => nn.crossEntropy(x!, t!, { weight: w, labelSmoothing: s.smoothing, ...opts(s) }),
    secondOrder: true,
  },
  nllLoss: {
    family: "loss",
    sizes: fc.record({ n: dim(1, 3), c: dim(2, 4), reduction }),
    small: { n: 2, c: 3, reduction: "mean" },
    inputs: ({ n, c }, gen) => [f64([n, c], gen), classes(c, [n], gen)],
    run: (_, [x, t], s) => nn.nllLoss(x!.logSoftmax(1), t!, opts(s)),
    secondOrder: true,
  },
  mseLoss: pairLoss((a, b, s) => nn.mseLoss(a, b, opts(s)), f64),
  binaryCrossEntropyWithLogits: pairLoss((a, b, s) => nn.binaryCrossEntropyWithLogits(a, b, opts(s)), prob),
  binaryCrossEntropy: pairLoss((a, b, s) => nn.binaryCrossEntropy(a, b, opts(s)), prob, prob),
  l1Loss: pairLoss((a, b, s) => nn.l1Loss(a, b, opts(s)), f64),
  smoothL1Loss: pairLoss((a, b, s) => nn.smoothL1Loss(a, b, { beta: 0.7, ...opts(s) }), f64),
  huberLoss: pairLoss((a, b, s) => nn.huberLoss(a, b, { delta: 0.6, ...opts(s) }), f64),
  klDiv: pairLoss((a, b, s) => nn.klDiv(a.logSoftmax(1), b, { reduction: s.reduction === "mean" ? "batchmean" : s.reduction }), prob),
  gaussianNllLoss: {
    family: "loss",
    sizes: nc,
    small: ncSmall,
    inputs: ({ n, c }, gen) => [f64([n, c], gen), f64([n, c], gen), f64([n, c], gen)],
    run: (_, [x, y, v], s) => nn.gaussianNllLoss(x!, y!, v!.exp(), { full: true, ...opts(s) }),
    secondOrder: true,
  },
  poissonNllLoss: pairLoss((a, b, s) => nn.poissonNllLoss(a, b.mul(3), opts(s)), prob),
  cosineEmbeddingLoss: {
    family: "loss",
    sizes: nc,
    small: ncSmall,
    inputs: ({ n, c }, gen) => [f64([n, c], gen), f64([n, c], gen), signs([n], gen)],
    constant: [2],
    run: (_, [a, b, y], s) => nn.cosineEmbeddingLoss(a!, b!, y!, { margin: -0.3, ...opts(s) }),
    secondOrder: true,
  },
  marginRankingLoss: {
    family: "loss",
    sizes: nc,
    small: ncSmall,
    inputs: ({ n, c }, gen) => [f64([n, c], gen), f64([n, c], gen), signs([n, c], gen)],
    constant: [2],
    run: (_, [a, b, y], s) => nn.marginRankingLoss(a!, b!, y!, { margin: 0.2, ...opts(s) }),
    secondOrder: true,
  },
  hingeEmbeddingLoss: {
    family: "loss",
    sizes: nc,
    small: ncSmall,
    inputs: ({ n, c }, gen) => [f64([n, c], gen), signs([n, c], gen)],
    constant: [1],
    run: (_, [x, y], s) => nn.hingeEmbeddingLoss(x!, y!, { margin: 1.5, ...opts(s) }),
    secondOrder: true,
  },
  tripletMarginLoss: {
    family: "loss",
    sizes: fc.record({ n: dim(1, 3), c: dim(1, 4), reduction, p: fc.constantFrom(1, 2, 3), swap: fc.boolean() }),
    small: { n: 2, c: 3, reduction: "mean", p: 2, swap: true },
    inputs: ({ n, c }, gen) => [f64([n, c], gen), f64([n, c], gen), f64([n, c], gen)],
    run: (_, [a, p, q], s) => nn.tripletMarginLoss(a!, p!, q!, { margin: 2, p: s.p, swap: s.swap, ...opts(s) }),
    secondOrder: true,
  },
  multiLabelSoftMarginLoss: pairLoss((a, b, s) => nn.multiLabelSoftMarginLoss(a, b, opts(s)), prob),
  ctcLoss: {
    family: "loss",
    sizes: fc.record({ t: dim(4, 6), n: dim(1, 3), c: dim(3, 4), reduction }),
    small: { t: 4, n: 1, c: 3, reduction: "mean" },
    inputs: ({ t, n, c }, gen) => [f64([t, n, c], gen), randint(1, c, [n, 2], { generator: gen })],
    run: (_, [x, targets], s) => nn.ctcLoss(x!.logSoftmax(2), targets!, Array(s.n).fill(s.t), Array(s.n).fill(2), { zeroInfinity: true, ...opts(s) }),
    secondOrder: "its backward is one op without a differentiable backward, as in PyTorch (derivative for aten::_ctc_loss_backward is not implemented)",
  },
};

type Layer = { n: number; c: number; l: number };
const layerSizes = fc.record({ n: dim(1, 3), c: dim(1, 3), l: dim(4, 6) });
const layerSmall: Layer = { n: 1, c: 2, l: 4 };
/** A layer of one (N, C, ...) input. */
function oneInput(family: Family, make: (s: Layer) => Module, shape: (s: Layer) => number[]): NnSpec<Layer> {
  return {
    family,
    sizes: layerSizes,
    small: layerSmall,
    module: make,
    inputs: (s, gen) => [f64(shape(s), gen)],
    run: (m, [x]) => (m as unknown as { forward(x: Tensor): Tensor }).forward(x!),
    secondOrder: true,
  };
}

/** A dropout layer in training mode, made afresh with a fresh generator at every call: the same mask each time (gradcheck calls the function many times). */
function dropoutSpec(make: () => { forward(x: Tensor): Tensor }): NnSpec<Layer> {
  return {
    family: "dropout",
    sizes: layerSizes,
    small: layerSmall,
    inputs: ({ n, c, l }, gen) => [f64([n, c, l], gen)],
    run: (_, [x]) => make().forward(x!),
    secondOrder: true,
  };
}

type Seq = { t: number; n: number; f: number; h: number; bidirectional: boolean };
const seqSizes = fc.record({ t: dim(1, 3), n: dim(1, 2), f: dim(1, 3), h: dim(1, 3), bidirectional: fc.boolean() });
const seqSmall: Seq = { t: 2, n: 1, f: 2, h: 2, bidirectional: false };

const g = () => new Generator(11);
/** An RNN, LSTM or GRU over (T, N, F) with an initial state, all of it differentiable. */
const recurrent = (kind: "RNN" | "LSTM" | "GRU"): NnSpec<Seq> => ({
  family: "recurrent",
  sizes: seqSizes,
  small: seqSmall,
  module: ({ f, h, bidirectional }) => new nn[kind]({ inputSize: f, hiddenSize: h, numLayers: 2, bidirectional, dtype, generator: g() }),
  inputs: ({ t, n, f, h, bidirectional }, gen) => {
    const state = () => f64([(bidirectional ? 2 : 1) * 2, n, h], gen);
    return kind === "LSTM" ? [f64([t, n, f], gen), state(), state()] : [f64([t, n, f], gen), state()];
  },
  run: (m, [x, h0, c0]) => {
    const [out, hN] = (m as InstanceType<typeof nn.LSTM>).forward(x!, (kind === "LSTM" ? [h0!, c0!] : h0!) as [Tensor, Tensor]);
    const last = Array.isArray(hN) ? hN : [hN];
    return [out, ...last]
      .map((t) => t.sum())
      .reduce((a, b) => a.add(b))
      .add(out.mul(out).sum());
  },
  secondOrder: true,
});
const cell = (kind: "RNNCell" | "LSTMCell" | "GRUCell"): NnSpec<Seq> => ({
  family: "recurrent",
  sizes: seqSizes,
  small: seqSmall,
  module: ({ f, h }) => new nn[kind]({ inputSize: f, hiddenSize: h, dtype, generator: g() }),
  inputs: ({ n, f, h }, gen) => (kind === "LSTMCell" ? [f64([n, f], gen), f64([n, h], gen), f64([n, h], gen)] : [f64([n, f], gen), f64([n, h], gen)]),
  run: (m, [x, h, c]) => {
    const out = (m as InstanceType<typeof nn.LSTMCell>).forward(x!, (kind === "LSTMCell" ? [h!, c!] : h!) as [Tensor, Tensor]);
    return Array.isArray(out) ? out[0].add(out[1].mul(2)) : (out as Tensor);
  },
  secondOrder: true,
});
/** Every layer of nn with parameters or an op of its own (the activation modules are autograd's ops, checked there). */
export const LAYER_SPECS: Record<string, NnSpec> = {
  Linear: oneInput("linear", ({ c }) => new nn.Linear(c, 3, { dtype, generator: g() }), ({ n, c, l }) => [n, l, c]),
  weightNorm: oneInput("linear", ({ c }) => nn.weightNorm(new nn.Linear(c, 3, { dtype, generator: g() }), "weight", 0), ({ n, c, l }) => [n, l, c]),
  spectralNorm: oneInput("linear", ({ c }) => nn.spectralNorm(new nn.Linear(c, 3, { dtype, generator: g() }), "weight", 1, 1e-12, 0, { generator: g() }).eval(), ({ n, c, l }) => [n, l, c]),
  Dropout: dropoutSpec(() => new nn.Dropout(0.3, { generator: new Generator(3) })),
  Dropout1d: dropoutSpec(() => new nn.Dropout1d(0.3, { generator: new Generator(3) })),
  AlphaDropout: dropoutSpec(() => new nn.AlphaDropout(0.3, { generator: new Generator(3) })),
  Conv1d: oneInput(
    "conv",
    ({ c }) => new nn.Conv1d(c, 2, 3, { stride: 2, padding: 1, dilation: 1, dtype, generator: g() }),
    ({ n, c, l }) => [n, c, l]
  ),
  Conv1dGroups: oneInput(
    "conv",
    ({ c }) => new nn.Conv1d(2 * c, 2 * c, 2, { groups: c, padding: "same", paddingMode: "reflect", dtype, generator: g() }),
    ({ n, c, l }) => [n, 2 * c, l]
  ),
  Conv2d: oneInput(
    "conv",
    ({ c }) => new nn.Conv2d(c, 2, [2, 3], { stride: [1, 2], padding: 1, dtype, generator: g() }),
    ({ n, c, l }) => [n, c, l - 1, l]
  ),
  MaxPool1d: oneInput(
    "pool",
    () => new nn.MaxPool1d(2, { stride: 1, ceilMode: true }),
    ({ n, c, l }) => [n, c, l]
  ),
  MaxPool2d: oneInput(
    "pool",
    () => new nn.MaxPool2d(2, { padding: 1 }),
    ({ n, c, l }) => [n, c, l, l - 1]
  ),
  AvgPool1d: oneInput(
    "pool",
    () => new nn.AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }),
    ({ n, c, l }) => [n, c, l]
  ),
  AvgPool2d: oneInput(
    "pool",
    () => new nn.AvgPool2d(2, { ceilMode: true }),
    ({ n, c, l }) => [n, c, l, l - 1]
  ),
  AdaptiveAvgPool1d: oneInput(
    "pool",
    () => new nn.AdaptiveAvgPool1d(3),
    ({ n, c, l }) => [n, c, l]
  ),
  AdaptiveAvgPool2d: oneInput(
    "pool",
    () => new nn.AdaptiveAvgPool2d([2, 3]),
    ({ n, c, l }) => [n, c, l, l - 1]
  ),
  BatchNorm1d: oneInput(
    "norm",
    ({ c }) => new nn.BatchNorm1d(c, { dtype }),
    ({ c, l }) => [2, c, l]
  ),
  GroupNorm: oneInput(
    "norm",
    ({ c }) => new nn.GroupNorm(c, 2 * c, { dtype }),
    ({ n, c, l }) => [n, 2 * c, l]
  ),
  LayerNorm: oneInput(
    "norm",
    ({ c }) => new nn.LayerNorm([c, 3], { dtype }),
    ({ n, c, l }) => [n, l, c, 3]
  ),
  RMSNorm: oneInput(
    "norm",
    ({ c }) => new nn.RMSNorm(c, { dtype }),
    ({ n, c, l }) => [n, l, c]
  ),
  Embedding: {
    family: "embedding",
    sizes: layerSizes,
    small: layerSmall,
    module: ({ c }) => new nn.Embedding(5, c, { paddingIdx: 1, dtype, generator: g() }),
    inputs: ({ n, l }, gen) => [randint(0, 5, [n, l], { generator: gen })],
    run: (m, [ids]) => (m as InstanceType<typeof nn.Embedding>).forward(ids!),
    secondOrder: true,
  },
  RNN: recurrent("RNN"),
  LSTM: recurrent("LSTM"),
  GRU: recurrent("GRU"),
  RNNCell: cell("RNNCell"),
  LSTMCell: cell("LSTMCell"),
  GRUCell: cell("GRUCell"),
  MultiheadAttention: {
    family: "attention",
    sizes: fc.record({ l: dim(1, 3), s: dim(1, 3), n: dim(1, 2), batchFirst: fc.boolean() }),
    small: { l: 2, s: 2, n: 1, batchFirst: false },
    module: ({ batchFirst }) => new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 2, batchFirst, dtype, generator: g() }),
    inputs: ({ l, s, n, batchFirst }, gen) => {
      const seq = (len: number, e: number) => (batchFirst ? [n, len, e] : [len, n, e]);
      return [f64(seq(l, 4), gen), f64(seq(s, 3), gen), f64(seq(s, 2), gen), f64([l, s], gen)];
    },
    constant: [3],
    run: (m, [q, k, v, mask]) => {
      const [out, weights] = (m as InstanceType<typeof nn.MultiheadAttention>).forward(q!, k!, v!, { attnMask: mask, averageAttnWeights: false });
      return out.sum().add(weights!.mul(weights!).sum());
    },
    secondOrder: true,
  },
  TransformerEncoderLayer: {
    family: "attention",
    sizes: fc.record({ l: dim(1, 3), n: dim(1, 2), normFirst: fc.boolean() }),
    small: { l: 2, n: 1, normFirst: true },
    module: ({ normFirst }) => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, activation: "gelu", normFirst, dtype, generator: g() }),
    inputs: ({ l, n }, gen) => [f64([l, n, 4], gen)],
    run: (m, [x]) => (m as InstanceType<typeof nn.TransformerEncoderLayer>).forward(x!, { isCausal: true }),
    secondOrder: true,
  },
};
