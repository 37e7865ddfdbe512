import * as special from "./special";
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
  const { shape, strides } = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const [a, b, c] = inputs;
  const O = out.buf, A = a?.buf ?? EMPTY, B = b?.buf ?? EMPTY, C = c?.buf ?? EMPTY;
  const nd = shape.length;
  if (nd === 0) {
    O[out.offset] = f(A[a?.offset ?? 0]!, B[b?.offset ?? 0]!, C[c?.offset ?? 0]!, s0, s1);
    return;
  }
  // strides and offsets of inputs that are not there read element 0 of EMPTY
  const views = [0, 1, 2, 3].map((k) => strides[k] ?? new Array<number>(nd).fill(0));
  const offsets = [out.offset, a?.offset ?? 0, b?.offset ?? 0, c?.offset ?? 0];
  const n = shape[nd - 1]!;
  const [so, sa, sb, sc] = views.map((s) => s[nd - 1]!) as [number, number, number, number];
  const copyRow = op === "copy" && so === 1 && sa === 1 && O.constructor === A.constructor;
  forEachIndex(shape.slice(0, -1), views.map((s) => s.slice(0, -1)), offsets, (p) => {
    const po = p[0]!, pa = p[1]!, pb = p[2]!, pc = p[3]!;
    // a row copy between arrays of one type is one block move (cat, stack, contiguous() of row slices)
    if (copyRow) (O as Float64Array).set((A as Float64Array).subarray(pa, pa + n), po);
    else for (let j = 0; j < n; j++) O[po + j * so] = f(A[pa + j * sa]!, B[pb + j * sb]!, C[pc + j * sc]!, s0, s1);
  });
}
