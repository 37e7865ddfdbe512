export { DTYPES, type DType, type TypedArray } from "./dtype";
export { Tensor, isTensor, type NestedArray } from "./tensor";
export {
  tensor, zeros, ones, full, arange, eye, randn, rand, randint, randperm,
  zerosLike, onesLike, fullLike, randnLike, randLike, residentData,
  type CreateOptions, type RandomOptions,
} from "./creation";
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from "./random";
export { noGrad, enableGrad, isGradEnabled, detectAnomaly } from "./mode";
export { grad, type GradOptions } from "./grad";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./gradcheck";
export { defineCustomOp as defineOp, defineCustomOp as customOp, OpContext, registeredOps, type OpDefinition } from "./function";
export { Node, ProductGrad, type BackwardOptions, type Hook } from "./tape";
export { kernels, jsKernels, wasmKernels, setKernels, type Kernels, type StridedView } from "./kernels";
export { setBackend, getBackend, type BackendName } from "./kernels/backend";
export { broadcastShapes } from "./shape";

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
