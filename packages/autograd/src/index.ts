/**
 * Strided tensors, ops with their backward rules, the tape, gradcheck, a seeded RNG and two
 * kernel backends.
 * @module @tapegrad/autograd
 */
export { setBackend, getBackend, backendAvailable, getThreads, type BackendName } from "./backend/select";
export { DTYPES, type DType, type TypedArray } from "./core/dtype";
export { Tensor, isTensor, type NestedArray } from "./core/tensor";
export {
  tensor, zeros, ones, full, arange, eye, randn, rand, randint, randperm,
  zerosLike, onesLike, fullLike, randnLike, randLike, persistentData,
  type CreateOptions, type RandomOptions,
} from "./core/creation";
export { emptyLike, linspace, logspace, triuIndices, trilIndices } from "./core/creation";
export { multinomial, bernoulli } from "./core/sampling";
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from "./core/random";
export { noGrad, enableGrad, isGradEnabled, detectAnomaly } from "./core/mode";
export { grad, type GradOptions } from "./core/grad";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./core/gradcheck";
export { gradgradcheck, type GradgradcheckOptions } from "./core/gradcheck";
export * as functional from "./core/functional";
export { checkpoint } from "./core/checkpoint";
export { customOp, OpContext, type OpDefinition } from "./core/op";
export { recordCalls, type OpCall } from "./core/calls";
export type { BackwardOptions, Hook, Node } from "./core/tape";
export { broadcastShapes } from "./core/shape";
export { checkInt, checkNumber, checkProbability, show as describeValue, MAX_ELEMENTS } from "./core/validate";
export { PRIMITIVES, type Primitive } from "./ops/primitives";

export {
  add, sub, mul, pow, maximum, minimum, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, clamp, where,
  gt, lt, ge, le, eq, ne, cast,
} from "./ops/pointwise";
export {
  sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, log1p, expm1, log2, log10, exp2,
  erf, erfc, erfinv, sign, floor, ceil, round, trunc, logit,
} from "./ops/unary";
export { div, atan2, fmod, remainder, hypot, xlogy, copysign, logaddexp, logaddexp2, type DivOptions } from "./ops/binary";
export { reciprocal, rsqrt, square, frac, lerp, addcmul, addcdiv, nanToNum, type AddcOptions, type NanToNumOptions } from "./ops/arith";
export {
  softplus, logsigmoid, silu, gelu, mish, elu, selu, celu, leakyRelu, hardtanh, relu6, hardsigmoid, hardswish, softsign,
  type SoftplusOptions, type GeluOptions,
} from "./ops/activation";
export { isnan, isinf, isfinite, isclose, allclose, equal, type IscloseOptions } from "./ops/predicates";
export { bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseNot, bitwiseLeftShift, bitwiseRightShift } from "./ops/integer";
export { sum, mean, max, min, amax, argmax, argmin, logSumExp, softmax, logSoftmax } from "./ops/reduce";
export { matmul, linear } from "./ops/matmul";
export { amin } from "./ops/extremes";
export { fusedLstmCell, fusedGruCell } from "./ops/cells";
export { reshape, view, permute, transpose, expand, slice, narrow, select, squeeze, unsqueeze, flatten, flip, contiguous, clone, sumTo } from "./ops/movement";
export { cat, stack, split, chunk, unbind } from "./ops/join";
export { gather, indexSelect, scatterAdd } from "./ops/indexing";
export { prod, variance, std, varMean, stdMean, nansum, nanmean, all, any, countNonzero, type VarOptions } from "./ops/stats";
export { norm, normalize, type NormalizeOptions } from "./ops/norm";
export { cumsum, cumprod, logcumsumexp, cummax, cummin } from "./ops/scan";
export { sort, argsort, topk, kthvalue, median, mode, type SortOptions } from "./ops/sort";
export { repeat, tile, repeatInterleave, roll, movedim, swapaxes, unflatten, meshgrid, tril, triu } from "./ops/rearrange";
export { diagonal, diagEmbed, diag, trace, unfold } from "./ops/views";
export { maskedFill, maskedSelect, take, takeAlongDim } from "./ops/masking";
export { nonzero, argwhere, type NonzeroOptions } from "./ops/nonzero";
export { scatter, scatterReduce, type ScatterReduction } from "./ops/scatter";
export { index, indexPut, type Indices } from "./ops/advanced-index";
export { outer, bmm, addmm, baddbmm, tensordot, kron, cross, type ScaleOptions } from "./ops/products";
export { einsum } from "./ops/einsum";
export { pad, type PadMode } from "./ops/pad";
export { conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions } from "./ops/conv";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, type MaxPoolOptions, type AvgPoolOptions } from "./ops/pool";
export { adaptiveAvgPool1d, adaptiveAvgPool2d, interpolate, type InterpolateOptions } from "./ops/resample";
