import { Parameter, type Module } from "../../module";
import type { Node, Tensor } from "@tapegrad/autograd";
import type { OnnxGraph } from "./graph";
import { emitLinear, emitModule, hasMapping, type Emitted } from "./modules";

/** Tape ops that map to one ONNX op with the same inputs. */
const POINTWISE: Record<string, string> = {
  neg: "Neg", exp: "Exp", log: "Log", sqrt: "Sqrt", abs: "Abs", tanh: "Tanh", sigmoid: "Sigmoid", relu: "Relu",
  add: "Add", sub: "Sub", mul: "Mul", div: "Div", maximum: "Max", minimum: "Min", matmul: "MatMul", contiguous: "Identity",
};

/**
 * Runs forward once and records it as an ONNX graph. Every module with a mapping (Linear, RNN,
 * LSTM, ...) becomes its ONNX nodes when called; what the forward computes between such calls
 * is read back from the tape, from each value a mapped module or the output needs to the
 * inputs, one recorded op (by its name) at a time.
 */
export class Tracer {
  private readonly names = new Map<Tensor, string>();
  private readonly nodeNames = new Map<Node, string[]>();
  private depth = 0;

  constructor(private readonly g: OnnxGraph) {}

  bind(t: Tensor, name: string): void {
    this.names.set(t, name);
  }

  /** Calls forward with every module that has a mapping intercepted; restores them afterwards. */
  run(model: Module, inputs: Tensor[]): unknown {
    const patched = model.modules().filter(hasMapping);
    for (const m of patched) {
      const original = m.forward.bind(m);
      Object.defineProperty(m, "forward", {
        configurable: true,
        writable: true,
        value: (...args: unknown[]) => {
          if (this.depth > 0) return original(...args);
          this.depth++;
          try {
            const out = original(...args);
            this.bindResult(out, emitModule(this.g, m, args, (t, what) => this.resolve(t, what))!);
            return out;
          } finally {
            this.depth--;
          }
        },
      });
    }
    try {
      return model.forward(...inputs);
    } finally {
      for (const m of patched) delete (m as unknown as Record<string, unknown>)["forward"];
    }
  }

  private bindResult(out: unknown, emitted: Emitted): void {
    if (typeof emitted === "string") {
      const t = out as Tensor;
      this.names.set(t, emitted);
      const e = t.edge();
      if (e?.node) (this.nodeNames.get(e.node) ?? this.nodeNames.set(e.node, []).get(e.node)!)[e.index] = emitted;
      return;
    }
    (out as unknown[]).forEach((o, i) => this.bindResult(o, emitted[i]!));
  }

  /** The ONNX name of a tensor computed during the traced forward. */
  resolve(t: Tensor, what: string): string {
    const known = this.names.get(t);
    if (known) return known;
    if (t instanceof Parameter) return this.bindParam(t);
    const e = t.edge();
    if (!e?.node) throw new Error(`exportOnnx: ${what} (shape [${t.shape.join(", ")}]) is not computed from the inputs by recorded ops (a constant or a detached tensor cannot be traced)`);
    return this.resolveNode(e.node, e.index);
  }

  private bindParam(p: Tensor): string {
    const name = this.g.constant(p.detach(), "param");
    this.names.set(p, name);
    return name;
  }

  private resolveNode(node: Node, index: number): string {
    const done = this.nodeNames.get(node)?.[index];
    if (done) return done;
    const inputs = node.edges.map((edge, i) => {
      if (edge?.node) return this.resolveNode(edge.node, edge.index);
      if (edge?.leaf) return this.resolve(edge.leaf, `input ${i} of op '${node.name}'`);
      throw new Error(`exportOnnx: op '${node.name}' reads a constant or a tensor that does not require grad (input ${i}); the tape does not record its value, so it cannot be exported`);
    });
    let out: string;
    if (node.name === "linear") out = emitLinear(this.g, inputs[0]!, this.leafValue(node, 1), node.edges[2] ? this.leafValue(node, 2) : null);
    else if (POINTWISE[node.name]) out = this.g.one(POINTWISE[node.name]!, inputs);
    else if (node.name === "reshape" && sameNonUnitDims(this.inputShape(node), node.outputs[0]!.shape)) out = this.squeezeUnsqueeze(inputs[0]!, this.inputShape(node), node.outputs[0]!.shape);
    else throw new Error(`exportOnnx: op '${node.name}' has no ONNX mapping; supported traced ops: ${[...Object.keys(POINTWISE), "linear", "reshape that only adds or removes size-1 dims (squeeze, unsqueeze)"].join(", ")}, and the modules Linear, Embedding, LayerNorm, Dropout, activations, RNN, LSTM, GRU`);
    this.nodeNames.set(node, [out]);
    return out;
  }

  private inputShape(node: Node): readonly number[] {
    const e = node.edges[0]!;
    return e.node ? e.node.outputs[e.index]!.shape : e.leaf!.shape;
  }

  /** Squeeze of the input's size-1 dims, then Unsqueeze at the output's: no fixed sizes, so dynamic axes stay dynamic. */
  private squeezeUnsqueeze(x: string, from: readonly number[], to: readonly number[]): string {
    const ones = (shape: readonly number[]) => shape.flatMap((d, i) => (d === 1 ? [i] : []));
    const squeezed = ones(from).length ? this.g.one("Squeeze", [x, this.g.int64s(ones(from), "axes")]) : x;
    return ones(to).length ? this.g.one("Unsqueeze", [squeezed, this.g.int64s(ones(to), "axes")]) : squeezed;
  }

  private leafValue(node: Node, i: number): Tensor {
    const leaf = node.edges[i]?.leaf;
    if (!leaf) throw new Error(`exportOnnx: op '${node.name}' has a computed weight (input ${i}); only parameters can be exported as its weight`);
    return leaf;
  }
}

function sameNonUnitDims(a: readonly number[], b: readonly number[]): boolean {
  return a.filter((d) => d !== 1).join() === b.filter((d) => d !== 1).join();
}
