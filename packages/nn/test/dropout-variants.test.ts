import { describe, expect, it } from "vitest";
import { Generator, ones, randn, tensor, type Tensor } from "@tapegrad/autograd";
import { AlphaDropout, Dropout1d, LSTM, Module, Recurrent, alphaDropout, dropout1d, type State } from "@tapegrad/nn";

const SELU_ALPHA = 1.7580993408473766;

describe("Dropout1d", () => {
  it("drops whole channels of (N, C, L) and (C, L) and scales the rest by 1/(1-p)", () => {
    const x = ones([6, 5, 7], { dtype: "float64" });
    const y = dropout1d(x, 0.4, true, new Generator(1));
    const rows = y.reshape([30, 7]).tolist() as number[][];
    for (const row of rows) expect(new Set(row).size).toBe(1);
    const values = new Set(rows.map((r) => r[0]));
    expect(values).toEqual(new Set([0, 1 / 0.6]));
    const unbatched = dropout1d(ones([4, 3], { dtype: "float64" }), 0.5, true, new Generator(2)).tolist() as number[][];
    for (const row of unbatched) expect(new Set(row).size).toBe(1);
  });

  it("is the identity in eval mode and for p = 0, zero for p = 1, and rejects other shapes", () => {
    const x = randn([2, 3, 4]);
    const m = new Dropout1d(0.5).eval();
    expect(m.forward(x)).toBe(x);
    expect(dropout1d(x, 0)).toBe(x);
    expect(Array.from(dropout1d(x, 1).data()).every((v) => v === 0)).toBe(true);
    expect(() => dropout1d(randn([2, 3, 4, 5]), 0.5)).toThrow(/dropout1d: input must be \(N, C, L\) or \(C, L\), got shape \[2, 3, 4, 5\]/);
    expect(() => new Dropout1d(1.5)).toThrow(/Dropout1d: probability must be in \[0, 1\], got 1.5/);
  });
});

describe("AlphaDropout", () => {
  it("maps kept x to a·x + b and dropped ones to b - a·α (a, b from p by hand)", () => {
    const p = 0.2;
    const a = 1 / Math.sqrt((SELU_ALPHA ** 2 * p + 1) * (1 - p));
    const b = a * SELU_ALPHA * p;
    const x = randn([400], { dtype: "float64", generator: new Generator(3) });
    const y = alphaDropout(x, p, true, new Generator(4)).data();
    let dropped = 0;
    x.data().forEach((v, i) => {
      const kept = Math.abs(y[i]! - (a * v + b)) < 1e-12;
      const isDropped = Math.abs(y[i]! - (b - a * SELU_ALPHA)) < 1e-12;
      expect(kept || isDropped, `element ${i}`).toBe(true);
      if (isDropped && !kept) dropped++;
    });
    expect(dropped).toBeGreaterThan(40);
    expect(dropped).toBeLessThan(120);
  });

  it("keeps zero mean and unit variance of a standard normal input", () => {
    const y = alphaDropout(randn([20000], { dtype: "float64", generator: new Generator(5) }), 0.3, true, new Generator(6));
    const mean = y.mean().item();
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(y.sub(mean).pow(2).mean().item() - 1)).toBeLessThan(0.04);
  });

  it("is the identity in eval mode and passes gradients only through kept elements", () => {
    const x = randn([50], { dtype: "float64", requiresGrad: true, generator: new Generator(7) });
    expect(new AlphaDropout(0.5).eval().forward(x)).toBe(x);
    const y = alphaDropout(x, 0.5, true, new Generator(8));
    y.sum().backward();
    const a = 1 / Math.sqrt((SELU_ALPHA ** 2 * 0.5 + 1) * 0.5);
    expect(new Set(Array.from(x.grad!.data(), (g) => +g.toFixed(12)))).toEqual(new Set([0, +a.toFixed(12)]));
  });
});

/** A cell without parameters that records what the runner feeds it: h' = x + h / 2. */
class Recorder extends Module {
  fedInputs: Tensor[] = [];
  fedStates: Tensor[] = [];
  constructor(readonly hiddenSize: number) {
    super();
  }
  forward(x: Tensor, h?: State): Tensor {
    this.fedInputs.push(x);
    if (h) this.fedStates.push(h as Tensor);
    return h ? x.add((h as Tensor).mul(0.5)) : x;
  }
}

function recording(opts: { inputDropout?: number; recurrentDropout?: number; bidirectional?: boolean }, seed = 1) {
  const cells: Recorder[] = [];
  const rnn = new Recurrent(() => (cells.push(new Recorder(8)), cells.at(-1)!), { inputSize: 8, generator: new Generator(seed), ...opts });
  return { rnn, cells };
}

describe("Recurrent: locked (variational) dropout", () => {
  const x = ones([5, 4, 8], { dtype: "float64" });

  it("applies one input mask, with kept entries 1/(1-p), at every step", () => {
    const { rnn, cells } = recording({ inputDropout: 0.5 });
    rnn.forward(x);
    const masks = cells[0]!.fedInputs.map((t) => JSON.stringify(t.tolist()));
    expect(masks.length).toBe(5);
    expect(new Set(masks).size).toBe(1);
    expect(new Set(cells[0]!.fedInputs[0]!.data())).toEqual(new Set([0, 2]));
  });

  it("applies one mask to the state fed back at every step; the output and the final state are not dropped", () => {
    const { rnn, cells } = recording({ recurrentDropout: 0.25 });
    const [out, hN] = rnn.forward(x.mul(tensor([1, 2, 3, 4, 5], { dtype: "float64" }).reshape([5, 1, 1])));
    const fed = cells[0]!.fedStates;
    expect(fed.length).toBe(4);
    const ratios = fed.map((f, t) => f.div(out.select(0, t)));
    for (const r of ratios) expect(r.tolist()).toEqual(ratios[0]!.tolist());
    expect(new Set(ratios[0]!.data())).toEqual(new Set([0, 1 / 0.75]));
    // out_t = x_t + fed_t / 2, and hN = out at the last step
    for (let t = 1; t < 5; t++) expect(out.select(0, t).tolist()).toEqual(fed[t - 1]!.mul(0.5).add(t + 1).tolist());
    expect((hN as Tensor).select(0, 0).tolist()).toEqual(out.select(0, 4).tolist());
  });

  it("draws a new mask per forward, per direction, and repeats with the same seed", () => {
    const { rnn, cells } = recording({ inputDropout: 0.5, bidirectional: true });
    rnn.forward(x);
    rnn.forward(x);
    const [fwd1, bwd1] = [cells[0]!.fedInputs[0]!, cells[1]!.fedInputs[0]!];
    const fwd2 = cells[0]!.fedInputs[5]!;
    expect(fwd1.tolist()).not.toEqual(bwd1.tolist());
    expect(fwd1.tolist()).not.toEqual(fwd2.tolist());
    const again = recording({ inputDropout: 0.5, bidirectional: true });
    again.rnn.forward(x);
    expect(again.cells[0]!.fedInputs[0]!.tolist()).toEqual(fwd1.tolist());
  });

  it("is off in eval mode", () => {
    const { rnn, cells } = recording({ inputDropout: 0.5, recurrentDropout: 0.5 });
    const [out] = rnn.eval().forward(x);
    for (const t of cells[0]!.fedInputs) expect(Array.from(t.data()).every((v) => v === 1)).toBe(true);
    cells[0]!.fedStates.forEach((s, t) => expect(s.tolist()).toEqual(out.select(0, t).tolist()));
  });

  it("lets gradients flow through an LSTM, and none to dropped input features", () => {
    const lstm = new LSTM({ inputSize: 6, hiddenSize: 3, dtype: "float64", inputDropout: 0.5, recurrentDropout: 0.3, generator: new Generator(9) });
    const input = randn([4, 2, 6], { dtype: "float64", requiresGrad: true, generator: new Generator(10) });
    const [out] = lstm.forward(input);
    out.sum().backward();
    const g = input.grad!;
    for (const p of lstm.parameters()) expect(Array.from(p.grad!.data()).some((v) => v !== 0)).toBe(true);
    const zeroAt = (t: number) => JSON.stringify(Array.from(g.select(0, t).data(), (v) => v === 0));
    expect(new Set([0, 1, 2, 3].map(zeroAt)).size).toBe(1);
    const zeros = Array.from(g.select(0, 0).data()).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(12);
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 2, recurrentDropout: 2 })).toThrow(/LSTM: recurrentDropout must be a number in \[0, 1\], got 2/);
  });
});
