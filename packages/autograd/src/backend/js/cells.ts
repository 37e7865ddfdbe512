import type { TypedArray } from "../../core/dtype";
import type { StridedView } from "./strided";

// The pointwise half of an LSTM step, gates in PyTorch's order i, f, g, o along the last dim.
// Operands are (B, 4H) and (B, H) matrices read through their strides; results are contiguous.

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const identity = (x: number) => x;
/** Rounds to the element type of `out`, as storing into it would. */
const roundingOf = (out: TypedArray) => (out instanceof Float32Array ? Math.fround : identity);

/**
 * c' = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(c'). Each activation is rounded to the output type
 * before it is used further, as separate ops would.
 */
export function lstmCellForward(gates: StridedView, c: StridedView, cNext: TypedArray, h: TypedArray): void {
  const [B, G] = gates.shape as [number, number];
  const H = G / 4;
  const round = roundingOf(h);
  const [gRow, gCol] = gates.strides as [number, number];
  const [cRow, cCol] = c.strides as [number, number];
  for (let b = 0; b < B; b++) {
    const g0 = gates.offset + b * gRow, c0 = c.offset + b * cRow, s0 = b * H;
    for (let j = 0; j < H; j++) {
      const at = g0 + j * gCol;
      const i = round(sigmoid(gates.buf[at]!)), f = round(sigmoid(gates.buf[at + H * gCol]!));
      const g = round(Math.tanh(gates.buf[at + 2 * H * gCol]!)), o = round(sigmoid(gates.buf[at + 3 * H * gCol]!));
      cNext[s0 + j] = f * c.buf[c0 + j * cCol]! + i * g;
      h[s0 + j] = o * round(Math.tanh(cNext[s0 + j]!));
    }
  }
}

/**
 * The gradients of the gates (B, 4H) and of c from those of h and c' (null: zero), given the
 * forward's gates and c: the activations and tanh(c') are computed again, rounded as the forward
 * rounded them.
 */
export function lstmCellBackward(
  gates: StridedView, c: StridedView, dh: StridedView | null, dcNext: StridedView | null, dGates: TypedArray, dc: TypedArray,
): void {
  const [B, H] = c.shape as [number, number];
  const G = 4 * H;
  const round = roundingOf(dGates);
  const [gRow, gCol] = gates.strides as [number, number];
  const [cRow, cCol] = c.strides as [number, number];
  for (let b = 0; b < B; b++) {
    const g0 = gates.offset + b * gRow, a0 = b * G, s0 = b * H, c0 = c.offset + b * cRow;
    const h0 = dh ? dh.offset + b * dh.strides[0]! : 0, n0 = dcNext ? dcNext.offset + b * dcNext.strides[0]! : 0;
    for (let j = 0; j < H; j++) {
      const at = g0 + j * gCol, cj = c.buf[c0 + j * cCol]!;
      const i = round(sigmoid(gates.buf[at]!)), f = round(sigmoid(gates.buf[at + H * gCol]!));
      const g = round(Math.tanh(gates.buf[at + 2 * H * gCol]!)), o = round(sigmoid(gates.buf[at + 3 * H * gCol]!));
      const tc = round(Math.tanh(round(f * cj + i * g)));
      const gh = dh ? dh.buf[h0 + j * dh.strides[1]!]! : 0;
      const total = (dcNext ? dcNext.buf[n0 + j * dcNext.strides[1]!]! : 0) + gh * o * (1 - tc * tc);
      dGates[a0 + j] = total * g * i * (1 - i);
      dGates[a0 + H + j] = total * cj * f * (1 - f);
      dGates[a0 + 2 * H + j] = total * i * (1 - g * g);
      dGates[a0 + 3 * H + j] = gh * tc * o * (1 - o);
      dc[s0 + j] = total * f;
    }
  }
}

// The pointwise half of a GRU step, gates in PyTorch's order r, z, n along the last dim: the
// input gates W_ih x + b_ih and hidden gates W_hh h + b_hh are (B, 3H), h is (B, H).

/**
 * act = [r, z, n] with r = σ(i_r + h_r), z = σ(i_z + h_z), n = tanh(i_n + r·h_n), and
 * h' = (h - n)·z + n, each rounded to the output type before it is used further.
 */
export function gruCellForward(inputGates: StridedView, hiddenGates: StridedView, h: StridedView, act: TypedArray, hNext: TypedArray): void {
  const [B, G] = inputGates.shape as [number, number];
  const H = G / 3;
  const [iRow, iCol] = inputGates.strides as [number, number];
  const [gRow, gCol] = hiddenGates.strides as [number, number];
  const [hRow, hCol] = h.strides as [number, number];
  for (let b = 0; b < B; b++) {
    const i0 = inputGates.offset + b * iRow, g0 = hiddenGates.offset + b * gRow, h0 = h.offset + b * hRow, a0 = b * G;
    for (let j = 0; j < H; j++) {
      const ia = i0 + j * iCol, ga = g0 + j * gCol;
      act[a0 + j] = sigmoid(inputGates.buf[ia]! + hiddenGates.buf[ga]!);
      act[a0 + H + j] = sigmoid(inputGates.buf[ia + H * iCol]! + hiddenGates.buf[ga + H * gCol]!);
      act[a0 + 2 * H + j] = Math.tanh(inputGates.buf[ia + 2 * H * iCol]! + act[a0 + j]! * hiddenGates.buf[ga + 2 * H * gCol]!);
      const n = act[a0 + 2 * H + j]!;
      hNext[b * H + j] = (h.buf[h0 + j * hCol]! - n) * act[a0 + H + j]! + n;
    }
  }
}

/**
 * The gradients of the input gates, hidden gates (both (B, 3H)) and h from that of h', given
 * the forward's act (contiguous), hiddenGates (for h_n) and h.
 */
export function gruCellBackward(
  act: TypedArray, hiddenGates: StridedView, h: StridedView, dhNext: StridedView, dInputGates: TypedArray, dHiddenGates: TypedArray, dh: TypedArray,
): void {
  const [B, H] = h.shape as [number, number];
  const G = 3 * H;
  const [gRow, gCol] = hiddenGates.strides as [number, number];
  const [hRow, hCol] = h.strides as [number, number];
  const [dRow, dCol] = dhNext.strides as [number, number];
  for (let b = 0; b < B; b++) {
    const a0 = b * G, g0 = hiddenGates.offset + b * gRow + 2 * H * gCol, h0 = h.offset + b * hRow, d0 = dhNext.offset + b * dRow;
    for (let j = 0; j < H; j++) {
      const r = act[a0 + j]!, z = act[a0 + H + j]!, n = act[a0 + 2 * H + j]!;
      const d = dhNext.buf[d0 + j * dCol]!;
      const dPreN = d * (1 - z) * (1 - n * n);
      const dPreR = dPreN * hiddenGates.buf[g0 + j * gCol]! * r * (1 - r);
      const dPreZ = d * (h.buf[h0 + j * hCol]! - n) * z * (1 - z);
      dInputGates[a0 + j] = dHiddenGates[a0 + j] = dPreR;
      dInputGates[a0 + H + j] = dHiddenGates[a0 + H + j] = dPreZ;
      dInputGates[a0 + 2 * H + j] = dPreN;
      dHiddenGates[a0 + 2 * H + j] = dPreN * r;
      dh[b * H + j] = d * z;
    }
  }
}
