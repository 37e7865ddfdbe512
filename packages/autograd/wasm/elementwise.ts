// Elementwise float32 kernels, four lanes at a time, one exported loop per op (negF32, addF32,
// whereF32, ...), so that no op is chosen per element.
//
// Unary kernels read n dense elements. Binary and ternary kernels compute `rows` rows of `inner`
// elements, written row after row at `out`; each operand is read at pointer + r·row + j·step
// bytes for row r and vector j: a dense operand has row = 4·inner and step = 16, a row
// broadcast over the rows has row = 0, a value per row has row = 16 and step = 0, a scalar has
// both 0. A broadcast value is stored four times by the caller (one 16-byte vector). Rows are
// computed in whole vectors, so up to 3 lanes past a row's end hold garbage: the next row
// overwrites them, and the caller leaves 16 bytes of padding after each array.

// the op each inlined loop body computes
const NEG = 1, EXP = 2, TANH = 3, SIGMOID = 4, RELU = 5, SQRT = 6;
const ADD = 10, SUB = 11, MUL = 12, DIV = 13, ADD_SCALED = 14, TANH_GRAD = 15, SIGMOID_GRAD = 16;
const ADDCMUL = 20, ADDCDIV = 21, WHERE = 22;

// Constants are loaded from memory: V8 rebuilds a v128.const in every loop iteration (several
// instructions), a load is one.
const ONE = memory.data<f32>([1]);
const ZERO = memory.data<f32>([0]);
const SIGN = memory.data<u32>([0x80000000]);
const EXP_MIN = memory.data<f32>([-88]); // floor(x·log2 e) = -127: 2^n = 0
const EXP_MAX = memory.data<f32>([89]); // floor(x·log2 e) = 128: 2^n = +Inf
const LOG2E = memory.data<f32>([1.44269504088896341]);
const LN2_HI = memory.data<f32>([0.693359375]); // 9 significant bits: n·LN2_HI is exact
const LN2_LO = memory.data<f32>([-2.12194440e-4]);
const ROUND = memory.data<f32>([12582912]); // 1.5·2^23: n + ROUND holds n in its low mantissa bits
const BIAS = memory.data<i32>([127 << 23]);
// e^r - 1 = r + c2 r^2 + ... + c6 r^6 on [0, ln 2): minimax relative error 2.4e-8
const EXPM1_C = memory.data<f32>([0.5000008940696716, 0.16664740443229675, 0.041795939207077026, 0.007960899733006954, 0.0018613141728565097]);
// (tanh x - x) / x^3 as a polynomial in x^2 on |x| <= TANH_SMALL: minimax relative error 1.4e-9
const TANH_SMALL = memory.data<f32>([0.5625]);
const TANH_C = memory.data<f32>([-0.3333331346511841, 0.1333245187997818, -0.05383743718266487, 0.021007489413022995, -0.006179851479828358]);
const TANH_MAX = memory.data<f32>([19]);

/** The i-th float of a constant above, in every lane. */
@inline function k(at: usize, i: i32 = 0): v128 {
  return v128.load32_splat(at + (<usize>i << 2));
}

// e^x = 2^n · e^r with n = floor(x·log2 e) and r = x - n·ln 2 in [0, ln 2).

/** x clamped to [-88, 89], where n runs from -127 (2^n = 0) to 128 (2^n = +Inf); NaN stays NaN. */
@inline function expClamp(x: v128): v128 {
  return f32x4.pmin(f32x4.pmax(x, k(EXP_MIN)), k(EXP_MAX));
}

@inline function expExponent(x: v128): v128 {
  return f32x4.floor(f32x4.mul(x, k(LOG2E)));
}

/** 2^n from the exponent bits, for integral n in [-127, 128]. */
@inline function pow2(n: v128): v128 {
  return i32x4.add(i32x4.shl(f32x4.add(n, k(ROUND)), 23), k(BIAS));
}

/** e^r - 1 for r = x - n·ln 2, in Estrin's scheme (a shorter dependency chain than Horner's). */
@inline function expm1Reduced(x: v128, n: v128): v128 {
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, k(LN2_HI))), f32x4.mul(n, k(LN2_LO)));
  const r2 = f32x4.mul(r, r);
  const p23 = f32x4.add(k(EXPM1_C, 0), f32x4.mul(k(EXPM1_C, 1), r));
  const p46 = f32x4.add(f32x4.add(k(EXPM1_C, 2), f32x4.mul(k(EXPM1_C, 3), r)), f32x4.mul(k(EXPM1_C, 4), r2));
  return f32x4.add(f32x4.add(r, f32x4.mul(p23, r2)), f32x4.mul(p46, f32x4.mul(r2, r2)));
}

/** e^x per lane: +Inf above ln FLT_MAX, 0 below ln FLT_MIN (subnormal results flush to 0). */
@inline export function exp4(x: v128): v128 {
  x = expClamp(x);
  const n = expExponent(x);
  return f32x4.mul(f32x4.add(k(ONE), expm1Reduced(x, n)), pow2(n));
}

/**
 * tanh per lane: an odd polynomial for |x| <= 0.5625, else 1 - 2 / (e^{2|x|} + 1) with
 * 2|x| <= 19 (tanh rounds to 1 from |x| = 9.02); the sign of x goes back on (-0 stays -0).
 */
@inline export function tanh4(x: v128): v128 {
  const sign = v128.and(x, k(SIGN));
  const ax = v128.xor(x, sign);
  const t = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(k(TANH_C, 4), t), k(TANH_C, 3));
  p = f32x4.add(f32x4.mul(p, t), k(TANH_C, 2));
  p = f32x4.add(f32x4.mul(p, t), k(TANH_C, 1));
  p = f32x4.add(f32x4.mul(p, t), k(TANH_C, 0));
  const small = f32x4.add(ax, f32x4.mul(ax, f32x4.mul(t, p)));
  const y = f32x4.pmin(f32x4.add(ax, ax), k(TANH_MAX));
  const n = expExponent(y);
  const one = k(ONE);
  const e = f32x4.mul(f32x4.add(one, expm1Reduced(y, n)), pow2(n));
  const large = f32x4.sub(one, f32x4.div(f32x4.add(one, one), f32x4.add(e, one)));
  return v128.or(v128.bitselect(small, large, f32x4.le(ax, k(TANH_SMALL))), sign);
}

/** 1 / (1 + e^{-x}): exactly 0.5 at 0, 0 below -88.7 (e^{-x} = +Inf), 1 above 17. */
@inline export function sigmoid4(x: v128): v128 {
  const one = k(ONE);
  return f32x4.div(one, f32x4.add(one, exp4(v128.xor(x, k(SIGN)))));
}

@inline function unary(op: i32, a: v128): v128 {
  switch (op) {
    case NEG: return v128.xor(a, k(SIGN));
    case EXP: return exp4(a);
    case TANH: return tanh4(a);
    case SIGMOID: return sigmoid4(a);
    // NaN stays NaN
    case RELU: return v128.bitselect(a, k(ZERO), v128.or(f32x4.gt(a, k(ZERO)), f32x4.ne(a, a)));
    case SQRT: return f32x4.sqrt(a);
    default: unreachable(); return a;
  }
}

@inline function unaryLoop(op: i32, n: i32, x: usize, out: usize): void {
  const end = out + (<usize>((n + 3) & ~3) << 2);
  for (; out + 16 < end; out += 32, x += 32) {
    v128.store(out, unary(op, v128.load(x)));
    v128.store(out, unary(op, v128.load(x, 16)), 16);
  }
  if (out < end) v128.store(out, unary(op, v128.load(x)));
}

export function negF32(n: i32, x: usize, out: usize): void { unaryLoop(NEG, n, x, out); }
export function expF32(n: i32, x: usize, out: usize): void { unaryLoop(EXP, n, x, out); }
export function tanhF32(n: i32, x: usize, out: usize): void { unaryLoop(TANH, n, x, out); }
export function sigmoidF32(n: i32, x: usize, out: usize): void { unaryLoop(SIGMOID, n, x, out); }
export function reluF32(n: i32, x: usize, out: usize): void { unaryLoop(RELU, n, x, out); }
export function sqrtF32(n: i32, x: usize, out: usize): void { unaryLoop(SQRT, n, x, out); }


@inline function binary(op: i32, a: v128, b: v128, s: v128, one: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case ADD_SCALED: return f32x4.add(a, f32x4.mul(s, b));
    case TANH_GRAD: return f32x4.mul(a, f32x4.sub(one, f32x4.mul(b, b)));
    case SIGMOID_GRAD: return f32x4.mul(f32x4.mul(a, b), f32x4.sub(one, b));
    default: unreachable(); return a;
  }
}

@inline function binaryLoop(op: i32, rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void {
  const s = f32x4.splat(s0);
  const one = k(ONE);
  const rowBytes = <usize>inner << 2;
  const rowEnd = <usize>((inner + 3) & ~3) << 2;
  for (let r = 0; r < rows; r++, a += aRow, b += bRow, out += rowBytes) {
    let pa = a, pb = b, po = out;
    const end = out + rowEnd;
    for (; po + 16 < end; po += 32, pa += aStep << 1, pb += bStep << 1) {
      v128.store(po, binary(op, v128.load(pa), v128.load(pb), s, one));
      v128.store(po, binary(op, v128.load(pa + aStep), v128.load(pb + bStep), s, one), 16);
    }
    if (po < end) v128.store(po, binary(op, v128.load(pa), v128.load(pb), s, one));
  }
}

export function addF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(ADD, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }
export function subF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(SUB, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }
export function mulF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(MUL, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }
export function divF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(DIV, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }
export function addScaledF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(ADD_SCALED, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }
export function tanhGradF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(TANH_GRAD, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }
export function sigmoidGradF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, out: usize, s0: f32): void { binaryLoop(SIGMOID_GRAD, rows, inner, a, aRow, aStep, b, bRow, bStep, out, s0); }


@inline function ternary(op: i32, a: v128, b: v128, c: v128, s: v128, zero: v128): v128 {
  switch (op) {
    case ADDCMUL: return f32x4.add(a, f32x4.mul(f32x4.mul(s, b), c));
    case ADDCDIV: return f32x4.add(a, f32x4.div(f32x4.mul(s, b), c));
    // a !== 0 selects b: NaN selects b, ±0 selects c
    case WHERE: return v128.bitselect(b, c, f32x4.ne(a, zero));
    default: unreachable(); return a;
  }
}

@inline function ternaryLoop(op: i32, rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, c: usize, cRow: usize, cStep: usize, out: usize, s0: f32): void {
  const s = f32x4.splat(s0);
  const zero = k(ZERO);
  const rowBytes = <usize>inner << 2;
  const rowEnd = <usize>((inner + 3) & ~3) << 2;
  for (let r = 0; r < rows; r++, a += aRow, b += bRow, c += cRow, out += rowBytes) {
    let pa = a, pb = b, pc = c, po = out;
    const end = out + rowEnd;
    for (; po < end; po += 16, pa += aStep, pb += bStep, pc += cStep) v128.store(po, ternary(op, v128.load(pa), v128.load(pb), v128.load(pc), s, zero));
  }
}

export function addcmulF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, c: usize, cRow: usize, cStep: usize, out: usize, s0: f32): void { ternaryLoop(ADDCMUL, rows, inner, a, aRow, aStep, b, bRow, bStep, c, cRow, cStep, out, s0); }
export function addcdivF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, c: usize, cRow: usize, cStep: usize, out: usize, s0: f32): void { ternaryLoop(ADDCDIV, rows, inner, a, aRow, aStep, b, bRow, bStep, c, cRow, cStep, out, s0); }
export function whereF32(rows: i32, inner: i32, a: usize, aRow: usize, aStep: usize, b: usize, bRow: usize, bStep: usize, c: usize, cRow: usize, cStep: usize, out: usize, s0: f32): void { ternaryLoop(WHERE, rows, inner, a, aRow, aStep, b, bRow, bStep, c, cRow, cStep, out, s0); }
