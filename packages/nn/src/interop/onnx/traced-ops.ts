import type { OpCall, Tensor } from "@tapegrad/autograd";
import { ELEM_TYPE } from "./proto";
import type { OnnxGraph } from "./graph";
import { sliceBounds, targetShape, type Sized } from "./shapes";

/** What the emitter of one traced op sees: its call in both traces and its inputs' ONNX names. */
export interface TracedOp {
  g: OnnxGraph;
  call: OpCall;
  /** The same call in the trace with the dynamic axes grown, or null without dynamicAxes. */
  other: OpCall | null;
  /** The ONNX name of the op's i-th tensor input (tensors in argument order, arrays flattened). */
  input(i: number): string;
  /** The i-th tensor input with its shape in both traces. */
  sized(i: number): Sized;
  /** The graph inputs with their shapes in both traces (sources of sizes that follow them). */
  graphInputs: readonly Sized[];
  /** "op 'reshape' (shape [2, 3] → [6])", for errors. */
  what: string;
}

type Emit = (op: TracedOp) => string | string[];

/** Ops that map to one ONNX op of the same inputs. */
const DIRECT: Record<string, string> = {
  neg: "Neg", exp: "Exp", log: "Log", sqrt: "Sqrt", abs: "Abs", tanh: "Tanh", sigmoid: "Sigmoid", relu: "Relu",
  add: "Add", sub: "Sub", mul: "Mul", div: "Div", pow: "Pow", maximum: "Max", minimum: "Min", matmul: "MatMul", contiguous: "Identity",
  sin: "Sin", cos: "Cos", tan: "Tan", asin: "Asin", acos: "Acos", atan: "Atan", sinh: "Sinh", cosh: "Cosh",
  asinh: "Asinh", acosh: "Acosh", atanh: "Atanh", erf: "Erf", sign: "Sign", floor: "Floor", ceil: "Ceil", round: "Round",
  gt: "Greater", lt: "Less", ge: "GreaterOrEqual", le: "LessOrEqual", eq: "Equal",
};

const arg = <T>(op: TracedOp, i: number): T => op.call.args[i] as T;
const otherArg = <T>(op: TracedOp, i: number): T | null => (op.other ? (op.other.args[i] as T) : null);
const scalar = (op: TracedOp, value: number, dtype: Tensor["dtype"]) => op.g.scalar(value, dtype, "scalar");
const asBool = (op: TracedOp, i: number, dtype: Tensor["dtype"]) => (dtype === "bool" ? op.input(i) : op.g.one("Cast", [op.input(i)], { to: ELEM_TYPE.bool }));

/** ReduceSum (axes an input from opset 13), ReduceMax/Min (from opset 18). */
function reduce(op: TracedOp, type: "ReduceSum" | "ReduceMax" | "ReduceMin", x: string, axes: readonly number[], keepdim: boolean): string {
  if (axes.length === 0) return op.g.one("Identity", [x]);
  if (type === "ReduceSum" || op.g.opset >= 18) return op.g.one(type, [x, op.g.int64s(axes, "axes")], { keepdims: keepdim ? 1 : 0 });
  return op.g.one(type, [x], { axes: { ints: axes }, keepdims: keepdim ? 1 : 0 });
}

function minMax(type: "Max" | "Min"): Emit {
  return (op) => {
    const [dim, keepdim] = [arg<number>(op, 1), arg<boolean>(op, 2)];
    const values = reduce(op, `Reduce${type}`, op.input(0), [dim], keepdim);
    const indices = op.g.one(`Arg${type}`, [op.input(0)], { axis: dim, keepdims: keepdim ? 1 : 0, select_last_index: 0 });
    return [values, op.g.one("Cast", [indices], { to: ELEM_TYPE[op.call.outputs[1]!.dtype] })];
  };
}

const EMIT: Record<string, Emit> = {
  reshape: (op) => op.g.one("Reshape", [op.input(0), targetShape(op.g, op.sized(0), { a: arg(op, 1), b: otherArg(op, 1) }, "reshape", op.what, op.graphInputs)]),
  expand: (op) => op.g.one("Expand", [op.input(0), targetShape(op.g, op.sized(0), { a: arg(op, 1), b: otherArg(op, 1) }, "expand", op.what, op.graphInputs)]),
  permute: (op) => op.g.one("Transpose", [op.input(0)], { perm: { ints: arg<number[]>(op, 1) } }),
  slice(op) {
    const [dim, start, length, step] = [1, 2, 3, 4].map((i) => arg<number>(op, i)) as [number, number, number, number];
    const b = op.other ? { start: otherArg<number>(op, 2)!, length: otherArg<number>(op, 3)! } : null;
    const [from, to] = sliceBounds(op.sized(0), dim, { start, length: step * (length - 1) + 1 }, b && { start: b.start, length: step * (b.length - 1) + 1 }, op.what);
    return op.g.one("Slice", [op.input(0), op.g.int64s([from], "starts"), op.g.int64s([to], "ends"), op.g.int64s([dim], "axes"), op.g.int64s([step], "steps")]);
  },
  flip(op) {
    const dims = arg<number[]>(op, 1);
    const n = dims.length;
    return op.g.one("Slice", [op.input(0), op.g.int64s(Array(n).fill(-1), "starts"), op.g.int64s(Array(n).fill(-(2 ** 63)), "ends"), op.g.int64s(dims, "axes"), op.g.int64s(Array(n).fill(-1), "steps")]);
  },
  cat: (op) => op.g.one("Concat", arg<Tensor[]>(op, 0).map((_, i) => op.input(i)), { axis: arg<number>(op, 1) }),
  stack(op) {
    const dim = arg<number>(op, 1);
    return op.g.one("Concat", arg<Tensor[]>(op, 0).map((_, i) => op.g.one("Unsqueeze", [op.input(i), op.g.int64s([dim], "axes")])), { axis: dim });
  },
  split(op) {
    const [sizes, dim, squeeze] = [arg<number[]>(op, 1), arg<number>(op, 2), arg<boolean>(op, 3)];
    const b = otherArg<number[]>(op, 1);
    if (b && b.join() !== sizes.join()) throw new Error(`exportOnnx: ${op.what}: the piece sizes [${sizes.join(", ")}] change to [${b.join(", ")}] when the dynamic axes grow; split a dim of fixed size`);
    const pieces = op.g.add("Split", [op.input(0), op.g.int64s(sizes, "split")], { axis: dim }, sizes.length);
    return squeeze ? pieces.map((p) => op.g.one("Squeeze", [p, op.g.int64s([dim], "axes")])) : pieces;
  },
  sum: (op) => reduce(op, "ReduceSum", op.input(0), arg<number[]>(op, 1), arg<boolean>(op, 2)),
  amax: (op) => reduce(op, "ReduceMax", op.input(0), arg<number[]>(op, 1), arg<boolean>(op, 2)),
  amin: (op) => reduce(op, "ReduceMin", op.input(0), arg<number[]>(op, 1), arg<boolean>(op, 2)),
  max: minMax("Max"),
  min: minMax("Min"),
  softmax: (op) => op.g.one("Softmax", [op.input(0)], { axis: arg<number>(op, 1) }),
  logSoftmax: (op) => op.g.one("LogSoftmax", [op.input(0)], { axis: arg<number>(op, 1) }),
  linear(op) {
    const w = op.g.one("Transpose", [op.input(1)], { perm: { ints: [1, 0] } });
    const y = op.g.one("MatMul", [op.input(0), w]);
    return arg<Tensor | null>(op, 2) ? op.g.one("Add", [y, op.input(2)]) : y;
  },
  powScalar: (op) => op.g.one("Pow", [op.input(0), scalar(op, arg<number>(op, 1), op.call.outputs[0]!.dtype)]),
  clamp(op) {
    const dtype = op.call.outputs[0]!.dtype;
    const [lo, hi] = (isKernel(op.call) ? [op.call.args[2], op.call.args[3]] : [op.call.args[1], op.call.args[2]]) as (number | undefined)[];
    const bound = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "" : scalar(op, v, dtype));
    return op.g.one("Clip", [op.input(0), bound(lo), bound(hi)]);
  },
  where: (op) => op.g.one("Where", [asBool(op, 0, tensorArgs(op.call)[0]!.dtype), op.input(1), op.input(2)]),
  cast: (op) => op.g.one("Cast", [op.input(0)], { to: ELEM_TYPE[arg<Tensor["dtype"]>(op, 1)] }),
  copy: (op) => op.g.one("Cast", [op.input(0)], { to: ELEM_TYPE[op.call.outputs[0]!.dtype] }),
  toBool: (op) => op.g.one("Cast", [op.input(0)], { to: ELEM_TYPE.bool }),
  ne: (op) => op.g.one("Not", [op.g.one("Equal", [op.input(0), op.input(1)])]),
  indexSelect(op) {
    const index = arg<Int32Array>(op, 2);
    return op.g.one("Gather", [op.input(0), op.g.int64s([...index], "indices")], { axis: arg<number>(op, 1) });
  },
  fusedLstmCell(op) {
    const H = op.call.outputs[1]!.shape[1]!;
    const [pi, pf, pg, po] = op.g.add("Split", [op.input(0), op.g.int64s([H, H, H, H], "split")], { axis: -1 }, 4) as [string, string, string, string];
    const [i, f, g, o] = [op.g.one("Sigmoid", [pi]), op.g.one("Sigmoid", [pf]), op.g.one("Tanh", [pg]), op.g.one("Sigmoid", [po])];
    const c = op.g.one("Add", [op.g.one("Mul", [f, op.input(1)]), op.g.one("Mul", [i, g])]);
    return [op.g.one("Mul", [o, op.g.one("Tanh", [c])]), c];
  },
  fusedGruCell(op) {
    const H = op.call.outputs[0]!.shape[1]!;
    const split = (i: number) => op.g.add("Split", [op.input(i), op.g.int64s([H, H, H], "split")], { axis: -1 }, 3) as [string, string, string];
    const [[xr, xz, xn], [hr, hz, hn]] = [split(0), split(1)];
    const r = op.g.one("Sigmoid", [op.g.one("Add", [xr, hr])]);
    const z = op.g.one("Sigmoid", [op.g.one("Add", [xz, hz])]);
    const n = op.g.one("Tanh", [op.g.one("Add", [xn, op.g.one("Mul", [r, hn])])]);
    return op.g.one("Add", [n, op.g.one("Mul", [z, op.g.one("Sub", [op.input(2), n])])]);
  },
  gather: (op) => op.g.one("GatherElements", [op.input(0), op.input(1)], { axis: arg<number>(op, 1) }),
};

/** The op names exportOnnx maps, for its error message. */
export const TRACED_OPS = [...Object.keys(DIRECT), ...Object.keys(EMIT)].sort();

/** The tensor inputs of a call, in argument order with arrays flattened (as TracedOp.input counts them). */
export function tensorArgs(call: OpCall): Tensor[] {
  const isT = (a: unknown): a is Tensor => typeof a === "object" && a !== null && "shape" in a && "dtype" in a && typeof (a as Tensor).data === "function";
  const args = isKernel(call) ? (call.args[0] as Tensor[]) : call.args;
  return args.flatMap((a) => (isT(a) ? [a] : Array.isArray(a) ? a.filter(isT) : []));
}

/** An untaped kernel: reported with its inputs as one array, then the output dtype and two numbers. */
function isKernel(call: OpCall): boolean {
  return Array.isArray(call.args[0]) && call.op !== "cat" && call.op !== "stack";
}

/** The ONNX outputs of one traced call, or null when the op has no mapping. */
export function emitTraced(op: TracedOp): string[] | null {
  const direct = DIRECT[op.call.op];
  if (direct) return [op.g.one(direct, tensorArgs(op.call).map((_, i) => op.input(i)))];
  const emit = EMIT[op.call.op];
  if (!emit) return null;
  const out = emit(op);
  return Array.isArray(out) ? out : [out];
}

/** An op the tape recorded but the recording did not report (a customOp): exported when it is a one-input op of the same name as an ONNX op tapegrad maps. */
export function emitTaped(g: OnnxGraph, name: string, inputs: string[]): string | null {
  const direct = DIRECT[name];
  return direct && inputs.length === 1 ? g.one(direct, inputs) : null;
}
