// C = A·B for a few rows of A (float32), without packing: for one row of A the panels would
// cost as much as the product. B is read in its own layout: row-major B (rows contiguous
// along n) by scaled row additions, a transposed B (columns contiguous along k) by dot
// products four columns at a time. Pointers are byte addresses, strides in elements.

/** Whether gemvF32 handles B's layout. */
export function gemvFitsF32(bRow: i32, bCol: i32): bool {
  return bCol == 1 || bRow == 1;
}

/** The row of A at `a` gathered into `scratch` (contiguous along k) unless it already is. */
function contiguousRow(K: i32, a: usize, aCol: i32, scratch: usize): usize {
  if (aCol == 1) return a;
  for (let k = 0; k < K; k++) store<f32>(scratch + (<usize>k << 2), load<f32>(a + <usize>(k * aCol * 4)));
  return scratch;
}

/** C (+)= A·B: with `accumulate` (1) the product is added to C. */
export function gemvF32(M: i32, N: i32, K: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, c: usize, accumulate: i32, scratch: usize): void {
  for (let i = 0; i < M; i++) {
    const row = contiguousRow(K, a + <usize>(i * aRow * 4), aCol, scratch);
    const out = c + (<usize>(i * N) << 2);
    if (bCol == 1) axpyRows(N, K, row, b, bRow, out, accumulate != 0);
    else dotColumns(N, K, row, b, bCol, out, accumulate != 0);
  }
}

/** out[j] = Σ_k row[k] · B[k, j] with B's rows contiguous: out += row[k] · B[k, :] for each k. */
function axpyRows(N: i32, K: i32, row: usize, b: usize, bRow: i32, out: usize, accumulate: bool): void {
  if (!accumulate) memory.fill(out, 0, <usize>N << 2);
  const N4 = N & ~3;
  for (let k = 0; k < K; k++) {
    const s = load<f32>(row + (<usize>k << 2));
    const vs = f32x4.splat(s);
    const src = b + <usize>(k * bRow * 4);
    let j = 0;
    for (; j < N4; j += 4) {
      const p = out + (<usize>j << 2);
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(vs, v128.load(src + (<usize>j << 2)))));
    }
    for (; j < N; j++) {
      const p = out + (<usize>j << 2);
      store<f32>(p, load<f32>(p) + s * load<f32>(src + (<usize>j << 2)));
    }
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** out[j] = Σ_k row[k] · B[k, j] with B's columns contiguous along k (stride bCol between columns). */
function dotColumns(N: i32, K: i32, row: usize, b: usize, bCol: i32, out: usize, accumulate: bool): void {
  const K4 = K & ~3;
  const ld = <usize>(bCol * 4);
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    const col = b + <usize>j * ld;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) {
      const off = <usize>k << 2;
      const x = v128.load(row + off);
      s0 = f32x4.add(s0, f32x4.mul(x, v128.load(col + off)));
      s1 = f32x4.add(s1, f32x4.mul(x, v128.load(col + ld + off)));
      s2 = f32x4.add(s2, f32x4.mul(x, v128.load(col + 2 * ld + off)));
      s3 = f32x4.add(s3, f32x4.mul(x, v128.load(col + 3 * ld + off)));
    }
    let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
    for (let k = K4; k < K; k++) {
      const x = load<f32>(row + (<usize>k << 2));
      const off = <usize>k << 2;
      t0 += x * load<f32>(col + off);
      t1 += x * load<f32>(col + ld + off);
      t2 += x * load<f32>(col + 2 * ld + off);
      t3 += x * load<f32>(col + 3 * ld + off);
    }
    const p = out + (<usize>j << 2);
    if (accumulate) {
      t0 += load<f32>(p);
      t1 += load<f32>(p, 4);
      t2 += load<f32>(p, 8);
      t3 += load<f32>(p, 12);
    }
    store<f32>(p, t0);
    store<f32>(p, t1, 4);
    store<f32>(p, t2, 8);
    store<f32>(p, t3, 12);
  }
  for (; j < N; j++) {
    const col = b + <usize>j * ld;
    let t: f32 = 0;
    for (let k = 0; k < K; k++) t += load<f32>(row + (<usize>k << 2)) * load<f32>(col + (<usize>k << 2));
    const p = out + (<usize>j << 2);
    store<f32>(p, accumulate ? load<f32>(p) + t : t);
  }
}
