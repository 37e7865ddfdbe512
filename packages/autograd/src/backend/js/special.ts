/**
 * Scalar special functions to float64 accuracy. erf and erfc are W. J. Cody's rational Chebyshev
 * approximations (Math. Comp. 23, 1969, as in his CALERF): |x| <= 0.46875, <= 4 and beyond.
 */

const A = [3.1611237438705656, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const C = [
  0.5641884969886701, 8.883149794388376, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707, 2051.0783778260716,
  1230.3393547979972, 2.1531153547440383e-8,
];
const D = [15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247, 3439.3676741437216, 1230.3393548037495];
const P = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4, 0.016315387137302097];
const Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erfc(y) for y > 0.46875: the two outer ranges of Cody's approximation. */
function erfcOuter(y: number): number {
  let r: number;
  if (y <= 4) {
    let num = C[8]! * y, den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y;
      den = (den + D[i]!) * y;
    }
    r = (num + C[7]!) / (den + D[7]!);
  } else {
    if (y >= 26.543) return 0;
    const z = 1 / (y * y);
    let num = P[5]! * z, den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]!) * z;
      den = (den + Q[i]!) * z;
    }
    r = (ONE_OVER_SQRT_PI - (z * (num + P[4]!)) / (den + Q[4]!)) / y;
  }
  // exp(-y²) split as exp(-s²)·exp(-(y-s)(y+s)) with s = y rounded down to 1/16: no cancellation
  const s = Math.trunc(y * 16) / 16;
  return Math.exp(-s * s) * Math.exp(-(y - s) * (y + s)) * r;
}

/** erf(x) for |x| <= 0.46875. */
function erfInner(x: number): number {
  const z = Math.abs(x) > 1.11e-16 ? x * x : 0;
  let num = A[4]! * z, den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]!) * z;
    den = (den + B[i]!) * z;
  }
  return (x * (num + A[3]!)) / (den + B[3]!);
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfInner(x);
  if (x !== x) return x;
  const r = 0.5 - erfcOuter(y) + 0.5;
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfInner(x);
  if (x !== x) return x;
  const r = erfcOuter(y);
  return x < 0 ? 2 - r : r;
}

/**
 * The inverse of erf on [-1, 1] (±inf at ±1, NaN outside). A closed-form first guess
 * (Winitzki's) refined by three Halley steps on erf(x) = y, or on erfc(x) = 1 - |y| where
 * |y| > 0.5 (1 - |y| is then exact, so the result stays accurate up to ±1).
 */
export function erfinv(y: number): number {
  const t = Math.abs(y);
  if (!(t <= 1)) return NaN;
  if (t === 1) return y * Infinity;
  if (t === 0) return y;
  const a = 0.147, l = Math.log((1 - t) * (1 + t)), u = 2 / (Math.PI * a) + l / 2;
  let x = Math.sqrt(Math.sqrt(u * u - l / a) - u);
  for (let i = 0; i < 3; i++) {
    const f = t > 0.5 ? 1 - t - erfc(x) : erf(x) - t; // both increase with x
    const r = f / (2 * ONE_OVER_SQRT_PI * Math.exp(-x * x));
    x -= r / (1 + x * r); // Halley: f''/f' = -2x
  }
  return y < 0 ? -x : x;
}

/** Rounds half to even, as PyTorch's round (std::nearbyint). */
export function roundHalfEven(a: number): number {
  const r = Math.round(a);
  return r - a === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? a * 0 : r;
}

/** C's fmod: a - trunc(a / b)·b with the sign of a, exact. */
export function fmod(a: number, b: number): number {
  return a % b;
}

/** Python's modulo: the sign of b (PyTorch's remainder). */
export function remainder(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

/** PyTorch's floor division of floats (div_floor): Python's a // b, not floor(a / b). */
export function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const m = a % b;
  let div = (a - m) / b;
  if (m !== 0 && b < 0 !== m < 0) div -= 1;
  if (div === 0) return (a / b) * 0; // a signed zero: the sign of a / b
  const floored = Math.floor(div);
  return div - floored > 0.5 ? floored + 1 : floored;
}

/** Integer floor division (int32); the caller rejects b = 0. */
export function floorDivideInt(a: number, b: number): number {
  const q = Math.trunc(a / b);
  return (q * b !== a && a < 0 !== b < 0 ? q - 1 : q) | 0;
}

/** int32 a^b by squaring, wrapping like C; for b < 0: 1 for a = 1, ±1 for a = -1, else 0 (PyTorch's powi). */
export function powInt(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  for (let base = a; b > 0; b >>>= 1, base = Math.imul(base, base)) if (b & 1) result = Math.imul(result, base);
  return result;
}

/** |a| with the sign bit of b (-0 and NaN's sign included). */
export function copysign(a: number, b: number): number {
  const negative = b < 0 || (b === 0 && 1 / b < 0) || (b !== b && signBitOfNaN(b));
  const m = Math.abs(a);
  return negative ? -m : m;
}

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
function signBitOfNaN(x: number): boolean {
  f64[0] = x;
  return (u8[7]! & 0x80) !== 0;
}

/** log(e^a + e^b) without overflow; equal infinities give themselves. */
export function logaddexp(a: number, b: number): number {
  if (a === b && (a === Infinity || a === -Infinity)) return a;
  const m = a > b ? a : b;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** log2(2^a + 2^b) without overflow. */
export function logaddexp2(a: number, b: number): number {
  if (a === b && (a === Infinity || a === -Infinity)) return a;
  const m = a > b ? a : b;
  return m + Math.log1p(Math.pow(2, -Math.abs(a - b))) / Math.LN2;
}

/** C's pow: 1 for 1^y and (-1)^±inf, which JavaScript's Math.pow makes NaN. */
export function pow(a: number, b: number): number {
  return a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : Math.pow(a, b);
}

/** |a - b| finite and within atol + |rtol·b| (isclose). */
export function within(a: number, b: number, rtol: number, atol: number): boolean {
  const d = Math.abs(a - b);
  return d !== Infinity && d <= atol + Math.abs(rtol * b);
}
