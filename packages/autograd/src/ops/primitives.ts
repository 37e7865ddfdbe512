import type { AnyRule } from "../core/op";

/**
 * Every primitive: the ops with a backward rule of their own, by family. Everything else is
 * composed of them, so its gradient comes from the tape. Each family's file holds a table with one
 * rule per name here (forward, saves and backward side by side); a name without a rule, or a rule
 * without a name, does not compile.
 * @internal
 */
export const PRIMITIVES = {
  pointwise: ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "add", "sub", "mul", "div", "pow", "maximum", "minimum", "powScalar", "clamp", "where", "cast"],
  reduce: ["sum", "max", "min", "softmax", "logSoftmax"],
  movement: ["reshape", "permute", "expand", "slice", "sliceScatter", "flip", "contiguous"],
  join: ["cat", "stack", "split"],
  indexing: ["gather", "scatterAdd", "indexSelect", "indexAdd"],
  matmul: ["matmul", "linear"],
  cells: ["fusedLstmCell", "fusedGruCell"],
  unary: ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log1p", "expm1", "log2", "log10", "exp2", "erf", "erfc", "erfinv", "sign", "floor", "ceil", "round", "trunc", "logit"],
  binary: ["atan2", "fmod", "remainder", "hypot", "copysign", "logaddexp", "logaddexp2", "xlogy", "divTrunc", "divFloor"],
  views: ["diagonal", "diagEmbed", "unfold"],
  scan: ["cumsum"],
  extremes: ["amax", "amin"],
  conv: ["windows", "windowsBackward"],
} as const;

export type Family = keyof typeof PRIMITIVES;
/** @internal */
export type Primitive<F extends Family = Family> = (typeof PRIMITIVES)[F][number];

/** The rule table of one family: exactly one rule per primitive of it. */
export type RuleTable<F extends Family> = { [P in Primitive<F>]: AnyRule };
