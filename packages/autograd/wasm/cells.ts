// The pointwise halves of LSTM and GRU steps (see src/kernels/cells.ts), float32, four lanes at a time.
// LSTM: gates and dGates are B rows of 4H floats (blocks i, f, g, o), the other arrays B rows of H;
// all arrays contiguous, H a multiple of 4. Pointers are byte addresses.
import { sigmoid4, tanh4 } from "./elementwise";

export function lstmForwardF32(B: i32, H: i32, gates: usize, c: usize, cNext: usize, h: usize): void {
  const block = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const g0 = gates + (<usize>b * block << 2), s0 = <usize>b * block;
    for (let j: usize = 0; j < block; j += 16) {
      const i = sigmoid4(v128.load(g0 + j));
      const f = sigmoid4(v128.load(g0 + block + j));
      const g = tanh4(v128.load(g0 + 2 * block + j));
      const o = sigmoid4(v128.load(g0 + 3 * block + j));
      const cn = f32x4.add(f32x4.mul(f, v128.load(c + s0 + j)), f32x4.mul(i, g));
      v128.store(cNext + s0 + j, cn);
      v128.store(h + s0 + j, f32x4.mul(o, tanh4(cn)));
    }
  }
}

/**
 * Gradients of the gates and of c from those of h and c' (a null pointer: zero). The gates'
 * activations and tanh(c') are computed again from the gates and c, as the forward did, so that
 * the forward keeps nothing of its own.
 */
export function lstmBackwardF32(B: i32, H: i32, gates: usize, c: usize, dh: usize, dcNext: usize, dGates: usize, dc: usize): void {
  const block = <usize>H << 2;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let b = 0; b < B; b++) {
    const g0 = gates + (<usize>b * block << 2), d0 = dGates + (<usize>b * block << 2), s0 = <usize>b * block;
    for (let j: usize = 0; j < block; j += 16) {
      const i = sigmoid4(v128.load(g0 + j));
      const f = sigmoid4(v128.load(g0 + block + j));
      const g = tanh4(v128.load(g0 + 2 * block + j));
      const o = sigmoid4(v128.load(g0 + 3 * block + j));
      const cc = v128.load(c + s0 + j);
      const tc = tanh4(f32x4.add(f32x4.mul(f, cc), f32x4.mul(i, g)));
      const gh = dh ? v128.load(dh + s0 + j) : zero;
      let total = f32x4.mul(f32x4.mul(gh, o), f32x4.sub(one, f32x4.mul(tc, tc)));
      if (dcNext) total = f32x4.add(v128.load(dcNext + s0 + j), total);
      v128.store(d0 + j, f32x4.mul(f32x4.mul(total, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(d0 + block + j, f32x4.mul(f32x4.mul(total, cc), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(d0 + 2 * block + j, f32x4.mul(f32x4.mul(total, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(d0 + 3 * block + j, f32x4.mul(f32x4.mul(gh, tc), f32x4.mul(o, f32x4.sub(one, o))));
      v128.store(dc + s0 + j, f32x4.mul(total, f));
    }
  }
}

// The pointwise half of a GRU step (see src/kernels/cells.ts): inputGates, hiddenGates and act
// are B rows of 3H floats (blocks r, z, n), the other arrays B rows of H.

export function gruForwardF32(B: i32, H: i32, inputGates: usize, hiddenGates: usize, h: usize, act: usize, hNext: usize): void {
  const block = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const row = <usize>b * block * 3, s0 = <usize>b * block;
    const i0 = inputGates + row, g0 = hiddenGates + row, a0 = act + row;
    for (let j: usize = 0; j < block; j += 16) {
      const r = sigmoid4(f32x4.add(v128.load(i0 + j), v128.load(g0 + j)));
      const z = sigmoid4(f32x4.add(v128.load(i0 + block + j), v128.load(g0 + block + j)));
      const n = tanh4(f32x4.add(v128.load(i0 + 2 * block + j), f32x4.mul(r, v128.load(g0 + 2 * block + j))));
      v128.store(a0 + j, r);
      v128.store(a0 + block + j, z);
      v128.store(a0 + 2 * block + j, n);
      v128.store(hNext + s0 + j, f32x4.add(f32x4.mul(f32x4.sub(v128.load(h + s0 + j), n), z), n));
    }
  }
}

/** Gradients of both gate sets and of h from that of h'; hn is h_n (the third hidden-gate block), B rows of H. */
export function gruBackwardF32(B: i32, H: i32, act: usize, hn: usize, h: usize, dhNext: usize, dInputGates: usize, dHiddenGates: usize, dh: usize): void {
  const block = <usize>H << 2;
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const row = <usize>b * block * 3, s0 = <usize>b * block;
    const a0 = act + row, di = dInputGates + row, dg = dHiddenGates + row;
    for (let j: usize = 0; j < block; j += 16) {
      const r = v128.load(a0 + j), z = v128.load(a0 + block + j), n = v128.load(a0 + 2 * block + j);
      const d = v128.load(dhNext + s0 + j);
      const dPreN = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dPreR = f32x4.mul(f32x4.mul(dPreN, v128.load(hn + s0 + j)), f32x4.mul(r, f32x4.sub(one, r)));
      const dPreZ = f32x4.mul(f32x4.mul(d, f32x4.sub(v128.load(h + s0 + j), n)), f32x4.mul(z, f32x4.sub(one, z)));
      v128.store(di + j, dPreR);
      v128.store(dg + j, dPreR);
      v128.store(di + block + j, dPreZ);
      v128.store(dg + block + j, dPreZ);
      v128.store(di + 2 * block + j, dPreN);
      v128.store(dg + 2 * block + j, f32x4.mul(dPreN, r));
      v128.store(dh + s0 + j, f32x4.mul(d, z));
    }
  }
}
