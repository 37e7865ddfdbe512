import type { Tensor } from "@tapegrad/autograd";
import { Module } from "../../module";
import { cloneJson, decodeWeights, type KerasLayerJSON, type ModelArtifacts } from "./artifacts";
import { KerasActivation, KerasDense, KerasDropout, KerasEmbedding, KerasLayerNormalization, KerasMasking } from "./basic-layers";
import { KerasLayer, LayerConfig, WeightReader, type Flow } from "./keras-layer";
import { KerasBidirectional, KerasRecurrent } from "./recurrent-layers";

/** A layer of the graph with the tensors (keys `layer:node:index`) it reads. */
interface GraphNode {
  layer: KerasLayer | null;
  name: string;
  inputs: string[];
}

const RECURRENT = ["SimpleRNN", "LSTM", "GRU"];

/** Builds one layer for inputs of `features` features; returns it with the feature counts of its outputs. */
function buildLayer(json: KerasLayerJSON, features: number, reader: WeightReader): [KerasLayer, number[]] {
  const cfg = new LayerConfig(json.class_name, { name: json.name, ...json.config });
  const inner = () => {
    const l = cfg.raw["layer"] as KerasLayerJSON | undefined;
    if (!l || typeof l !== "object") return cfg.fail("has no wrapped layer config");
    return new LayerConfig(l.class_name, l.config);
  };
  const recurrentOut = (c: LayerConfig, width: number) => [width, ...(c.get("return_state", false) ? Array<number>(c.className === "LSTM" ? 2 : 1).fill(c.positiveInt("units")) : [])];
  switch (json.class_name) {
    case "Dense":
      return [new KerasDense(cfg, cfg, features, reader), [cfg.positiveInt("units")]];
    case "TimeDistributed": {
      const c = inner();
      if (c.className !== "Dense") cfg.fail(`wraps ${c.className}; only TimeDistributed(Dense) is supported`);
      return [new KerasDense(cfg, c, features, reader), [c.positiveInt("units")]];
    }
    case "Activation":
      return [new KerasActivation(cfg), [features]];
    case "Dropout":
      return [new KerasDropout(cfg), [features]];
    case "Embedding":
      return [new KerasEmbedding(cfg, reader), [cfg.positiveInt("output_dim")]];
    case "Masking":
      return [new KerasMasking(cfg), [features]];
    case "LayerNormalization":
      return [new KerasLayerNormalization(cfg, features, reader), [features]];
    case "SimpleRNN":
    case "LSTM":
    case "GRU":
      return [new KerasRecurrent(cfg, cfg, features, reader), recurrentOut(cfg, cfg.positiveInt("units"))];
    case "Bidirectional": {
      const c = inner();
      if (!RECURRENT.includes(c.className)) cfg.fail(`wraps ${c.className}; expected SimpleRNN, LSTM or GRU`);
      const layer = new KerasBidirectional(cfg, c, features, reader);
      const units = c.positiveInt("units");
      const states = recurrentOut(c, units).slice(1);
      const outs = layer.mergeMode === null ? [units, units] : [layer.mergeMode === "concat" ? 2 * units : units];
      return [layer, [...outs, ...states, ...states]];
    }
    default:
      return cfg.fail(`layer class ${json.class_name} is not supported; supported: InputLayer, Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed(Dense), Dropout, Masking, LayerNormalization, Activation`);
  }
}

function inputFeatures(json: KerasLayerJSON): number {
  const shape = (json.config["batch_input_shape"] ?? json.config["batchInputShape"]) as (number | null)[] | undefined;
  if (!Array.isArray(shape)) throw new Error(`loadLayersModel: layer "${json.config["name"] ?? json.class_name}" (${json.class_name}) has no batch_input_shape; the first layer needs one`);
  return shape[shape.length - 1] ?? 0;
}

/**
 * A Keras model (Sequential or functional) rebuilt from tapegrad modules. forward takes the
 * model's inputs in order, (batch, time[, features]) as in Keras, and returns its output, or
 * the list of outputs when there are several. Parameters are named `layers.{i}.…`.
 */
export class LayersModel extends Module {
  /** @internal The rebuilt layers, in the model's order. */
  readonly layers: KerasLayer[] = [];
  /** The wiring between the layers (registered as `layers`); not enumerable, so not a second set of children. */
  private declare readonly graph: GraphNode[];
  private readonly inputKeys: string[] = [];
  private readonly outputKeys: string[] = [];

  /**
   * @param topology - the Keras modelTopology JSON
   * @param weights - the weights by Keras name, in manifest order
   */
  constructor(readonly topology: Record<string, unknown>, weights: [string, Tensor][]) {
    super();
    Object.defineProperty(this, "graph", { value: [], enumerable: false });
    const className = topology["class_name"];
    const config = topology["config"] as Record<string, unknown> | KerasLayerJSON[] | undefined;
    const reader = new WeightReader(weights);
    const features = new Map<string, number>();
    const add = (json: KerasLayerJSON, inputs: string[]) => {
      const name = String(json.name ?? json.config["name"]);
      if (json.class_name === "InputLayer") {
        this.graph.push({ layer: null, name, inputs: [] });
        this.inputKeys.push(`${name}:0:0`);
        features.set(`${name}:0:0`, inputFeatures(json));
        return;
      }
      const [layer, outs] = buildLayer(json, features.get(inputs[0]!) ?? 0, reader);
      this.layers.push(layer);
      this.graph.push({ layer, name, inputs });
      outs.forEach((f, i) => features.set(`${name}:0:${i}`, f));
    };
    if (className === "Sequential") {
      const layers = Array.isArray(config) ? config : ((config?.["layers"] ?? []) as KerasLayerJSON[]);
      if (layers.length === 0) throw new Error("loadLayersModel: the Sequential model has no layers");
      let previous = "";
      layers.forEach((json, i) => {
        const named = { ...json, name: String(json.config["name"] ?? `layer_${i}`) };
        if (i === 0 && named.class_name !== "InputLayer") add({ class_name: "InputLayer", name: "input", config: { batch_input_shape: json.config["batch_input_shape"] } }, []);
        add(named, previous && named.class_name !== "InputLayer" ? [previous] : this.inputKeys.slice(-1));
        previous = `${named.name}:0:0`;
      });
      this.outputKeys.push(previous);
    } else if (className === "Model" || className === "Functional") {
      const c = config as Record<string, unknown>;
      for (const json of c["layers"] as KerasLayerJSON[]) {
        const nodes = json.inbound_nodes ?? [];
        if (nodes.length > 1) throw new Error(`loadLayersModel: layer "${json.name}" (${json.class_name}) is called ${nodes.length} times; shared layers are not supported`);
        add(json, (nodes[0] ?? []).map(([layer, node, index]) => `${layer}:${node}:${index}`));
      }
      this.outputKeys.push(...(c["output_layers"] as [string, number, number][]).map(([l, n, i]) => `${l}:${n}:${i}`));
      const declared = (c["input_layers"] as [string, number, number][]).map(([l, n, i]) => `${l}:${n}:${i}`);
      this.inputKeys.splice(0, this.inputKeys.length, ...declared);
    } else {
      throw new Error(`loadLayersModel: modelTopology.class_name ${JSON.stringify(className)} is not supported; expected "Sequential" or "Model"`);
    }
    reader.finish();
  }

  override forward(...inputs: Tensor[]): Tensor | Tensor[] {
    const outputs = this.run(inputs);
    return outputs.length === 1 ? outputs[0]! : outputs;
  }

  /** Runs the graph; always returns the list of outputs. */
  run(inputs: Tensor[]): Tensor[] {
    if (inputs.length !== this.inputKeys.length) throw new Error(`LayersModel.forward: the model has ${this.inputKeys.length} input(s), got ${inputs.length}`);
    const values = new Map<string, { tensor: Tensor; mask: Tensor | null }>();
    this.inputKeys.forEach((k, i) => values.set(k, { tensor: inputs[i]!, mask: null }));
    for (const node of this.graph) {
      if (!node.layer) continue;
      const ins = node.inputs.map((k) => values.get(k) ?? node.layer!.cfg.fail(`reads tensor ${k}, which no earlier layer produces`));
      const flow: Flow = node.layer.call(ins.map((v) => v.tensor), ins[0]?.mask ?? null);
      flow.outputs.forEach((t, i) => values.set(`${node.name}:0:${i}`, { tensor: t, mask: i === 0 ? flow.mask : null }));
    }
    return this.outputKeys.map((k) => values.get(k)!.tensor);
  }

  /** Clears the carried-over state of every stateful recurrent layer. */
  resetStates(): void {
    for (const l of this.layers) if (l instanceof KerasRecurrent || l instanceof KerasBidirectional) l.resetStates();
  }

  /** Every weight in Keras's layout and manifest order, named as TF.js names them. */
  kerasWeights(): [string, Tensor][] {
    return this.layers.flatMap((l) => l.kerasWeights());
  }
}

/** Builds a LayersModel from TF.js ModelArtifacts (topology, weight specs and weight bytes). */
export function loadLayersModel(artifacts: ModelArtifacts): LayersModel {
  if (!artifacts || typeof artifacts !== "object" || !artifacts.modelTopology) throw new Error("loadLayersModel: expected ModelArtifacts with modelTopology, weightSpecs and weightData");
  const topology = artifacts.modelTopology as Record<string, unknown>;
  const model = ("model_config" in topology ? topology["model_config"] : topology) as Record<string, unknown>;
  const weights = decodeWeights(artifacts.weightSpecs ?? [], artifacts.weightData ?? new ArrayBuffer(0));
  return new LayersModel(cloneJson(model), weights);
}
