// Float32 sums accumulated in float64, four lanes at a time: each float32 is widened exactly,
// so a sum carries no more error than the TypeScript kernel's double accumulator. Rows are
// packed n elements apart by the caller; sums are written as float64 for the caller to round.

/** Lanes 2 and 3 of a float32x4 moved to lanes 0 and 1, for promote_low. */
@inline function upper(v: v128): v128 {
  return i64x2.shuffle(v, v, 1, 0);
}

@inline function widenedSum(a: v128, b: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b));
}

/** out[r] = Σ_j x[r·n + j] for r < rows (out float64). */
export function sumRowsF32(rows: i32, n: i32, x: usize, out: usize): void {
  for (let r = 0; r < rows; r++, out += 8) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let j = 0;
    for (; j + 8 <= n; j += 8, x += 32) {
      const u = v128.load(x), v = v128.load(x, 16);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(u));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(upper(u)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(upper(v)));
    }
    const a = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
    for (; j < n; j++, x += 4) s += <f64>load<f32>(x);
    store<f64>(out, s);
  }
}

/** acc[j] += Σ_r x[r·n + j] for j < n (acc float64), two rows per pass over acc. */
export function sumColumnsF32(rows: i32, n: i32, x: usize, acc: usize): void {
  const row = <usize>n << 2;
  let r = 0;
  for (; r + 2 <= rows; r += 2, x += row << 1) {
    const y = x + row;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const u = v128.load(x + (<usize>j << 2)), v = v128.load(y + (<usize>j << 2));
      const p = acc + (<usize>j << 3);
      v128.store(p, f64x2.add(v128.load(p), widenedSum(u, v)));
      v128.store(p, f64x2.add(v128.load(p, 16), widenedSum(upper(u), upper(v))), 16);
    }
    for (; j < n; j++) {
      const p = acc + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + (<f64>load<f32>(x + (<usize>j << 2)) + <f64>load<f32>(y + (<usize>j << 2))));
    }
  }
  if (r < rows) {
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const u = v128.load(x + (<usize>j << 2));
      const p = acc + (<usize>j << 3);
      v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(u)));
      v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(upper(u))), 16);
    }
    for (; j < n; j++) {
      const p = acc + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(x + (<usize>j << 2)));
    }
  }
}
