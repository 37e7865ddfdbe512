import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cat, gradcheck, noGrad, stack, type Tensor } from "@tapegrad/autograd";
import { GRUCell, LSTM, LSTMCell, Module, Recurrent, RNN, detachState } from "@tapegrad/nn";
import { KINDS, expectAllClose, makeLayer, randn64, stateTensors, type Kind } from "./helpers";

describe("Recurrent: gradients through time", () => {
  // Every variant at once: 2 layers, both directions, batch-first, unsorted lengths, given states.
  it.each(KINDS)("%s passes gradcheck with numLayers 2, bidirectional, batchFirst and lengths", (kind) => {
    const layer = makeLayer(kind, { inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, batchFirst: true }, 7);
    const params = layer.parameters();
    const x = randn64([3, 4, 2], 11, true);
    const h0 = randn64([4, 3, 3], 12, true);
    const c0 = randn64([4, 3, 3], 13, true);
    const lengths = [2, 4, 1];
    const fn = (...inputs: Tensor[]) => {
      const [xs, h, c] = inputs as [Tensor, Tensor, Tensor];
      const [out, final] = layer.forward(xs, kind === "LSTM" ? [h, c] : h, { lengths });
      return [out, ...stateTensors(final as Tensor)];
    };
    const inputs = kind === "LSTM" ? [x, h0, c0] : [x, h0];
    const result = gradcheck((...t) => fn(...t.slice(0, inputs.length)), [...inputs, ...params]);
    expect(result.worst && result.ok ? null : result.worst).toBeNull();
    expect(result.ok).toBe(true);
  });

  it("LSTM with projSize passes gradcheck with 2 layers, bidirectional and lengths", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, projSize: 2, numLayers: 2, bidirectional: true, dtype: "float64" });
    const x = randn64([3, 2, 2], 3, true);
    const result = gradcheck((xs) => {
      const [out, [h, c]] = lstm.forward(xs!, undefined, { lengths: [3, 2] });
      return [out, h, c];
    }, [x, ...lstm.parameters()]);
    expect(result.ok).toBe(true);
  });

  it("padded positions get zero output and exactly zero gradient", () => {
    const lstm = makeLayer("LSTM", { inputSize: 2, hiddenSize: 3, bidirectional: true }, 4);
    const x = randn64([4, 2, 2], 5, true);
    const [out] = lstm.forward(x, undefined, { lengths: [4, 2] });
    out.mul(randn64(out.shape, 6)).sum().backward();
    for (const t of [2, 3]) {
      expect(Array.from(out.select(0, t).select(0, 1).data()).every((v) => v === 0)).toBe(true);
      expect(Array.from(x.grad!.select(0, t).select(0, 1).data()).every((v) => v === 0)).toBe(true);
    }
    expect(Array.from(x.grad!.select(0, 3).select(0, 0).data()).some((v) => v !== 0)).toBe(true);
  });
});

/** A bidirectional single layer's weights for one direction, as a unidirectional layer. */
function direction(kind: Kind, bi: Recurrent, reverse: boolean, opts: { inputSize: number; hiddenSize: number }): Recurrent {
  const one = makeLayer(kind, opts, 99);
  const suffix = reverse ? "_reverse" : "";
  one.loadStateDict(Object.fromEntries(Object.entries(one.stateDict()).map(([k]) => [k, bi.stateDict()[k.replace("_l0", `_l0${suffix}`)]!])));
  return one;
}

const config = fc.record({
  kind: fc.constantFrom<Kind>(...KINDS),
  T: fc.integer({ min: 1, max: 4 }),
  B: fc.integer({ min: 1, max: 3 }),
  inputSize: fc.integer({ min: 1, max: 3 }),
  hiddenSize: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

describe("Recurrent: properties", () => {
  it("a bidirectional layer equals a forward layer and a layer on the time-reversed sequence, concatenated", () => {
    fc.assert(
      fc.property(config, ({ kind, T, B, inputSize, hiddenSize, seed }) => {
        const sizes = { inputSize, hiddenSize };
        const bi = makeLayer(kind, { ...sizes, bidirectional: true }, seed);
        const x = randn64([T, B, inputSize], seed + 1);
        const [out, final] = bi.forward(x);
        const [outF, finalF] = direction(kind, bi, false, sizes).forward(x);
        const [outR, finalR] = direction(kind, bi, true, sizes).forward(x.flip(0));
        expectAllClose(out, cat([outF, outR.flip(0)], -1));
        stateTensors(final as Tensor).forEach((s, i) => {
          expectAllClose(s, cat([stateTensors(finalF as Tensor)[i]!, stateTensors(finalR as Tensor)[i]!], 0));
        });
      }),
      { numRuns: 25 },
    );
  });

  it("a batch with lengths equals running each sequence alone", () => {
    fc.assert(
      fc.property(config, fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }), ({ kind, T, B, inputSize, hiddenSize, seed }, lens) => {
        const lengths = lens.slice(0, B).map((n) => Math.min(n, T));
        const layer = makeLayer(kind, { inputSize, hiddenSize, numLayers: 2, bidirectional: true }, seed);
        const x = randn64([T, B, inputSize], seed + 1);
        const h0 = randn64([4, B, hiddenSize], seed + 2);
        const state = kind === "LSTM" ? [h0, h0.mul(0.5)] : h0;
        const [out, final] = layer.forward(x, state, { lengths });
        lengths.forEach((n, b) => {
          const own = (t: Tensor) => t.narrow(1, b, 1);
          const [alone, finalAlone] = layer.forward(x.narrow(0, 0, n).narrow(1, b, 1), Array.isArray(state) ? state.map(own) : own(state as Tensor));
          expectAllClose(own(out).narrow(0, 0, n), alone);
          if (n < T) expect(Array.from(own(out).narrow(0, n, T - n).data()).every((v) => v === 0)).toBe(true);
          stateTensors(final as Tensor).forEach((s, i) => expectAllClose(own(s), stateTensors(finalAlone as Tensor)[i]!));
        });
      }),
      { numRuns: 25 },
    );
  });

  it("batchFirst equals transposing the input and the output", () => {
    fc.assert(
      fc.property(config, ({ kind, T, B, inputSize, hiddenSize, seed }) => {
        const opts = { inputSize, hiddenSize, numLayers: 2, bidirectional: seed % 2 === 0 };
        const timeMajor = makeLayer(kind, opts, seed);
        const batchMajor = makeLayer(kind, { ...opts, batchFirst: true }, seed);
        const x = randn64([T, B, inputSize], seed + 1);
        const lengths = Array.from({ length: B }, (_, b) => 1 + ((seed + b) % T));
        const [a, fa] = timeMajor.forward(x, undefined, { lengths });
        const [b, fb] = batchMajor.forward(x.transpose(0, 1), undefined, { lengths });
        expectAllClose(b, a.transpose(0, 1), 0);
        stateTensors(fb as Tensor).forEach((s, i) => expectAllClose(s, stateTensors(fa as Tensor)[i]!, 0));
      }),
      { numRuns: 25 },
    );
  });

  it("a 2-layer layer equals two 1-layer layers chained with the same weights", () => {
    fc.assert(
      fc.property(config, fc.boolean(), ({ kind, T, B, inputSize, hiddenSize, seed }, bidirectional) => {
        const D = bidirectional ? 2 : 1;
        const deep = makeLayer(kind, { inputSize, hiddenSize, numLayers: 2, bidirectional }, seed);
        const first = makeLayer(kind, { inputSize, hiddenSize, bidirectional }, 1);
        const second = makeLayer(kind, { inputSize: D * hiddenSize, hiddenSize, bidirectional }, 2);
        const weights = deep.stateDict();
        const pick = (layer: number) => (m: Recurrent) =>
          m.loadStateDict(Object.fromEntries(Object.keys(m.stateDict()).map((k) => [k, weights[k.replace("_l0", `_l${layer}`)]!])));
        pick(0)(first);
        pick(1)(second);
        const x = randn64([T, B, inputSize], seed + 1);
        const [out, final] = deep.forward(x);
        const [mid, finalFirst] = first.forward(x);
        const [out2, finalSecond] = second.forward(mid);
        expectAllClose(out, out2, 0);
        stateTensors(final as Tensor).forEach((s, i) => {
          expectAllClose(s, cat([stateTensors(finalFirst as Tensor)[i]!, stateTensors(finalSecond as Tensor)[i]!], 0), 0);
        });
      }),
      { numRuns: 25 },
    );
  });
});

describe("Recurrent: the runner", () => {
  it("projects the whole input of each layer and direction once, then takes steps", () => {
    const calls: number[][] = [];
    class CountingGRUCell extends GRUCell {
      override projectInput(x: Tensor): Tensor {
        calls.push(x.shape);
        return super.projectInput(x);
      }
    }
    const layer = new Recurrent((_l, _d, inputSize) => new CountingGRUCell({ inputSize, hiddenSize: 3, dtype: "float64" }), {
      inputSize: 2, numLayers: 2, bidirectional: true,
    });
    layer.forward(randn64([5, 4, 2], 1));
    expect(calls).toEqual([[5, 4, 2], [5, 4, 2], [5, 4, 6], [5, 4, 6]]);
  });

  it.each([["LSTM", "fusedLstmCell"], ["GRU", "fusedGruCell"]] as const)("takes the steps of a %s sequence with a single split node", (kind, cellOp) => {
    const layer = makeLayer(kind, { inputSize: 2, hiddenSize: 3 });
    const [out] = layer.forward(randn64([6, 2, 2], 1));
    const names = new Map<string, number>();
    const seen = new Set<unknown>();
    const walk = (node: NonNullable<Tensor["gradFn"]> | null) => {
      if (!node || seen.has(node)) return;
      seen.add(node);
      names.set(node.name, (names.get(node.name) ?? 0) + 1);
      for (const e of node.edges) walk(e?.node ?? null);
    };
    walk(out.gradFn);
    expect(names.get("slice") ?? 0).toBe(0);
    // one split for the 6 steps; each step's gates go through one fused cell op, no chunking
    // (the GRU's input and hidden gates enter its cell op whole)
    expect(names.get("split")).toBe(1);
    expect(names.get(cellOp)).toBe(6);
  });

  it("drops out between layers only while training, reproducibly with a seeded generator", () => {
    const build = () => makeLayer("GRU", { inputSize: 2, hiddenSize: 4, numLayers: 2, dropout: 0.5 }, 3);
    const x = randn64([3, 2, 2], 1);
    const a = build();
    const b = build();
    const [trainA] = a.forward(x);
    const [trainB] = b.forward(x);
    expectAllClose(trainA, trainB, 0);
    const [evalA] = a.eval().forward(x);
    const [evalA2] = a.forward(x);
    expectAllClose(evalA, evalA2, 0);
    expect(Math.max(...Array.from(trainA.sub(evalA).abs().data()))).toBeGreaterThan(1e-6);
    const noDropout = makeLayer("GRU", { inputSize: 2, hiddenSize: 4, numLayers: 2 }, 3);
    expectAllClose(noDropout.forward(x)[0], evalA, 0);
  });

  it("runs an unbatched sequence like a batch of one", () => {
    const rnn = makeLayer("LSTM", { inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true }, 5);
    const x = randn64([4, 2], 1);
    const [out, [h, c]] = (rnn as LSTM).forward(x);
    const [outB, [hB, cB]] = (rnn as LSTM).forward(x.unsqueeze(1));
    expectAllClose(out, outB.squeeze(1), 0);
    expectAllClose(h, hB.squeeze(1), 0);
    expectAllClose(c, cB.squeeze(1), 0);
  });

  it("detachState cuts the graph between chunks (truncated BPTT) and keeps the values", () => {
    const lstm = makeLayer("LSTM", { inputSize: 2, hiddenSize: 3 }, 2) as LSTM;
    const x = randn64([6, 1, 2], 3, true);
    const [, state] = lstm.forward(x.narrow(0, 0, 3));
    const cut = detachState(state);
    expect(cut.every((t) => !t.requiresGrad)).toBe(true);
    expectAllClose(cut[0], state[0], 0);
    const [out] = lstm.forward(x.narrow(0, 3, 3), cut);
    out.sum().backward();
    expect(Array.from(x.grad!.narrow(0, 0, 3).data()).every((v) => v === 0)).toBe(true);
    expect(Array.from(x.grad!.narrow(0, 3, 3).data()).some((v) => v !== 0)).toBe(true);
  });

  it("matches a loop over the cell written out by hand", () => {
    const lstm = makeLayer("LSTM", { inputSize: 2, hiddenSize: 3 }, 8) as LSTM;
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    cell.loadStateDict(Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k.replace("_l0", ""), v])));
    const x = randn64([4, 2, 2], 9);
    let state: [Tensor, Tensor] | undefined;
    const outs: Tensor[] = [];
    for (const xt of x.unbind(0)) outs.push((state = cell.forward(xt, state))[0]);
    const [out, [h, c]] = lstm.forward(x);
    expectAllClose(out, stack(outs, 0), 0);
    expectAllClose(h, state![0].unsqueeze(0), 0);
    expectAllClose(c, state![1].unsqueeze(0), 0);
  });
});

describe("Recurrent: bad input", () => {
  const rnn = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: "float64" });
  const x = randn64([5, 2, 3], 1);
  it.each<[string, () => unknown, RegExp]>([
    ["a 4-D input", () => rnn.forward(randn64([5, 2, 3, 1], 1)), /RNN: input must be 3-D.*\[5, 2, 3, 1\]/],
    ["a wrong feature size", () => rnn.forward(randn64([5, 2, 4], 1)), /RNN: input has 4 features.*expected inputSize 3/],
    ["a dtype mismatch", () => rnn.forward(x.to("float32")), /RNN: input is float32 but the parameters are float64/],
    ["h0 with the wrong number of layers", () => rnn.forward(x, randn64([1, 2, 4], 1)), /RNN: initial state tensor has shape \[1, 2, 4\], expected \(2, 2, 4\)/],
    ["h0 with the wrong hidden size", () => rnn.forward(x, randn64([2, 2, 5], 1)), /RNN: initial state tensor has shape \[2, 2, 5\], expected \(2, 2, 4\)/],
    ["lengths of the wrong count", () => rnn.forward(x, undefined, { lengths: [5] }), /RNN: lengths has 1 entries, expected one per sequence \(batch 2\)/],
    ["a length past the sequence", () => rnn.forward(x, undefined, { lengths: [6, 1] }), /every length must be an integer in \[1, 5\].*got 6/],
    ["a zero length", () => rnn.forward(x, undefined, { lengths: [0, 1] }), /got 0/],
    ["an LSTM state that is not [h, c]", () => new LSTM({ inputSize: 3, hiddenSize: 4, dtype: "float64" }).forward(x, [randn64([1, 2, 4], 1)] as unknown as [Tensor, Tensor]), /LSTM: the initial state must be \[h0, c0\], two Tensors, got \[a Tensor\]/],
    ["numLayers 0", () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 0 }), /RNN: numLayers must be a positive integer, got 0/],
    ["a bad nonlinearity", () => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: "gelu" as "tanh" }), /nonlinearity must be "tanh" or "relu"/],
    ["projSize >= hiddenSize", () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 }), /projSize must be an integer in \[0, hiddenSize\)/],
    ["a cell without a size", () => new Recurrent(() => new (class extends Module { forward(t: Tensor) { return t; } })() as never, { inputSize: 3 }), /needs a positive hiddenSize \(or outputSize\), got undefined/],
  ])("rejects %s", (_name, fn, message) => {
    expect(fn).toThrow(message);
  });

  it("does not modify the tensors it is given", () => {
    const h0 = randn64([2, 2, 4], 2);
    const before = [Array.from(x.data()), Array.from(h0.data())];
    noGrad(() => rnn.forward(x, h0, { lengths: [2, 5] }));
    expect([Array.from(x.data()), Array.from(h0.data())]).toEqual(before);
  });
});
