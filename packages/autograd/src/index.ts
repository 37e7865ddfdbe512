export { setBackend, getBackend, backendAvailable, type BackendName } from "./backend/select";
export { DTYPES, type DType, type TypedArray } from "./core/dtype";
export { Tensor, isTensor, type NestedArray } from "./core/tensor";
export {
  tensor, zeros, ones, full, arange, eye, randn, rand, randint, randperm,
  zerosLike, onesLike, fullLike, randnLike, randLike, persistentData,
  type CreateOptions, type RandomOptions,
} from "./core/creation";
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from "./core/random";
export { noGrad, enableGrad, isGradEnabled, detectAnomaly } from "./core/mode";
export { grad, type GradOptions } from "./core/grad";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./core/gradcheck";
export { customOp, OpContext, type OpDefinition } from "./core/op";
export type { BackwardOptions, Hook, Node } from "./core/tape";
export { broadcastShapes } from "./core/shape";
export { PRIMITIVES, type Primitive } from "./ops/primitives";

export {
  add, sub, mul, div, pow, maximum, minimum, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, sign, clamp, where,
  gt, lt, ge, le, eq, ne, cast,
} from "./ops/pointwise";
export { sum, mean, max, min, amax, argmax, argmin, logSumExp, softmax, logSoftmax } from "./ops/reduce";
export { matmul, linear } from "./ops/matmul";
export { fusedLstmCell, fusedGruCell } from "./ops/cells";
export { reshape, view, permute, transpose, expand, slice, narrow, select, squeeze, unsqueeze, flatten, flip, contiguous, clone, sumTo } from "./ops/movement";
export { cat, stack, split, chunk, unbind } from "./ops/join";
export { gather, indexSelect, scatterAdd } from "./ops/indexing";
export { conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions } from "./ops/conv";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, type MaxPoolOptions, type AvgPoolOptions } from "./ops/pool";
export { adaptiveAvgPool1d, adaptiveAvgPool2d, interpolate, type InterpolateOptions } from "./ops/resample";
