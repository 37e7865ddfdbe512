import { defineOp, type GradList, type OpContext } from "../function";
import { kernels } from "../kernels";
import { mode } from "../mode";
import { fmt } from "../shape";
import { Tensor } from "../tensor";
import { cat } from "./join";

/** The activated gates and tanh(c') of a forward, kept for its backward. */
interface LstmSaved {
  act: Tensor;
  tanhC: Tensor;
}

const lstmCellPrim = defineOp({
  name: "fusedLstmCell",
  materializeGrads: false,
  forward(ctx: OpContext, gates: Tensor, c: Tensor) {
    ctx.save(gates, c);
    const [B, G] = gates.shape as [number, number];
    const H = G / 4;
    const act = Tensor.empty([B, G], gates.dtype);
    const tanhC = Tensor.empty([B, H], gates.dtype);
    const cNext = Tensor.empty([B, H], gates.dtype);
    const h = Tensor.empty([B, H], gates.dtype);
    kernels.lstmCellForward(gates, c, act.buf, cNext.buf, tanhC.buf, h.buf);
    if (ctx.recorded) ctx.lstm = { act, tanhC } satisfies LstmSaved;
    return [h, cNext];
  },
  backward(ctx, dh: Tensor | null, dcNext: Tensor | null): GradList {
    const [gates, c] = ctx.saved;
    if (mode.grad) return lstmCellComposite(gates!, c!, dh, dcNext);
    const { act, tanhC } = ctx.lstm as LstmSaved;
    const dGates = Tensor.empty(gates!.shape, gates!.dtype);
    const dc = Tensor.empty(c!.shape, c!.dtype);
    kernels.lstmCellBackward(act.buf, c!, tanhC.buf, dh, dcNext, dGates.buf, dc.buf);
    return [dGates, dc];
  },
});

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
  if (gates.dtype !== c.dtype || gates.dtype === "int32") {
    throw new Error(`fusedLstmCell: gates and c must share a float dtype, got ${gates.dtype} and ${c.dtype}`);
  }
  if (gates.ndim === 2) return lstmCellPrim(gates, c) as [Tensor, Tensor];
  const [h, cNext] = lstmCellPrim(gates.reshape([-1, G]), c.reshape([-1, G / 4])) as [Tensor, Tensor];
  return [h.reshape([...lead, G / 4]), cNext.reshape([...lead, G / 4])];
}

const gruCellPrim = defineOp({
  name: "fusedGruCell",
  forward(ctx: OpContext, inputGates: Tensor, hiddenGates: Tensor, h: Tensor) {
    ctx.save(inputGates, hiddenGates, h);
    const act = Tensor.empty(inputGates.shape, inputGates.dtype);
    const hNext = Tensor.empty(h.shape, h.dtype);
    kernels.gruCellForward(inputGates, hiddenGates, h, act.buf, hNext.buf);
    if (ctx.recorded) ctx.gruAct = act;
    return hNext;
  },
  backward(ctx, dhNext: Tensor): GradList {
    const [inputGates, hiddenGates, h] = ctx.saved as [Tensor, Tensor, Tensor];
    if (mode.grad) return gruCellComposite(inputGates, hiddenGates, h, dhNext);
    const dInputGates = Tensor.empty(inputGates.shape, inputGates.dtype);
    const dHiddenGates = Tensor.empty(hiddenGates.shape, hiddenGates.dtype);
    const dh = Tensor.empty(h.shape, h.dtype);
    kernels.gruCellBackward((ctx.gruAct as Tensor).buf, hiddenGates, h, dhNext, dInputGates.buf, dHiddenGates.buf, dh.buf);
    return [dInputGates, dHiddenGates, dh];
  },
});

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
  if (hiddenGates.dtype !== inputGates.dtype || h.dtype !== inputGates.dtype || inputGates.dtype === "int32") {
    throw new Error(`fusedGruCell: inputGates, hiddenGates and h must share a float dtype, got ${inputGates.dtype}, ${hiddenGates.dtype} and ${h.dtype}`);
  }
  if (inputGates.ndim === 2) return gruCellPrim(inputGates, hiddenGates, h);
  const H = G / 3;
  return gruCellPrim(inputGates.reshape([-1, G]), hiddenGates.reshape([-1, G]), h.reshape([-1, H])).reshape([...lead, H]);
}
