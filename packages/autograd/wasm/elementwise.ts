// Elementwise float32 kernels over dense arrays of n elements, four lanes at a time. Arrays
// are padded to a multiple of 4 elements by the caller; padding lanes compute garbage that is
// never read. An operand flagged scalar is one element, broadcast to every lane.

// op codes shared with src/kernels/wasm/elementwise.ts
const NEG = 1, EXP = 2, TANH = 3, SIGMOID = 4, RELU = 5, SQRT = 6;
const ADD = 10, SUB = 11, MUL = 12, DIV = 13, ADD_SCALED = 14, TANH_GRAD = 15, SIGMOID_GRAD = 16;
const ADDCMUL = 20, ADDCDIV = 21, WHERE = 22;

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** e^x per lane: x = n·ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial, 2^n from the exponent bits. */
@inline function exp4(x: v128): v128 {
  const big = f32x4.gt(x, f32x4.splat(88.72283));
  const tiny = f32x4.lt(x, f32x4.splat(-87.33654));
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.0 / 720.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  const y = f32x4.mul(p, scale);
  return v128.bitselect(f32x4.splat(Infinity), v128.bitselect(f32x4.splat(0), y, tiny), big);
}

/** tanh per lane: odd polynomial for |x| < 0.5, else 1 - 2 / (e^{2|x|} + 1) with the sign of x. */
@inline function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const x2 = f32x4.mul(x, x);
  // Taylor series to x^13 (relative error < 1e-8 for |x| < 0.5)
  let p = f32x4.splat(-0.00359212803657248); // -1382/155925 · ... coefficient of x^13
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(0.00886323552990220)); // x^11
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-0.0218694885361552)); // x^9
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(0.0539682539682540)); //  x^7
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-0.133333333333333)); //  x^5
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(0.333333333333333)); //   x^3
  const small = f32x4.sub(x, f32x4.mul(f32x4.mul(p, x2), x));
  const e = exp4(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.5)));
}

@inline function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(x))));
}

export function unaryF32(op: i32, n: i32, x: usize, out: usize): void {
  const end = out + (<usize>((n + 3) & ~3) << 2);
  for (; out < end; out += 16, x += 16) {
    const a = v128.load(x);
    let y = a;
    switch (op) {
      case NEG: y = f32x4.neg(a); break;
      case EXP: y = exp4(a); break;
      case TANH: y = tanh4(a); break;
      case SIGMOID: y = sigmoid4(a); break;
      case RELU: y = v128.bitselect(a, f32x4.splat(0), v128.or(f32x4.gt(a, f32x4.splat(0)), f32x4.ne(a, a))); break;
      case SQRT: y = f32x4.sqrt(a); break;
      default: unreachable();
    }
    v128.store(out, y);
  }
}

export function binaryF32(op: i32, n: i32, a: usize, aScalar: bool, b: usize, bScalar: bool, out: usize, s0: f32): void {
  const end = out + (<usize>((n + 3) & ~3) << 2);
  const sa: usize = aScalar ? 0 : 16;
  const sb: usize = bScalar ? 0 : 16;
  const k = f32x4.splat(s0);
  for (; out < end; out += 16, a += sa, b += sb) {
    const va = aScalar ? v128.load32_splat(a) : v128.load(a);
    const vb = bScalar ? v128.load32_splat(b) : v128.load(b);
    let y = va;
    switch (op) {
      case ADD: y = f32x4.add(va, vb); break;
      case SUB: y = f32x4.sub(va, vb); break;
      case MUL: y = f32x4.mul(va, vb); break;
      case DIV: y = f32x4.div(va, vb); break;
      case ADD_SCALED: y = f32x4.add(va, f32x4.mul(k, vb)); break;
      case TANH_GRAD: y = f32x4.mul(va, f32x4.sub(f32x4.splat(1), f32x4.mul(vb, vb))); break;
      case SIGMOID_GRAD: y = f32x4.mul(f32x4.mul(va, vb), f32x4.sub(f32x4.splat(1), vb)); break;
      default: unreachable();
    }
    v128.store(out, y);
  }
}

export function ternaryF32(op: i32, n: i32, a: usize, aScalar: bool, b: usize, bScalar: bool, c: usize, cScalar: bool, out: usize, s0: f32): void {
  const end = out + (<usize>((n + 3) & ~3) << 2);
  const sa: usize = aScalar ? 0 : 16;
  const sb: usize = bScalar ? 0 : 16;
  const sc: usize = cScalar ? 0 : 16;
  const k = f32x4.splat(s0);
  for (; out < end; out += 16, a += sa, b += sb, c += sc) {
    const va = aScalar ? v128.load32_splat(a) : v128.load(a);
    const vb = bScalar ? v128.load32_splat(b) : v128.load(b);
    const vc = cScalar ? v128.load32_splat(c) : v128.load(c);
    let y = va;
    switch (op) {
      case ADDCMUL: y = f32x4.add(va, f32x4.mul(f32x4.mul(k, vb), vc)); break;
      case ADDCDIV: y = f32x4.add(va, f32x4.div(f32x4.mul(k, vb), vc)); break;
      // a !== 0 selects b: NaN selects b, ±0 selects c
      case WHERE: y = v128.bitselect(vb, vc, f32x4.ne(va, f32x4.splat(0))); break;
      default: unreachable();
    }
    v128.store(out, y);
  }
}
