import { describe, expect, it } from "vitest";
import { fusedGruCell, fusedLstmCell, manualSeed, noGrad, ones, randn, type Tensor } from "../src/index";
import { CELL_CHECKS } from "./cases/cells";
import { checkGrad, expectAllClose } from "./helpers";

describe("gradcheck (float64, central differences) over generated shapes and layouts", () => {
  for (const [op, check] of Object.entries(CELL_CHECKS)) it(op, () => [check].flat().forEach(checkGrad));
});

/** The LSTM step written with separate ops, as the reference for the fused one. */
function lstmReference(gates: Tensor, c: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = gates.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const c1 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
  return [o.sigmoid().mul(c1.tanh()), c1];
}

describe("fusedLstmCell", () => {
  // float32 with H a multiple of 4 and rows contiguous along the last dim runs the WebAssembly
  // kernels on that backend; "rows" gates are such rows with gaps between them, "columns" a transpose
  for (const [dtype, H] of [["float64", 37], ["float32", 37], ["float32", 36], ["float64", 36]] as const) {
    for (const layout of ["rows", "columns"] as const) {
      it(`${dtype}, H = ${H}, ${layout} views: outputs and gradients equal the cell written with separate ops (large pre-activations)`, () => {
        manualSeed(21);
        const B = 5;
        // values up to ±12, so σ and tanh saturate in places
        const gatesBase = randn(layout === "rows" ? [B + 1, 4 * H + 4] : [4 * H, B], { dtype }).mul(4);
        const c = randn([B, H], { dtype });
        const run = (f: (g: Tensor, c: Tensor) => [Tensor, Tensor]) => {
          const gates = layout === "rows" ? gatesBase.slice(0, 1, B + 1).slice(1, 4, 4 * H + 4) : gatesBase.T;
          const g = gates.detach().requiresGrad_(), cc = c.detach().requiresGrad_();
          const [h1, c1] = f(g, cc);
          h1.mul(randnFixed(h1.shape, dtype, 1)).sum().add(c1.mul(randnFixed(c1.shape, dtype, 2)).sum()).backward();
          return [h1, c1, g.grad!, cc.grad!];
        };
        const fused = run(fusedLstmCell), reference = run(lstmReference);
        const tol = dtype === "float64" ? 1e-12 : 2e-6;
        fused.forEach((t, k) => expectAllClose(t, reference[k]!, tol, tol));
      });
    }
  }

  it("takes any leading dims (none: one unbatched step; two: time and batch)", () => {
    manualSeed(23);
    for (const lead of [[], [3, 2]]) {
      const gates = randn([...lead, 12], { dtype: "float64" }), c = randn([...lead, 3], { dtype: "float64" });
      const [h, c1] = fusedLstmCell(gates, c);
      const [hr, cr] = lstmReference(gates.reshape([-1, 12]), c.reshape([-1, 3]));
      expect(h.shape).toEqual([...lead, 3]);
      expectAllClose(h, hr.reshape([...lead, 3]), 1e-14);
      expectAllClose(c1, cr.reshape([...lead, 3]), 1e-14);
    }
  });

  it("rejects shapes that are not (batch, 4H) and (batch, H), and mixed dtypes", () => {
    expect(() => fusedLstmCell(randn([2, 6]), randn([2, 2]))).toThrow(/fusedLstmCell: expected gates \(\.\.\., 4H\) and c \(\.\.\., H\) with the same leading dims, got gates \[2, 6\] and c \[2, 2\]/);
    expect(() => fusedLstmCell(randn([2, 8]), randn([3, 2]))).toThrow(/got gates \[2, 8\] and c \[3, 2\]/);
    expect(() => fusedLstmCell(randn([2, 8]), randn([2, 2], { dtype: "float64" }))).toThrow(/fusedLstmCell: gates and c must share a float dtype, got float32 and float64/);
  });

  it("does not touch its inputs", () => {
    manualSeed(22);
    const gates = randn([3, 8]), c = randn([3, 2]);
    const before = [gates.clone(), c.clone()];
    noGrad(() => fusedLstmCell(gates, c));
    expectAllClose(gates, before[0]!, 0, 0);
    expectAllClose(c, before[1]!, 0, 0);
  });
});

/** The GRU step written with separate ops (PyTorch's formulas), as the reference for the fused one. */
function gruReference(inputGates: Tensor, hiddenGates: Tensor, h: Tensor): Tensor {
  const [ir, iz, inn] = inputGates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = hiddenGates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const r = ir.add(hr).sigmoid(), z = iz.add(hz).sigmoid();
  const n = inn.add(r.mul(hn)).tanh();
  return z.neg().add(1).mul(n).add(z.mul(h));
}

describe("fusedGruCell", () => {
  // float32 with H a multiple of 4 and rows contiguous along the last dim runs the WebAssembly
  // kernels on that backend; "rows" views are such rows with gaps between them (and an offset),
  // "columns" views are read down the columns (a transpose, every other column)
  for (const [dtype, H] of [["float64", 37], ["float32", 37], ["float32", 36], ["float64", 36]] as const) {
    for (const layout of ["rows", "columns"] as const) {
      it(`${dtype}, H = ${H}, ${layout} views: outputs and gradients equal the cell written with separate ops (large pre-activations)`, () => {
        manualSeed(31);
        const B = 5;
        // values up to ±12, so σ and tanh saturate in places
        const inputBase = randn(layout === "rows" ? [B, 4 * H] : [3 * H, B], { dtype }).mul(4);
        const hiddenBase = randn([B + 1, 6 * H], { dtype }).mul(4);
        const hBase = randn(layout === "rows" ? [B + 1, H + 3] : [H, B], { dtype });
        const run = (f: (i: Tensor, g: Tensor, h: Tensor) => Tensor) => {
          const leaf = (t: Tensor) => t.detach().requiresGrad_();
          const i = leaf(layout === "rows" ? inputBase.slice(1, H, 4 * H) : inputBase.T);
          const g = leaf(layout === "rows" ? hiddenBase.slice(0, 1, B + 1).slice(1, 0, 3 * H) : hiddenBase.slice(0, 0, B).slice(1, 0, 6 * H, 2));
          const h = leaf(layout === "rows" ? hBase.slice(0, 1, B + 1).slice(1, 2, H + 2) : hBase.T);
          const h1 = f(i, g, h);
          h1.mul(randnFixed(h1.shape, dtype, 3)).sum().backward();
          return [h1, i.grad!, g.grad!, h.grad!];
        };
        const fused = run(fusedGruCell), reference = run(gruReference);
        expect(fused[0]!.shape).toEqual([B, H]);
        const tol = dtype === "float64" ? 1e-12 : 2e-6;
        fused.forEach((t, k) => expectAllClose(t, reference[k]!, tol, tol));
      });
    }
  }

  it("takes any leading dims (none: one unbatched step; two: time and batch)", () => {
    manualSeed(33);
    for (const lead of [[], [3, 2]]) {
      const i = randn([...lead, 9], { dtype: "float64" }), g = randn([...lead, 9], { dtype: "float64" }), h = randn([...lead, 3], { dtype: "float64" });
      const h1 = fusedGruCell(i, g, h);
      expect(h1.shape).toEqual([...lead, 3]);
      expectAllClose(h1, gruReference(i.reshape([-1, 9]), g.reshape([-1, 9]), h.reshape([-1, 3])).reshape([...lead, 3]), 1e-14);
    }
  });

  it("rejects shapes that are not (batch, 3H), (batch, 3H) and (batch, H), and mixed or integer dtypes", () => {
    const expected = /fusedGruCell: expected inputGates \(\.\.\., 3H\), hiddenGates \(\.\.\., 3H\) and h \(\.\.\., H\) with the same leading dims, got/;
    expect(() => fusedGruCell(randn([2, 6]), randn([2, 6]), randn([2, 3]))).toThrow(expected);
    expect(() => fusedGruCell(randn([2, 6]), randn([2, 6]), randn([2, 3]))).toThrow(/got inputGates \[2, 6\], hiddenGates \[2, 6\] and h \[2, 3\]/);
    expect(() => fusedGruCell(randn([2, 7]), randn([2, 7]), randn([2, 2]))).toThrow(expected);
    expect(() => fusedGruCell(randn([2, 6]), randn([2, 9]), randn([2, 2]))).toThrow(/hiddenGates \[2, 9\]/);
    expect(() => fusedGruCell(randn([2, 6]), randn([3, 6]), randn([2, 2]))).toThrow(/hiddenGates \[3, 6\]/);
    expect(() => fusedGruCell(randn([2, 6]), randn([2, 6]), randn([3, 2]))).toThrow(/and h \[3, 2\]/);
    expect(() => fusedGruCell(randn([6]), randn([6]), randn([1, 2]))).toThrow(/got inputGates \[6\], hiddenGates \[6\] and h \[1, 2\]/);
    expect(() => fusedGruCell(randn([2, 6]), randn([2, 6], { dtype: "float64" }), randn([2, 2]))).toThrow(
      /fusedGruCell: inputGates, hiddenGates and h must share a float dtype, got float32, float64 and float32/,
    );
    const ints = ones([2, 6], { dtype: "int32" });
    expect(() => fusedGruCell(ints, ints, ones([2, 2], { dtype: "int32" }))).toThrow(/must share a float dtype, got int32, int32 and int32/);
  });

  it("does not touch its inputs, forward or backward", () => {
    manualSeed(32);
    for (const H of [2, 4]) {
      const i = randn([3, 3 * H]).requiresGrad_(), g = randn([3, 3 * H]).requiresGrad_(), h = randn([3, H]).requiresGrad_();
      const before = [i, g, h].map((t) => t.detach().clone());
      fusedGruCell(i, g, h).sum().backward();
      [i, g, h].forEach((t, k) => expectAllClose(t.detach(), before[k]!, 0, 0));
    }
  });
});

function randnFixed(shape: readonly number[], dtype: "float32" | "float64", seed: number): Tensor {
  manualSeed(100 + seed);
  return randn([...shape], { dtype });
}
