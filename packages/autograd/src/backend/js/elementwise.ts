import * as special from "./special";
import type { TypedArray } from "../../core/dtype";
import { coalesce, forEachIndex, type StridedView } from "./strided";

type Scalar = (a: number, b: number, c: number, s0: number, s1: number) => number;

/**
 * Elementwise kernels, one scalar function per op: inputs a, b, c; scalar parameters s0, s1.
 * Plain functions (no code generated at run time), so they run under any Content-Security-Policy.
 */
export const ELEMENTWISE = {
  copy: (a) => a,
  neg: (a) => -a,
  exp: (a) => Math.exp(a),
  log: (a) => Math.log(a),
  sqrt: (a) => Math.sqrt(a),
  abs: (a) => Math.abs(a),
  sign: (a) => (a > 0 ? 1 : a < 0 ? -1 : 0), // PyTorch's (0 < a) - (a < 0): +0 for ±0 and NaN
  tanh: (a) => Math.tanh(a),
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  relu: (a) => (a < 0 ? 0 : a), // NaN and -0 pass, as PyTorch's
  clamp: (a, _b, _c, s0, s1) => (a < s0 ? s0 : a > s1 ? s1 : a),
  powScalar: (a, _b, _c, s0) => special.pow(a, s0),
  fill: (_a, _b, _c, s0) => s0,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => special.pow(a, b),
  maximum: (a, b) => (a > b || a !== a ? a : b),
  minimum: (a, b) => (a < b || a !== a ? a : b),
  gt: (a, b) => (a > b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  addScaled: (a, b, _c, s0) => a + s0 * b,
  where: (a, b, c) => (a !== 0 ? b : c),
  addcmul: (a, b, c, s0) => a + s0 * b * c,
  addcdiv: (a, b, c, s0) => a + (s0 * b) / c,
  tanhGrad: (a, b) => a * (1 - b * b),
  sigmoidGrad: (a, b) => a * b * (1 - b),
  toBool: (a) => (a !== 0 ? 1 : 0),
  sin: (a) => Math.sin(a),
  cos: (a) => Math.cos(a),
  tan: (a) => Math.tan(a),
  asin: (a) => Math.asin(a),
  acos: (a) => Math.acos(a),
  atan: (a) => Math.atan(a),
  sinh: (a) => Math.sinh(a),
  cosh: (a) => Math.cosh(a),
  asinh: (a) => Math.asinh(a),
  acosh: (a) => Math.acosh(a),
  atanh: (a) => Math.atanh(a),
  log1p: (a) => Math.log1p(a),
  expm1: (a) => Math.expm1(a),
  log2: (a) => Math.log2(a),
  log10: (a) => Math.log10(a),
  exp2: (a) => Math.pow(2, a),
  erf: (a) => special.erf(a),
  erfc: (a) => special.erfc(a),
  erfinv: (a) => special.erfinv(a),
  floor: (a) => Math.floor(a),
  ceil: (a) => Math.ceil(a),
  round: (a) => special.roundHalfEven(a),
  trunc: (a) => Math.trunc(a),
  logit: (a, _b, _c, s0, s1) => {
    const z = a < s0 ? s0 : a > s1 ? s1 : a;
    return Math.log(z / (1 - z));
  },
  atan2: (a, b) => Math.atan2(a, b),
  fmod: (a, b) => special.fmod(a, b),
  remainder: (a, b) => special.remainder(a, b),
  hypot: (a, b) => Math.hypot(a, b),
  xlogy: (a, b) => (b !== b ? b : a === 0 ? 0 : a * Math.log(b)),
  copysign: (a, b) => special.copysign(a, b),
  logaddexp: (a, b) => special.logaddexp(a, b),
  logaddexp2: (a, b) => special.logaddexp2(a, b),
  divTrunc: (a, b) => Math.trunc(a / b),
  divFloor: (a, b) => special.floorDivide(a, b),
  divFloorInt: (a, b) => special.floorDivideInt(a, b),
  remainderInt: (a, b) => a - Math.imul(special.floorDivideInt(a, b), b),
  powInt: (a, b) => special.powInt(a, b),
  bitwiseAnd: (a, b) => a & b,
  bitwiseOr: (a, b) => a | b,
  bitwiseXor: (a, b) => a ^ b,
  bitwiseNot: (a) => ~a,
  logicalNot: (a) => (a === 0 ? 1 : 0),
  shiftLeft: (a, b) => a << b,
  shiftRight: (a, b) => a >> b,
  isnan: (a) => (a !== a ? 1 : 0),
  isinf: (a) => (a === Infinity || a === -Infinity ? 1 : 0),
  isfinite: (a) => (Number.isFinite(a) ? 1 : 0),
  // |a - b| <= atol + |rtol·b| (s0 rtol, s1 atol); with equalNan two NaNs are close too
  isclose: (a, b, _c, s0, s1) => (a === b || special.within(a, b, s0, s1) ? 1 : 0),
  iscloseNan: (a, b, _c, s0, s1) => (a === b || special.within(a, b, s0, s1) || (a !== a && b !== b) ? 1 : 0),
} satisfies Record<string, Scalar>;

export type ElementwiseOp = keyof typeof ELEMENTWISE;

const EMPTY = new Float64Array(1);

/**
 * out[i] = op(inputs[0][i], inputs[1][i], ...) over out.shape. Inputs must already have out's
 * shape (broadcast dims carry stride 0). `out` may alias an input elementwise (in-place ops).
 */
export function elementwise(op: ElementwiseOp, out: StridedView, inputs: readonly StridedView[], s0 = 0, s1 = 0): void {
  const f: Scalar = ELEMENTWISE[op];
  const [a, b, c] = inputs;
  const O = out.buf, A = a?.buf ?? EMPTY, B = b?.buf ?? EMPTY, C = c?.buf ?? EMPTY;
  const n = flatLength(out, inputs);
  if (n >= 0) {
    // one run of n elements: out contiguous, each input contiguous like it or a single value
    const d = lastMoving(out.shape);
    run(op, f, n, O, out.offset, 1, A, a?.offset ?? 0, step(a, n, d), B, b?.offset ?? 0, step(b, n, d), C, c?.offset ?? 0, step(c, n, d), s0, s1);
    return;
  }
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const nd = shape.length;
  // strides and offsets of inputs that are not there read element 0 of EMPTY
  const views = [0, 1, 2, 3].map((k) => strides[k] ?? new Array<number>(nd).fill(0));
  const offsets = [out.offset, a?.offset ?? 0, b?.offset ?? 0, c?.offset ?? 0];
  const len = shape[nd - 1]!;
  const [so, sa, sb, sc] = views.map((s) => s[nd - 1]!) as [number, number, number, number];
  forEachIndex(shape.slice(0, -1), views.map((s) => s.slice(0, -1)), offsets, (p) => {
    run(op, f, len, O, p[0]!, so, A, p[1]!, sa, B, p[2]!, sb, C, p[3]!, sc, s0, s1);
  });
}

/** An input's step in a flat run of n elements: 1 when it is dense, 0 when it is one value. */
function step(v: StridedView | undefined, n: number, d: number): number {
  return v && n > 1 && v.strides[d] !== 0 ? 1 : 0;
}

/** The innermost dim of size > 1 (the one a flat run steps along), or the last dim. */
function lastMoving(shape: readonly number[]): number {
  let d = shape.length - 1;
  while (d > 0 && shape[d] === 1) d--;
  return d;
}

/**
 * The element count when out is contiguous and each input is either contiguous with out's
 * strides or one value broadcast (all strides 0); else -1. Allocates nothing: the common case of
 * small ops, where a walker's bookkeeping would cost more than the loop.
 */
function flatLength(out: StridedView, inputs: readonly StridedView[]): number {
  const shape = out.shape;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size !== 1 && out.strides[d] !== expected) return -1;
    for (let k = 0; k < inputs.length; k++) {
      const st = inputs[k]!.strides[d]!;
      if (size !== 1 && st !== expected && st !== 0) return -1;
    }
    expected *= size;
  }
  // an input must be dense in every dim or broadcast in every dim
  for (let k = 0; k < inputs.length; k++) {
    const st = inputs[k]!.strides;
    let dense = false, broadcast = false;
    for (let d = 0; d < shape.length; d++) {
      if (shape[d] === 1) continue;
      if (st[d] === 0) broadcast = true;
      else dense = true;
    }
    if (dense && broadcast) return -1;
  }
  return expected;
}

/**
 * One run of n elements at strides so, sa, sb, sc. The ops training runs most have a loop of
 * their own (a call per element through `f` cannot be inlined); the rest call `f`.
 */
function run(op: ElementwiseOp, f: Scalar, n: number, O: TypedArray, oo: number, so: number, A: TypedArray, oa: number, sa: number, B: TypedArray, ob: number, sb: number, C: TypedArray, oc: number, sc: number, s0: number, s1: number): void {
  switch (op) {
    case "copy":
      if (so === 1 && sa === 1 && n > 64 && O.constructor === A.constructor) (O as Float64Array).set((A as Float64Array).subarray(oa, oa + n), oo);
      else for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]!;
      return;
    case "fill": for (let i = 0; i < n; i++) O[oo + i * so] = s0; return;
    case "neg": for (let i = 0; i < n; i++) O[oo + i * so] = -A[oa + i * sa]!; return;
    case "exp": for (let i = 0; i < n; i++) O[oo + i * so] = Math.exp(A[oa + i * sa]!); return;
    case "log": for (let i = 0; i < n; i++) O[oo + i * so] = Math.log(A[oa + i * sa]!); return;
    case "sqrt": for (let i = 0; i < n; i++) O[oo + i * so] = Math.sqrt(A[oa + i * sa]!); return;
    case "tanh": for (let i = 0; i < n; i++) O[oo + i * so] = Math.tanh(A[oa + i * sa]!); return;
    case "sigmoid": for (let i = 0; i < n; i++) O[oo + i * so] = 1 / (1 + Math.exp(-A[oa + i * sa]!)); return;
    case "relu": for (let i = 0; i < n; i++) { const x = A[oa + i * sa]!; O[oo + i * so] = x < 0 ? 0 : x; } return;
    case "add": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! + B[ob + i * sb]!; return;
    case "sub": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! - B[ob + i * sb]!; return;
    case "mul": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! * B[ob + i * sb]!; return;
    case "div": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! / B[ob + i * sb]!; return;
    case "addScaled": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! + s0 * B[ob + i * sb]!; return;
    case "tanhGrad": for (let i = 0; i < n; i++) { const y = B[ob + i * sb]!; O[oo + i * so] = A[oa + i * sa]! * (1 - y * y); } return;
    case "sigmoidGrad": for (let i = 0; i < n; i++) { const y = B[ob + i * sb]!; O[oo + i * so] = A[oa + i * sa]! * y * (1 - y); } return;
    case "addcmul": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! + s0 * B[ob + i * sb]! * C[oc + i * sc]!; return;
    case "addcdiv": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa]! + (s0 * B[ob + i * sb]!) / C[oc + i * sc]!; return;
    case "where": for (let i = 0; i < n; i++) O[oo + i * so] = A[oa + i * sa] !== 0 ? B[ob + i * sb]! : C[oc + i * sc]!; return;
    default: for (let i = 0; i < n; i++) O[oo + i * so] = f(A[oa + i * sa]!, B[ob + i * sb]!, C[oc + i * sc]!, s0, s1);
  }
}
