import { describe, expect, it } from "vitest";
import { grad, type Tensor } from "@tapegrad/autograd";
import { LSTM, Recurrent } from "@tapegrad/nn";
import { KINDS, expectAllClose, makeLayer, randn64, stateTensors, type Kind } from "./helpers";

/** Output, final state and every gradient (x, initial state, parameters) of one training pass. */
function pass(kind: Kind, checkpointEvery: number, T: number, opts: { lengths?: number[]; batch?: number } = {}) {
  const B = opts.batch ?? 3;
  const layer = makeLayer(kind, { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, dropout: 0.3, inputDropout: 0.1, recurrentDropout: 0.2, checkpointEvery }, 7);
  const x = randn64([T, B, 3], 1, true);
  const h0 = stateTensors(kind === "LSTM" ? [randn64([4, B, 4], 2, true), randn64([4, B, 4], 3, true)] : randn64([4, B, 4], 2, true));
  const [out, final] = layer.forward(x, kind === "LSTM" ? h0 : h0[0], { lengths: opts.lengths });
  const finals = stateTensors(final as Tensor | Tensor[]);
  const loss = out.pow(2).sum().add(finals.reduce((acc, f, i) => acc.add(f.mul(i + 1).sum()), out.sum().mul(0)));
  const grads = grad(loss, [x, ...h0, ...layer.parameters()]);
  return { out, finals, grads, layer };
}

describe("Recurrent checkpointEvery", () => {
  for (const kind of KINDS) {
    it(`${kind}: 2 layers, both directions, lengths and the three dropouts: the same outputs and gradients as the plain run`, () => {
      const plain = pass(kind, 0, 7, { lengths: [7, 4, 6] });
      for (const k of [1, 3, 7, 10]) {
        const checked = pass(kind, k, 7, { lengths: [7, 4, 6] });
        expect(Array.from(checked.out.data())).toEqual(Array.from(plain.out.data()));
        checked.finals.forEach((f, i) => expect(Array.from(f.data())).toEqual(Array.from(plain.finals[i]!.data())));
        expect(checked.grads.length).toBe(plain.grads.length);
        // the weights' gradients are summed per segment first, so they agree to rounding, not bit for bit
        checked.grads.forEach((g, i) => expectAllClose(g, plain.grads[i]!, 1e-13));
      }
    });
  }

  it("records one checkpoint node per segment instead of every step's ops", () => {
    const { out } = pass("LSTM", 4, 10);
    const names = new Set<string>();
    const seen = new Set<unknown>();
    const walk = (node: typeof out.gradFn) => {
      if (!node || seen.has(node)) return;
      seen.add(node);
      names.add(node.name);
      node.edges.forEach((e) => walk(e?.node ?? null));
    };
    walk(out.gradFn);
    expect(names.has("checkpoint")).toBe(true);
    expect(names.has("fusedLstmCell")).toBe(false);
    expect([...seen].filter((n) => (n as { name: string }).name === "checkpoint").length).toBe(2 * 2 * 3); // layers × directions × ceil(10 / 4)
  });

  it("BPTT over 10,000 steps, checkpointed every 100, matches the plain run", () => {
    const run = (checkpointEvery: number) => {
      const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64", checkpointEvery });
      lstm.loadStateDict(reference.stateDict());
      const x = randn64([10_000, 1, 2], 4, true);
      const [out] = lstm.forward(x);
      return grad(out.select(0, -1).sum().add(out.mean()), [x, ...lstm.parameters()]);
    };
    const reference = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    const plain = run(0);
    const checked = run(100);
    checked.forEach((g, i) => expectAllClose(g, plain[i]!, 1e-12));
    expect(plain[0]!.select(0, 0).abs().sum().item()).toBeGreaterThan(0);
  });

  it("rejects a checkpointEvery that is not a non-negative integer", () => {
    expect(() => makeLayer("GRU", { inputSize: 3, hiddenSize: 4, checkpointEvery: 2.5 })).toThrow(/GRU: checkpointEvery must be a non-negative integer \(0: off\), got 2.5/);
    expect(() => new Recurrent(() => { throw new Error("unreachable"); }, { inputSize: 3, checkpointEvery: -1 })).toThrow(/Recurrent: checkpointEvery must be a non-negative integer/);
  });
});
