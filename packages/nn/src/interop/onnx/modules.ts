import { noGrad, ones, zeros, type Tensor } from "@tapegrad/autograd";
import { Dropout } from "../../layers/dropout";
import { Embedding } from "../../layers/embedding";
import { LayerNorm } from "../../layers/layernorm";
import { Linear } from "../../layers/linear";
import { Identity, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "../../layers/activation";
import type { Module } from "../../module";
import type { Recurrent } from "../../recurrent";
import type { OnnxGraph } from "./graph";
import { emitRecurrent, recurrentKind } from "./recurrent";

/** Names the traced values of a module's arguments (tensors, nested arrays of tensors). */
export type Resolve = (t: Tensor, what: string) => string;

/** The ONNX names of a module call's result, shaped like the result (a name or nested arrays). */
export type Emitted = string | Emitted[];

/** `x W^T + b` over the last dim: MatMul with the transposed weight as an initializer, then Add. */
export function emitLinear(g: OnnxGraph, x: string, weight: Tensor, bias: Tensor | null): string {
  const y = g.one("MatMul", [x, g.constant(noGrad(() => weight.T.contiguous()), "weight_t")]);
  return bias ? g.one("Add", [y, g.constant(bias.detach(), "bias")]) : y;
}

const MAPPED = [Linear, Embedding, LayerNorm, Dropout, Identity, ReLU, Tanh, Sigmoid, Softmax, LogSoftmax];

/** The modules whose calls become ONNX nodes of their own, for error messages. */
export const MAPPED_MODULES = [...MAPPED.map((c) => c.name), "RNN", "LSTM", "GRU"].join(", ");

/** Whether calls of this module become ONNX nodes of their own (else its forward is traced). */
export function hasMapping(m: Module): boolean {
  return MAPPED.some((c) => m instanceof c) || recurrentKind(m) !== null;
}

/**
 * The ONNX nodes of a call of a module that has a mapping, or null when its class has none (its
 * forward is then traced op by op). args are the call's arguments.
 */
export function emitModule(g: OnnxGraph, m: Module, args: unknown[], resolve: Resolve): Emitted | null {
  const x = () => resolve(args[0] as Tensor, `the input of ${m.constructor.name}`);
  if (m instanceof Linear) return emitLinear(g, x(), m.weight, m.bias);
  if (m instanceof Embedding) return g.one("Gather", [g.constant(m.weight.detach(), "embedding"), x()], { axis: 0 });
  if (m instanceof LayerNorm) {
    if (g.opset < 17) throw new Error(`exportOnnx: LayerNorm needs ONNX opset 17 or later (LayerNormalization), got opset ${g.opset}`);
    const n = m.normalizedShape.length;
    const dtype = (args[0] as Tensor).dtype;
    const scale = m.weight ? m.weight.detach() : ones(m.normalizedShape, { dtype });
    const bias = m.bias ? m.bias.detach() : zeros(m.normalizedShape, { dtype });
    return g.one("LayerNormalization", [x(), g.constant(scale, "ln_scale"), g.constant(bias, "ln_bias")], { axis: -n, epsilon: { float: m.opts.eps ?? 1e-5 } });
  }
  if (m instanceof Dropout || m instanceof Identity) return g.one("Identity", [x()]);
  if (m instanceof ReLU) return g.one("Relu", [x()]);
  if (m instanceof Tanh) return g.one("Tanh", [x()]);
  if (m instanceof Sigmoid) return g.one("Sigmoid", [x()]);
  if (m instanceof Softmax) return g.one("Softmax", [x()], { axis: m.dim });
  if (m instanceof LogSoftmax) return g.one("LogSoftmax", [x()], { axis: m.dim });
  const kind = recurrentKind(m);
  if (kind) {
    const rec = m as Recurrent;
    if ((args[0] as Tensor).ndim !== 3) throw new Error(`exportOnnx: ${kind} input must be 3-D (batched) for export, got shape [${(args[0] as Tensor).shape.join(", ")}]`);
    const stateArg = args[1] as Tensor | Tensor[] | undefined;
    const state = stateArg === undefined ? null : (Array.isArray(stateArg) ? stateArg : [stateArg]).map((s) => resolve(s, `the initial state of ${kind}`));
    const lengths = (args[2] as { lengths?: unknown } | undefined)?.lengths;
    if (lengths !== undefined && !(lengths && typeof lengths === "object" && "shape" in lengths)) {
      throw new Error(`exportOnnx: ${kind} lengths must be an int32 tensor among the example inputs (it becomes ONNX's sequence_lens input), got an array`);
    }
    const lengthName = lengths === undefined ? null : resolve(lengths as Tensor, `the lengths of ${kind}`);
    const [out, final] = emitRecurrent(g, rec, kind, x(), state, lengthName);
    return [out, final];
  }
  return null;
}
