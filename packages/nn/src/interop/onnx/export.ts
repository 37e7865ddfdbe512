import { isTensor, noGrad, type Tensor } from "@tapegrad/autograd";
import type { Module } from "../../module";
import { rejectUnknownKeys } from "../../unknown-keys";
import { OnnxGraph, elemType } from "./graph";
import { encodeModel, type ValueInfoMessage } from "./proto";
import { Tracer } from "./trace";

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
  const tracer = new Tracer(g);
  const traced = inputs.map((t, i) => {
    const name = g.fresh(inputNames[i]!);
    if (name !== inputNames[i]) throw new Error(`exportOnnx: input name ${JSON.stringify(inputNames[i])} is given twice`);
    const leaf = t.dtype === "int32" ? t : noGrad(() => t.detach());
    if (leaf !== t) leaf.requiresGrad = true;
    tracer.bind(leaf, name);
    return leaf;
  });
  for (const name of opts.outputNames ?? []) {
    if (g.fresh(name) !== name) throw new Error(`exportOnnx: output name ${JSON.stringify(name)} is given twice or is also an input name`);
  }
  const wasTraining = model.training;
  model.eval();
  let outputs: Tensor[];
  try {
    outputs = flatten(tracer.run(model, traced));
  } finally {
    model.train(wasTraining);
  }
  const outputNames = opts.outputNames ?? outputs.map((_, i) => `output_${i}`);
  if (outputNames.length !== outputs.length) throw new Error(`exportOnnx: outputNames has ${outputNames.length} names for ${outputs.length} outputs`);
  outputs.forEach((t, i) => {
    const value = tracer.resolve(t, `output ${i}`);
    const name = opts.outputNames ? outputNames[i]! : g.fresh(outputNames[i]!);
    g.nodes.push({ name: g.fresh(`output_${i}_node`), opType: "Identity", input: [value], output: [name], attributes: {} });
  });

  const dynamic = opts.dynamicAxes ?? {};
  for (const name of Object.keys(dynamic)) {
    if (!inputNames.includes(name) && !outputNames.includes(name)) throw new Error(`exportOnnx: dynamicAxes names ${JSON.stringify(name)}, which is neither an input nor an output (${[...inputNames, ...outputNames].join(", ")})`);
  }
  const info = (name: string, t: Tensor): ValueInfoMessage => {
    const d = dynamic[name];
    const axes: Record<number, string> = Array.isArray(d) ? Object.fromEntries(d.map((a) => [a, `${name}_dim${a}`])) : (d ?? {});
    for (const a of Object.keys(axes)) if (!(Number(a) >= 0 && Number(a) < t.ndim)) throw new Error(`exportOnnx: dynamicAxes of ${name} names axis ${a}, but it has ${t.ndim} dims`);
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
