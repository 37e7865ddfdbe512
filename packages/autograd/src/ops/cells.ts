import { isFloat } from "../core/dtype";
import { primitive, rule, type GradList } from "../core/op";
import type { RuleTable } from "./primitives";
import { kernels } from "../backend/backend";
import { fmt } from "../core/shape";
import { Tensor } from "../core/tensor";
import { cat } from "./join";

/** The backward as tensor ops (createGraph: the gradients are differentiable in turn). */
function lstmCellComposite(gates: Tensor, c: Tensor, dh: Tensor | null, dcNext: Tensor | null): GradList {
  const [pi, pf, pg, po] = gates.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const i = pi.sigmoid(), f = pf.sigmoid(), g = pg.tanh(), o = po.sigmoid();
  const tc = f.mul(c).add(i.mul(g)).tanh();
  let total = dh ? dh.mul(o).mul(tc.mul(tc).neg().add(1)) : null;
  if (dcNext) total = total ? total.add(dcNext) : dcNext;
  const zero = c.mul(0);
  const t = total ?? zero;
  const dGates = cat([
    t.mul(g).mul(i.mul(i.neg().add(1))),
    t.mul(c).mul(f.mul(f.neg().add(1))),
    t.mul(i).mul(g.mul(g).neg().add(1)),
    dh ? dh.mul(tc).mul(o.mul(o.neg().add(1))) : zero,
  ], -1);
  return [dGates, t.mul(f)];
}

const rules = {
  fusedLstmCell: rule({
    materializeGrads: false,
    // only the inputs are kept: the fast backward computes the activations again (bench item 34)
    forward(gates: Tensor, c: Tensor): [Tensor[], { gates: Tensor; c: Tensor }] {
      const [B, G] = gates.shape as [number, number];
      const cNext = Tensor.zeros([B, G / 4], gates.dtype);
      const h = Tensor.zeros([B, G / 4], gates.dtype);
      kernels.lstmCellForward(gates, c, cNext.buf, h.buf);
      return [[h, cNext], { gates, c }];
    },
    backward: ({ gates, c }, [dh, dcNext]) => lstmCellComposite(gates, c, dh ?? null, dcNext ?? null),
    fastBackward({ gates, c }, [dh, dcNext]) {
      const dGates = Tensor.zeros(gates.shape, gates.dtype);
      const dc = Tensor.zeros(c.shape, c.dtype);
      kernels.lstmCellBackward(gates, c, dh ?? null, dcNext ?? null, dGates.buf, dc.buf);
      return [dGates, dc];
    },
  }),
  fusedGruCell: rule({
    forward(inputGates: Tensor, hiddenGates: Tensor, h: Tensor) {
      const act = Tensor.zeros(inputGates.shape, inputGates.dtype);
      const hNext = Tensor.zeros(h.shape, h.dtype);
      kernels.gruCellForward(inputGates, hiddenGates, h, act.buf, hNext.buf);
      return [hNext, { inputGates, hiddenGates, h, act }];
    },
    backward: ({ inputGates, hiddenGates, h }, dhNext: Tensor) => gruCellComposite(inputGates, hiddenGates, h, dhNext),
    fastBackward({ inputGates, hiddenGates, h, act }, dhNext: Tensor) {
      const dInputGates = Tensor.zeros(inputGates.shape, inputGates.dtype);
      const dHiddenGates = Tensor.zeros(hiddenGates.shape, hiddenGates.dtype);
      const dh = Tensor.zeros(h.shape, h.dtype);
      kernels.gruCellBackward(act.buf, hiddenGates, h, dhNext, dInputGates.buf, dHiddenGates.buf, dh.buf);
      return [dInputGates, dHiddenGates, dh];
    },
  }),
} satisfies RuleTable<"cells">;

const lstmCellPrim = primitive("fusedLstmCell", rules.fusedLstmCell);
const gruCellPrim = primitive("fusedGruCell", rules.fusedGruCell);

/**
 * The pointwise half of an LSTM step as one op, for any cell: gates (..., 4H) are the
 * pre-activations in PyTorch's order i, f, g, o, c (..., H) the cell state. Returns [h', c']
 * with c' = σ(f)·c + σ(i)·tanh(g) and h' = σ(o)·tanh(c'); forward and backward are one kernel
 * each instead of ten and fifteen elementwise ops.
 */
export function fusedLstmCell(gates: Tensor, c: Tensor): [Tensor, Tensor] {
  const G = gates.shape[gates.ndim - 1] ?? 0;
  const lead = gates.shape.slice(0, -1);
  if (gates.ndim === 0 || G % 4 !== 0 || c.ndim !== gates.ndim || c.shape[c.ndim - 1]! * 4 !== G || c.shape.slice(0, -1).some((d, i) => d !== lead[i])) {
    throw new Error(`fusedLstmCell: expected gates (..., 4H) and c (..., H) with the same leading dims, got gates ${fmt(gates.shape)} and c ${fmt(c.shape)}`);
  }
  if (gates.dtype !== c.dtype || !isFloat(gates.dtype)) {
    throw new Error(`fusedLstmCell: gates and c must share a float dtype, got ${gates.dtype} and ${c.dtype}`);
  }
  if (gates.ndim === 2) return lstmCellPrim(gates, c) as [Tensor, Tensor];
  const [h, cNext] = lstmCellPrim(gates.reshape([-1, G]), c.reshape([-1, G / 4])) as [Tensor, Tensor];
  return [h.reshape([...lead, G / 4]), cNext.reshape([...lead, G / 4])];
}

/** The GRU backward as tensor ops (createGraph). */
function gruCellComposite(inputGates: Tensor, hiddenGates: Tensor, h: Tensor, dhNext: Tensor): GradList {
  const [ir, iz, inn] = inputGates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = hiddenGates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const r = ir.add(hr).sigmoid(), z = iz.add(hz).sigmoid();
  const n = inn.add(r.mul(hn)).tanh();
  const dPreN = dhNext.mul(z.neg().add(1)).mul(n.mul(n).neg().add(1));
  const dPreR = dPreN.mul(hn).mul(r.mul(r.neg().add(1)));
  const dPreZ = dhNext.mul(h.sub(n)).mul(z.mul(z.neg().add(1)));
  return [cat([dPreR, dPreZ, dPreN], -1), cat([dPreR, dPreZ, dPreN.mul(r)], -1), dhNext.mul(z)];
}

/**
 * The pointwise half of a GRU step as one op, in PyTorch's gate order r, z, n: inputGates
 * (..., 3H) is W_ih x + b_ih, hiddenGates (..., 3H) is W_hh h + b_hh, h (..., H) the state.
 * Returns h' = (1 - z)·n + z·h with r = σ(i_r + h_r), z = σ(i_z + h_z) and
 * n = tanh(i_n + r·h_n); forward and backward are one kernel each.
 */
export function fusedGruCell(inputGates: Tensor, hiddenGates: Tensor, h: Tensor): Tensor {
  const G = inputGates.shape[inputGates.ndim - 1] ?? 0;
  const lead = inputGates.shape.slice(0, -1);
  const sameLead = (t: Tensor) => t.ndim === inputGates.ndim && t.shape.slice(0, -1).every((d, i) => d === lead[i]);
  if (inputGates.ndim === 0 || G % 3 !== 0 || !sameLead(hiddenGates) || hiddenGates.shape[hiddenGates.ndim - 1] !== G || !sameLead(h) || h.shape[h.ndim - 1]! * 3 !== G) {
    throw new Error(
      `fusedGruCell: expected inputGates (..., 3H), hiddenGates (..., 3H) and h (..., H) with the same leading dims, got inputGates ${fmt(inputGates.shape)}, hiddenGates ${fmt(hiddenGates.shape)} and h ${fmt(h.shape)}`,
    );
  }
  if (hiddenGates.dtype !== inputGates.dtype || h.dtype !== inputGates.dtype || !isFloat(inputGates.dtype)) {
    throw new Error(`fusedGruCell: inputGates, hiddenGates and h must share a float dtype, got ${inputGates.dtype}, ${hiddenGates.dtype} and ${h.dtype}`);
  }
  if (inputGates.ndim === 2) return gruCellPrim(inputGates, hiddenGates, h);
  const H = G / 3;
  return gruCellPrim(inputGates.reshape([-1, G]), hiddenGates.reshape([-1, G]), h.reshape([-1, H])).reshape([...lead, H]);
}
