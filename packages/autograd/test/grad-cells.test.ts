import { describe, expect, it } from "vitest";
import { fusedLstmCell, manualSeed, noGrad, randn, type Tensor } from "../src/index";
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
  for (const [dtype, H] of [["float64", 37], ["float32", 37], ["float32", 36]] as const) {
    // float32 with H a multiple of 4 runs the WebAssembly kernels on that backend
    it(`${dtype}, H = ${H}: outputs and gradients equal the cell written with separate ops (strided gates, large pre-activations)`, () => {
      manualSeed(21);
      const B = 5;
      // gates as a transposed view with values up to ±12, so σ and tanh saturate in places
      const gatesT = randn([4 * H, B], { dtype }).mul(4);
      const c = randn([B, H], { dtype });
      const run = (f: (g: Tensor, c: Tensor) => [Tensor, Tensor]) => {
        const g = gatesT.T.detach().requiresGrad_(), cc = c.detach().requiresGrad_();
        const [h1, c1] = f(g, cc);
        h1.mul(randnFixed(h1.shape, dtype, 1)).sum().add(c1.mul(randnFixed(c1.shape, dtype, 2)).sum()).backward();
        return [h1, c1, g.grad!, cc.grad!];
      };
      const fused = run(fusedLstmCell), reference = run(lstmReference);
      const tol = dtype === "float64" ? 1e-12 : 2e-6;
      fused.forEach((t, k) => expectAllClose(t, reference[k]!, tol, tol));
    });
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

function randnFixed(shape: readonly number[], dtype: "float32" | "float64", seed: number): Tensor {
  manualSeed(100 + seed);
  return randn([...shape], { dtype });
}
