// softmax and log-softmax of float32 rows (see src/kernels/softmax.ts), four lanes at a time:
// `rows` rows of n floats, packed n apart. Row maxima and sums are widened to float64.
import { exp4 } from "./elementwise";

/** Lanes 2 and 3 of a float32x4 moved to lanes 0 and 1, for promote_low. */
@inline function upper(v: v128): v128 {
  return i64x2.shuffle(v, v, 1, 0);
}

@inline function widened(v: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(upper(v)));
}

@inline function lanesSum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** The row's max; NaN if the row holds one (f32x4.max propagates NaN). */
@inline function rowMax(x: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) m = f32x4.max(m, v128.load(x + (<usize>j << 2)));
  let s = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; j < n; j++) s = max(s, load<f32>(x + (<usize>j << 2)));
  return s;
}

/** Σ exp(x - m) over the row; with `keep`, each exp(x - m) is written to y as well. */
@inline function expSum(x: usize, y: usize, n: i32, m: f32, keep: bool): f64 {
  const mv = f32x4.splat(m);
  let acc = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const e = exp4(f32x4.sub(v128.load(x + (<usize>j << 2)), mv));
    if (keep) v128.store(y + (<usize>j << 2), e);
    acc = f64x2.add(acc, widened(e));
  }
  let s = lanesSum(acc);
  for (; j < n; j++) {
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(x + (<usize>j << 2)) - m)), 0);
    if (keep) store<f32>(y + (<usize>j << 2), e);
    s += <f64>e;
  }
  return s;
}

/** y = (x - m) - log Σ exp(x - m) (log) or exp(x - m) / Σ exp(x - m), row by row. */
export function softmaxRowsF32(rows: i32, n: i32, x: usize, y: usize, log: i32): void {
  const row = <usize>n << 2;
  for (let r = 0; r < rows; r++, x += row, y += row) {
    const m = rowMax(x, n);
    const total = expSum(x, y, n, m, !log);
    if (log) {
      const mv = f32x4.splat(m), lv = f32x4.splat(<f32>Math.log(total));
      let j = 0;
      for (; j + 4 <= n; j += 4) v128.store(y + (<usize>j << 2), f32x4.sub(f32x4.sub(v128.load(x + (<usize>j << 2)), mv), lv));
      for (; j < n; j++) store<f32>(y + (<usize>j << 2), load<f32>(x + (<usize>j << 2)) - m - f32x4.extract_lane(lv, 0));
    } else {
      const scale = f32x4.splat(<f32>(1 / total));
      let j = 0;
      for (; j + 4 <= n; j += 4) v128.store(y + (<usize>j << 2), f32x4.mul(v128.load(y + (<usize>j << 2)), scale));
      for (; j < n; j++) store<f32>(y + (<usize>j << 2), load<f32>(y + (<usize>j << 2)) * f32x4.extract_lane(scale, 0));
    }
  }
}

/** dx = g - exp(y)·Σg (log) or y·(g - Σ g·y), row by row. */
export function softmaxBackwardRowsF32(rows: i32, n: i32, y: usize, g: usize, dx: usize, log: i32): void {
  const row = <usize>n << 2;
  for (let r = 0; r < rows; r++, y += row, g += row, dx += row) {
    let acc = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const gv = v128.load(g + (<usize>j << 2));
      acc = f64x2.add(acc, widened(log ? gv : f32x4.mul(gv, v128.load(y + (<usize>j << 2)))));
    }
    let s = lanesSum(acc);
    for (; j < n; j++) s += <f64>(log ? load<f32>(g + (<usize>j << 2)) : load<f32>(g + (<usize>j << 2)) * load<f32>(y + (<usize>j << 2)));
    const sv = f32x4.splat(<f32>s);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const yv = v128.load(y + (<usize>j << 2)), gv = v128.load(g + (<usize>j << 2));
      v128.store(dx + (<usize>j << 2), log ? f32x4.sub(gv, f32x4.mul(exp4(yv), sv)) : f32x4.mul(yv, f32x4.sub(gv, sv)));
    }
    for (; j < n; j++) {
      const yv = load<f32>(y + (<usize>j << 2)), gv = load<f32>(g + (<usize>j << 2));
      store<f32>(dx + (<usize>j << 2), log ? gv - f32x4.extract_lane(exp4(f32x4.splat(yv)), 0) * <f32>s : yv * (gv - <f32>s));
    }
  }
}
