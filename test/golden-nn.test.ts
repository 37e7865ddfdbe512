import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type DType, type Tensor } from "@tapegrad/autograd";
import {
  GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss,
  packPaddedSequence, padPackedSequence, type Module, type Reduction,
} from "@tapegrad/nn";
import { expectClose, fixturesOfKind, toTensor, type Fixture, type FixtureTensor } from "./helpers/fixtures";

// The shared PyTorch fixtures, plus the ones test/fixtures/torch-nn/gen_nn_fixtures.py writes
// for what those do not cover (projSize, lengths with more layers, loss options, N-d inputs).
const extraDir = fileURLToPath(new URL("./fixtures/torch-nn/", import.meta.url));
const extra: Fixture[] = readdirSync(extraDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(extraDir + f, "utf8")) as Fixture);
const fixtures = [...fixturesOfKind("module"), ...fixturesOfKind("cell"), ...fixturesOfKind("loss"), ...extra];

const PRECISION: Record<"float64" | "float32", { rtol: number; atol: number }> = {
  float64: { rtol: 1e-9, atol: 1e-10 },
  float32: { rtol: 1e-4, atol: 1e-5 },
};

type Inputs = Record<string, Tensor>;

function tensors(group: Fixture["inputs"] | Fixture["params"], dtype: DType, requiresGrad: boolean): Inputs {
  return Object.fromEntries(Object.entries(group).map(([k, v]) => [k, toTensor(v as FixtureTensor, dtype, requiresGrad)]));
}

function buildModule(f: Fixture, dtype: DType): Module {
  const c = f.config as Record<string, never>;
  const cell = { inputSize: c.input_size, hiddenSize: c.hidden_size, bias: c.bias, dtype };
  const layer = { ...cell, numLayers: c.num_layers, batchFirst: c.batch_first, dropout: c.dropout, bidirectional: c.bidirectional };
  switch (f.module) {
    case "RNN": return new RNN({ ...layer, nonlinearity: c.nonlinearity });
    case "LSTM": return new LSTM({ ...layer, projSize: c.proj_size ?? 0 });
    case "GRU": return new GRU(layer);
    case "RNNCell": return new RNNCell({ ...cell, nonlinearity: c.nonlinearity });
    case "LSTMCell": return new LSTMCell(cell);
    case "GRUCell": return new GRUCell(cell);
  }
  throw new Error(`no module for ${f.module}`);
}

/**
 * Runs the case; returns the named outputs (whose gradients the fixture's loss weights). A
 * variable-length case runs with `lengths`, or (packed) through packPaddedSequence and
 * padPackedSequence exactly as the fixture's PyTorch code did.
 */
function run(f: Fixture, dtype: DType, model: Module | null, x: Inputs, packed = false): Record<string, Tensor> {
  const c = f.config as Record<string, never>;
  const p = (f.packing ?? {}) as { batch_first?: boolean; enforce_sorted?: boolean; total_length?: number };
  const recurrent = <S>(forward: (input: never, opts: object) => [unknown, S]): [Tensor, S] => {
    if (!packed) {
      const [output, state] = forward(x.x! as never, { lengths: x.lengths });
      return [output as Tensor, state];
    }
    const input = packPaddedSequence(x.x!, x.lengths!, { batchFirst: p.batch_first, enforceSorted: p.enforce_sorted });
    const [output, state] = forward(input as never, {});
    return [padPackedSequence(output as never, { batchFirst: p.batch_first, totalLength: p.total_length })[0], state];
  };
  switch (f.module) {
    case "RNN":
    case "GRU": {
      const [output, h_n] = recurrent((input, opts) => (model as RNN).forward(input, x.h0, opts));
      return { output, h_n };
    }
    case "LSTM": {
      const state = x.h0 ? ([x.h0, x.c0!] as [Tensor, Tensor]) : undefined;
      const [output, [h_n, c_n]] = recurrent((input, opts) => (model as LSTM).forward(input, state, opts));
      return { output, h_n, c_n };
    }
    case "RNNCell":
    case "GRUCell":
      return { h_1: (model as RNNCell).forward(x.x!, x.hx) };
    case "LSTMCell": {
      const [h_1, c_1] = (model as LSTMCell).forward(x.x!, x.hx ? [x.hx, x.cx!] : undefined);
      return { h_1, c_1 };
    }
  }
  const reduction = (c.reduction ?? "mean") as Reduction;
  const opts = { reduction, weight: x.weight, ignoreIndex: c.ignore_index, labelSmoothing: c.label_smoothing };
  const expr = String(c.expr);
  switch (f.module) {
    case "cross_entropy":
      return { loss: crossEntropy(x.input!, x.target!, opts) };
    case "nll_loss": {
      const logProbs = expr.includes("log_softmax(input, dim=-1)") ? x.input!.logSoftmax(-1) : expr.includes("log_softmax(input, dim=1)") ? x.input!.logSoftmax(1) : x.input!;
      return { loss: nllLoss(logProbs, x.target!, opts) };
    }
    case "mse_loss":
      return { loss: mseLoss(x.input!, x.target!, { reduction }) };
    case "binary_cross_entropy_with_logits":
      return { loss: binaryCrossEntropyWithLogits(x.input!, x.target!, { reduction, weight: x.weight, posWeight: x.pos_weight }) };
  }
  throw new Error(`no runner for ${f.module} (${dtype})`);
}

describe.each(["float64", "float32"] as const)("PyTorch golden data for nn (%s)", (dtype) => {
  const { rtol, atol } = PRECISION[dtype];
  const cases = [
    ...fixtures.map((f) => [f.name, f, false] as const),
    ...fixtures.filter((f) => f.packing).map((f) => [`${f.name} (PackedSequence)`, f, true] as const),
  ];
  it.each(cases)("%s", (_name, f, packed) => {
    const model = f.kind === "loss" ? null : buildModule(f, dtype);
    model?.loadStateDict(tensors(f.params, dtype, false));
    const gradNames = new Set(Object.keys(f.grads ?? {}));
    const x = Object.fromEntries(
      Object.entries(f.inputs).map(([k, v]) => [k, toTensor(v as FixtureTensor, dtype, gradNames.has(k))]),
    ) as Inputs;
    const outputs = run(f, dtype, model, x, packed);

    let objective: Tensor | null = null;
    for (const [name, expected] of Object.entries(f.outputs)) {
      const out = outputs[name];
      expectClose(out, expected as FixtureTensor, `${f.name} output ${name}`, rtol, atol);
      const term = out!.mul(toTensor(f.loss![`g_${name}`] as FixtureTensor, dtype)).sum();
      objective = objective ? objective.add(term) : term;
    }
    objective!.backward();

    const params = new Map(model?.namedParameters() ?? []);
    expect([...params.keys()].filter((k) => !gradNames.has(k))).toEqual([]);
    for (const [name, expected] of Object.entries(f.grads ?? {})) {
      const leaf = params.get(name) ?? x[name];
      expectClose(leaf?.grad, expected, `${f.name} gradient of ${name}`, rtol, atol);
    }
  });
});
