import { isTensor, noGrad, tensor, type Tensor } from "@tapegrad/autograd";
import type { Module } from "../../module";
import { rejectUnknownKeys } from "../../unknown-keys";
import { OnnxGraph, elemType } from "./graph";
import { encodeModel, type ValueInfoMessage } from "./proto";
import { GraphBuilder, recordForward, type Recording } from "./trace";

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Graph input names, one per example input (default input_0, input_1, ...). */
  inputNames?: string[];
  /** Graph output names, one per output tensor in the order forward returns them, flattened (default output_0, ...). */
  outputNames?: string[];
  /** Axes of inputs and outputs whose size may vary, by value name: { x: { 0: "batch", 1: "seq" } } or { x: [0, 1] }. */
  dynamicAxes?: Record<string, Record<number, string> | number[]>;
  /** ONNX opset (default 17; 14 to 21). */
  opset?: number;
}

const OPTIONS = ["inputNames", "outputNames", "dynamicAxes", "opset"] as const;

/** The ONNX IR version that goes with an opset (IR 8 covers opsets up to 18). */
function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/** How much exportOnnx grows each dynamic axis for its second trace (which sizes follow the inputs). */
const GROWTH = 3;

/** t with each of axes longer by GROWTH, the new entries repeating the first ones (valid ids and lengths stay valid). */
function grow(t: Tensor, axes: number[]): Tensor {
  return noGrad(() => axes.reduce((x, a) => x.indexSelect(a, tensor(Array.from({ length: x.shape[a]! + GROWTH }, (_, i) => i % x.shape[a]!), { dtype: "int32" })), t));
}

function inEval<T>(model: Module, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    model.train(wasTraining);
  }
}

function flatten(value: unknown, out: Tensor[] = []): Tensor[] {
  if (isTensor(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else throw new Error(`exportOnnx: forward must return a tensor or (nested) arrays of tensors, got ${value === null ? "null" : typeof value}`);
  return out;
}

/**
 * The model as an ONNX ModelProto. forward runs once on exampleInputs (in eval mode, so dropout
 * is the identity): modules with an ONNX counterpart (Linear, Embedding, LayerNorm, Dropout,
 * activations, RNN / LSTM / GRU as ONNX's RNN / LSTM / GRU operators) become those nodes; the ops
 * between them are read from the tape. int32 example inputs (token ids, lengths) stay int32.
 */
export function exportOnnx(model: Module, exampleInputs: Tensor | Tensor[], opts: ExportOnnxOptions = {}): Uint8Array {
  rejectUnknownKeys("exportOnnx", opts, OPTIONS);
  const inputs = Array.isArray(exampleInputs) ? exampleInputs : [exampleInputs];
  if (inputs.some((t) => !isTensor(t))) throw new Error("exportOnnx: exampleInputs must be a tensor or an array of tensors");
  const opset = opts.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 14 || opset > 21) throw new Error(`exportOnnx: opset must be an integer from 14 to 21, got ${opset}`);
  const inputNames = opts.inputNames ?? inputs.map((_, i) => `input_${i}`);
  if (inputNames.length !== inputs.length) throw new Error(`exportOnnx: inputNames has ${inputNames.length} names for ${inputs.length} example inputs`);

  const g = new OnnxGraph(opset);
  inputNames.forEach((name) => {
    if (g.fresh(name) !== name) throw new Error(`exportOnnx: input name ${JSON.stringify(name)} is given twice`);
  });
  for (const name of opts.outputNames ?? []) {
    if (g.fresh(name) !== name) throw new Error(`exportOnnx: output name ${JSON.stringify(name)} is given twice or is also an input name`);
  }
  const dynamic = opts.dynamicAxes ?? {};
  const axesOf = (name: string, t: Tensor): Record<number, string> => {
    const d = dynamic[name];
    const axes: Record<number, string> = Array.isArray(d) ? Object.fromEntries(d.map((a) => [a, `${name}_dim${a}`])) : (d ?? {});
    for (const a of Object.keys(axes)) if (!(Number(a) >= 0 && Number(a) < t.ndim)) throw new Error(`exportOnnx: dynamicAxes of ${name} names axis ${a}, but it has ${t.ndim} dims`);
    return axes;
  };
  const leaves = (ts: Tensor[]) => ts.map((t) => (t.dtype === "int32" || t.dtype === "bool" ? t : noGrad(() => t.detach().requiresGrad_())));
  const traced = leaves(inputs);
  const rec = inEval(model, () => recordForward(model, traced));
  let other: Recording | null = null;
  const grown = inputs.map((t, i) => grow(t, Object.keys(axesOf(inputNames[i]!, t)).map(Number)));
  if (grown.some((t, i) => t !== inputs[i])) {
    try {
      other = inEval(model, () => recordForward(model, leaves(grown)));
    } catch (e) {
      throw new Error(`exportOnnx: forward fails when the dynamic axes grow by ${GROWTH} (inputs ${grown.map((t) => `[${t.shape.join(", ")}]`).join(", ")}); every axis whose size must match a dynamic axis must be dynamic too: ${(e as Error).message}`);
    }
  }
  const builder = new GraphBuilder(g, rec, other);
  traced.forEach((t, i) => builder.bindInput(t, inputNames[i]!, other ? grown[i]! : null));
  const outputs = flatten(rec.result);
  const outputNames = opts.outputNames ?? outputs.map((_, i) => `output_${i}`);
  if (outputNames.length !== outputs.length) throw new Error(`exportOnnx: outputNames has ${outputNames.length} names for ${outputs.length} outputs`);
  outputs.forEach((t, i) => {
    const value = builder.resolve(t, `output ${i}`);
    const name = opts.outputNames ? outputNames[i]! : g.fresh(outputNames[i]!);
    g.nodes.push({ name: g.fresh(`output_${i}_node`), opType: "Identity", input: [value], output: [name], attributes: {} });
  });

  for (const name of Object.keys(dynamic)) {
    if (!inputNames.includes(name) && !outputNames.includes(name)) throw new Error(`exportOnnx: dynamicAxes names ${JSON.stringify(name)}, which is neither an input nor an output (${[...inputNames, ...outputNames].join(", ")})`);
  }
  const info = (name: string, t: Tensor): ValueInfoMessage => {
    const axes = axesOf(name, t);
    return { name, elemType: elemType(t.dtype), dims: t.shape.map((s, i) => axes[i] ?? s) };
  };
  return encodeModel({
    irVersion: irVersionFor(opset),
    opset,
    producerName: "tapegrad",
    producerVersion: "0.1.0",
    graph: { name: model.constructor.name, nodes: g.nodes, initializers: g.initializers, inputs: inputs.map((t, i) => info(inputNames[i]!, t)), outputs: outputs.map((t, i) => info(outputNames[i]!, t)) },
  });
}
