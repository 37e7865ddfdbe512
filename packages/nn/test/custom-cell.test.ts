import { describe, expect, it } from "vitest";
import { Generator, cat, gradcheck, stack, zeros, type Tensor } from "@tapegrad/autograd";
import { Module, Parameter, Recurrent, init, linear } from "@tapegrad/nn";
import { expectAllClose, randn64 } from "./helpers";

// Two cells PyTorch does not have, written the way a user would.

/** LSTM with peephole connections (Gers & Schmidhuber): the gates also see the cell state. Plain forward only. */
class PeepholeLSTMCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias: Parameter;
  /** Rows: peepholes of the input, forget and output gates. */
  peephole: Parameter;

  constructor(readonly inputSize: number, readonly hiddenSize: number, generator: Generator) {
    super();
    const p = (shape: number[]) => new Parameter(init.uniform_(zeros(shape, { dtype: "float64" }), -0.6, 0.6, { generator }));
    this.weight_ih = p([4 * hiddenSize, inputSize]);
    this.weight_hh = p([4 * hiddenSize, hiddenSize]);
    this.bias = p([4 * hiddenSize]);
    this.peephole = p([3, hiddenSize]);
  }

  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, Tensor] {
    const [h, c] = state ?? [zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype }), zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype })];
    const [i, f, g, o] = linear(x, this.weight_ih, this.bias).add(linear(h, this.weight_hh)).chunk(4, -1) as Tensor[];
    const [pi, pf, po] = this.peephole.unbind(0) as Tensor[];
    const c1 = f!.add(c.mul(pf!)).sigmoid().mul(c).add(i!.add(c.mul(pi!)).sigmoid().mul(g!.tanh()));
    const h1 = o!.add(c1.mul(po!)).sigmoid().mul(c1.tanh());
    return [h1, c1];
  }
}

/**
 * Minimal gated unit (Zhou et al. 2016): f = σ(W_f x + U_f h + b_f), h~ = tanh(W_h x + U_h (f h) + b_h),
 * h' = (1 - f) h + f h~. It splits forward into projectInput and step so the runner can hoist W x.
 */
class MinimalGatedUnit extends Module {
  weight_ih: Parameter;
  weight_hf: Parameter;
  weight_hh: Parameter;
  bias: Parameter;

  constructor(readonly inputSize: number, readonly hiddenSize: number, generator: Generator) {
    super();
    const p = (shape: number[]) => new Parameter(init.uniform_(zeros(shape, { dtype: "float64" }), -0.6, 0.6, { generator }));
    this.weight_ih = p([2 * hiddenSize, inputSize]);
    this.weight_hf = p([hiddenSize, hiddenSize]);
    this.weight_hh = p([hiddenSize, hiddenSize]);
    this.bias = p([2 * hiddenSize]);
  }

  projectInput(x: Tensor): Tensor {
    return linear(x, this.weight_ih, this.bias);
  }

  step(projected: Tensor, h?: Tensor): Tensor {
    const prev = h ?? zeros([...projected.shape.slice(0, -1), this.hiddenSize], { dtype: projected.dtype });
    const [xf, xh] = projected.chunk(2, -1) as [Tensor, Tensor];
    const f = xf.add(linear(prev, this.weight_hf)).sigmoid();
    const candidate = xh.add(linear(f.mul(prev), this.weight_hh)).tanh();
    return prev.add(candidate.sub(prev).mul(f));
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(this.projectInput(x), h);
  }
}

type AnyCell = PeepholeLSTMCell | MinimalGatedUnit;
/** The state of either cell; the runner infers one cell type's state by itself, a union is given. */
type AnyState = Tensor | [Tensor, Tensor];
const CELLS = [
  ["peephole LSTM", (inputSize: number, hiddenSize: number, g: Generator): AnyCell => new PeepholeLSTMCell(inputSize, hiddenSize, g)],
  ["minimal gated unit", (inputSize: number, hiddenSize: number, g: Generator): AnyCell => new MinimalGatedUnit(inputSize, hiddenSize, g)],
] as const;

const firstOf = (s: Tensor | Tensor[]): Tensor => (Array.isArray(s) ? s[0]! : s);
const step = (cell: AnyCell, x: Tensor, s: unknown) => (cell.forward as (x: Tensor, s?: unknown) => Tensor | [Tensor, Tensor])(x, s);

/**
 * The reference: each sequence on its own, every layer and direction written out as a plain loop
 * over its valid steps (forward 0..n-1, reverse n-1..0), directions concatenated between layers.
 */
function unrolled(cells: AnyCell[], layers: number, x: Tensor, lengths: number[]) {
  return lengths.map((n, b) => {
    let input = x.narrow(1, b, 1).narrow(0, 0, n).unbind(0); // n steps of (1, F)
    const finals: (Tensor | Tensor[])[] = [];
    for (let l = 0; l < layers; l++) {
      const fwd = cells[2 * l]!;
      const rev = cells[2 * l + 1]!;
      const outF: Tensor[] = [];
      const outR: Tensor[] = new Array(n);
      let s: Tensor | Tensor[] | undefined;
      for (let t = 0; t < n; t++) outF.push(firstOf((s = step(fwd, input[t]!, s))));
      finals.push(s!);
      s = undefined;
      for (let t = n - 1; t >= 0; t--) outR[t] = firstOf((s = step(rev, input[t]!, s)));
      finals.push(s!);
      input = outF.map((o, t) => cat([o, outR[t]!], -1));
    }
    return { output: stack(input, 0), finals };
  });
}

describe.each(CELLS)("a user cell (%s) in the runner", (_name, make) => {
  it("passes gradcheck alone", () => {
    const cell = make(2, 3, new Generator(1));
    const x = randn64([2, 2], 2, true);
    const h = randn64([2, 3], 3, true);
    const c = randn64([2, 3], 4, true);
    const result = gradcheck((xs, hs, cs) => {
      const out = step(cell, xs!, cell instanceof PeepholeLSTMCell ? [hs, cs] : hs);
      return Array.isArray(out) ? out : [out];
    }, [x, h, c, ...cell.parameters()]);
    expect(result.ok).toBe(true);
  });

  it("equals a loop over the cell written out by hand", () => {
    const cell = make(2, 3, new Generator(5));
    const layer = new Recurrent<AnyState>(() => cell, { inputSize: 2 });
    const x = randn64([5, 2, 2], 6);
    let s: Tensor | Tensor[] | undefined;
    const outs: Tensor[] = [];
    for (const xt of x.unbind(0)) outs.push(firstOf((s = step(cell, xt, s))));
    const [out, final] = layer.forward(x);
    expectAllClose(out, stack(outs, 0), 0);
    expectAllClose(firstOf(final), firstOf(s!).unsqueeze(0), 0);
  });

  it("runs deep, bidirectional, batch-first with lengths like the hand-unrolled loops", () => {
    const g = new Generator(7);
    const layer = new Recurrent<AnyState>((_l, _d, inputSize) => make(inputSize, 3, g), { inputSize: 2, numLayers: 2, bidirectional: true, batchFirst: true });
    const cells = layer.cells as AnyCell[];
    const x = randn64([3, 4, 2], 8); // (batch, seq, feature)
    const lengths = [4, 1, 3];
    const [out, final] = layer.forward(x, undefined, { lengths });
    const reference = unrolled(cells, 2, x.transpose(0, 1), lengths);
    reference.forEach(({ output, finals }, b) => {
      const n = lengths[b]!;
      expectAllClose(out.select(0, b).narrow(0, 0, n), output.squeeze(1), 1e-15);
      if (n < 4) expect(Array.from(out.select(0, b).narrow(0, n, 4 - n).data()).every((v) => v === 0)).toBe(true);
      const stateParts = Array.isArray(final) ? final : [final];
      stateParts.forEach((part, i) => {
        expectAllClose(part.narrow(1, b, 1), stack(finals.map((f) => (Array.isArray(f) ? f[i]! : f)), 0), 1e-15);
      });
    });
  });

  it("passes gradcheck deep and bidirectional with lengths, and names parameters like PyTorch", () => {
    const g = new Generator(9);
    const layer = new Recurrent<AnyState>((_l, _d, inputSize) => make(inputSize, 2, g), { inputSize: 2, numLayers: 2, bidirectional: true });
    const x = randn64([3, 2, 2], 10, true);
    const result = gradcheck((xs) => {
      const [out, final] = layer.forward(xs!, undefined, { lengths: [3, 2] });
      return [out, ...(Array.isArray(final) ? final : [final])];
    }, [x, ...layer.parameters()]);
    expect(result.ok).toBe(true);
    const names = layer.namedParameters().map(([n]) => n);
    expect(names).toContain("weight_ih_l0");
    expect(names).toContain("weight_hh_l1_reverse");
    expect(names.length).toBe(4 * layer.cells[0]!.parameters().length);
  });
});
