// C = A·B for one matrix pair, single precision or double (T = f32 | f64), WebAssembly SIMD.
// AssemblyScript source: built by scripts/build-wasm.mjs into src/kernels/wasm/binary.ts.
//
// A (M×K) and B (K×N) are read through element strides (transposed, broadcast or flipped views
// work without a copy); C is row-major M×N with rows ldc elements apart (a block of columns of a
// wider C is one thread's share of a product). The classic blocked scheme: B is packed
// into KC×NR column slivers, A into MR×KC row slivers, and a register-blocked micro-kernel
// computes one MR×NR tile of C from a pair of slivers. Pointers are byte addresses.

const MR = 4; //   rows of a C tile
const KC = 256; // depth of one packed block
const MC = 64; //  rows of A packed at once (MC×KC stays in L2)
const NC = 512; // columns of B packed at once
// NR = 32 bytes of columns: 8 f32 or 4 f64 (two 128-bit vectors per row of the tile).

/** Bytes of the MR×NR scratch tile for the ragged edges of C (in the caller's work area, so threads sharing one memory never share it). */
const EDGE_BYTES = MR * 32;

@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

@inline function nr<T>(): i32 {
  return 32 / <i32>sizeof<T>();
}

/**
 * Writes the 4×4 f32 block whose columns are v0..v3 as four rows at dst, dst + step, ...:
 * four vectors read along k become four rows of the packed panel.
 */
@inline function storeTransposed4(dst: usize, step: usize, v0: v128, v1: v128, v2: v128, v3: v128): void {
  const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/** Packs rows [0, kc) × cols [0, nc) of B (at b) into slivers of NR columns, zero padded. */
function packB<T>(kc: i32, nc: i32, b: usize, bRow: i32, bCol: i32, dst: usize): void {
  const S = <i32>sizeof<T>();
  const NR = nr<T>();
  for (let j = 0; j < nc; j += NR) {
    const w = min(NR, nc - j);
    const col = b + <usize>(j * bCol * S);
    if (w == NR && bCol == 1) {
      for (let k = 0; k < kc; k++) {
        const src = col + <usize>(k * bRow * S);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += 32;
      }
    } else if (w == NR && bRow == 1 && S == 4 && (kc & 3) == 0) {
      // a transposed B (the Wᵀ of a linear layer): each column is contiguous along k
      const ld = <usize>(bCol * 4);
      for (let k = 0; k < kc; k += 4) {
        const src = col + <usize>(k * 4);
        storeTransposed4(dst, 32, v128.load(src), v128.load(src + ld), v128.load(src + 2 * ld), v128.load(src + 3 * ld));
        storeTransposed4(dst + 16, 32, v128.load(src + 4 * ld), v128.load(src + 5 * ld), v128.load(src + 6 * ld), v128.load(src + 7 * ld));
        dst += 128;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = col + <usize>(k * bRow * S);
        for (let c = 0; c < NR; c++) store<T>(dst + c * S, c < w ? load<T>(src + <usize>(c * bCol * S)) : <T>0);
        dst += 32;
      }
    }
  }
}

/** Packs rows [0, mc) × cols [0, kc) of A (at a) into slivers of MR rows, zero padded. */
function packA<T>(mc: i32, kc: i32, a: usize, aRow: i32, aCol: i32, dst: usize): void {
  const S = <i32>sizeof<T>();
  for (let i = 0; i < mc; i += MR) {
    const h = min(MR, mc - i);
    const row = a + <usize>(i * aRow * S);
    if (h == MR && aRow == 1 && S == 4) {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(row + <usize>(k * aCol * S)));
        dst += MR * S;
      }
    } else if (h == MR && aCol == 1 && S == 4 && (kc & 3) == 0) {
      // a row-major A: four rows, each contiguous along k
      const ld = <usize>(aRow * 4);
      for (let k = 0; k < kc; k += 4) {
        const src = row + <usize>(k * 4);
        storeTransposed4(dst, 16, v128.load(src), v128.load(src + ld), v128.load(src + 2 * ld), v128.load(src + 3 * ld));
        dst += 64;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = row + <usize>(k * aCol * S);
        for (let r = 0; r < MR; r++) store<T>(dst + r * S, r < h ? load<T>(src + <usize>(r * aRow * S)) : <T>0);
        dst += MR * S;
      }
    }
  }
}

/**
 * One MR×NR tile: c (+)= packed A sliver · packed B sliver; h×w of it is inside C. With a bias
 * (a pointer to the tile's NR columns of a row added to every row; 0: none) the sums start from it.
 */
@inline function microKernel<T>(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: bool, h: i32, w: i32, edge: usize, bias: usize): void {
  const S = <i32>sizeof<T>();
  const b0 = bias ? v128.load(bias) : v128.splat<T>(0), b1 = bias ? v128.load(bias, 16) : v128.splat<T>(0);
  let c00 = b0, c01 = b1;
  let c10 = b0, c11 = b1;
  let c20 = b0, c21 = b1;
  let c30 = b0, c31 = b1;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load_splat<T>(pa);
    c00 = madd<T>(a, b0, c00);
    c01 = madd<T>(a, b1, c01);
    a = v128.load_splat<T>(pa + S);
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    a = v128.load_splat<T>(pa + 2 * S);
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    a = v128.load_splat<T>(pa + 3 * S);
    c30 = madd<T>(a, b0, c30);
    c31 = madd<T>(a, b1, c31);
    pa += MR * S;
    pb += 32;
  }
  const full = h == MR && w == nr<T>();
  let out = full ? c : edge;
  const ld = full ? ldc : 32;
  if (full && accumulate) {
    c00 = v128.add<T>(c00, v128.load(out)); c01 = v128.add<T>(c01, v128.load(out, 16)); out += ld;
    c10 = v128.add<T>(c10, v128.load(out)); c11 = v128.add<T>(c11, v128.load(out, 16)); out += ld;
    c20 = v128.add<T>(c20, v128.load(out)); c21 = v128.add<T>(c21, v128.load(out, 16)); out += ld;
    c30 = v128.add<T>(c30, v128.load(out)); c31 = v128.add<T>(c31, v128.load(out, 16));
    out = c;
  }
  v128.store(out, c00); v128.store(out, c01, 16); out += ld;
  v128.store(out, c10); v128.store(out, c11, 16); out += ld;
  v128.store(out, c20); v128.store(out, c21, 16); out += ld;
  v128.store(out, c30); v128.store(out, c31, 16);
  if (!full) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const dst = c + <usize>i * ldc + <usize>(j * S);
        const v = load<T>(edge + <usize>(i * 32 + j * S));
        store<T>(dst, accumulate ? load<T>(dst) + v : v);
      }
    }
  }
}

function gemm<T>(M: i32, N: i32, K: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, c: usize, ldcElements: i32, accumulate: bool, work: usize, bias: usize): void {
  const S = <i32>sizeof<T>();
  const NR = nr<T>();
  const ldc = <usize>(ldcElements * S);
  if (K == 0) {
    if (!accumulate) for (let i = 0; i < M; i++) {
      if (bias) memory.copy(c + <usize>i * ldc, bias, <usize>(N * S));
      else memory.fill(c + <usize>i * ldc, 0, <usize>(N * S));
    }
    return;
  }
  const packedA = work;
  const packedB = work + <usize>(MC * KC * S);
  const edge = packedB + <usize>(KC * NC * S);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB<T>(kc, nc, b + <usize>((pc * bRow + jc * bCol) * S), bRow, bCol, packedB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA<T>(mc, kc, a + <usize>((ic * aRow + pc * aCol) * S), aRow, aCol, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = packedB + <usize>(jr * kc * S);
          for (let ir = 0; ir < mc; ir += MR) {
            const tile = c + <usize>(ic + ir) * ldc + <usize>((jc + jr) * S);
            const first = pc == 0 && !accumulate && bias != 0;
            microKernel<T>(kc, packedA + <usize>(ir * kc * S), pb, tile, ldc, accumulate || pc > 0, min(MR, mc - ir), min(NR, nc - jr), edge, first ? bias + <usize>((jc + jr) * S) : 0);
          }
        }
      }
    }
  }
}

/** Bytes of scratch gemm needs at `work` for element size S. */
export function gemmWorkBytes(S: i32): i32 {
  return (MC * KC + KC * NC) * S + EDGE_BYTES;
}

/**
 * C (+)= A·B: with `accumulate` (1) the product is added to C; else with `bias` (a pointer to N
 * contiguous elements, 0 for none) C = bias row + A·B. The bias row is read NR elements at a
 * time, so up to NR - 1 elements past its end are read (and not used).
 */
export function gemmF32(M: i32, N: i32, K: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, c: usize, ldc: i32, accumulate: i32, work: usize, bias: usize): void {
  gemm<f32>(M, N, K, a, aRow, aCol, b, bRow, bCol, c, ldc, accumulate != 0, work, bias);
}

export function gemmF64(M: i32, N: i32, K: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, c: usize, ldc: i32, accumulate: i32, work: usize, bias: usize): void {
  gemm<f64>(M, N, K, a, aRow, aCol, b, bRow, bCol, c, ldc, accumulate != 0, work, bias);
}
