import { Parameter, type Module } from "../../module";
import type { Node, Tensor } from "@tapegrad/autograd";
import type { OnnxGraph } from "./graph";
import { emitLinear, emitModule, hasMapping, type Emitted } from "./modules";

/** Tape ops that map to one ONNX op with the same inputs. */
const POINTWISE: Record<string, string> = {
  neg: "Neg", exp: "Exp", log: "Log", sqrt: "Sqrt", abs: "Abs", tanh: "Tanh", sigmoid: "Sigmoid", relu: "Relu",
  add: "Add", sub: "Sub", mul: "Mul", div: "Div", maximum: "Max", minimum: "Min", matmul: "MatMul", contiguous: "Identity",
};
const ARITY: Record<string, number> = { add: 2, sub: 2, mul: 2, div: 2, maximum: 2, minimum: 2, matmul: 2 };

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
    else if (POINTWISE[node.name] && (ARITY[node.name] ?? 1) === inputs.length) out = this.g.one(POINTWISE[node.name]!, inputs);
    else throw new Error(`exportOnnx: op '${node.name}' has no ONNX mapping${ARITY[node.name] ? " with a number operand" : ""}; supported traced ops: ${[...Object.keys(POINTWISE), "linear"].join(", ")}, and the modules Linear, Embedding, LayerNorm, Dropout, activations, RNN, LSTM, GRU`);
    this.nodeNames.set(node, [out]);
    return out;
  }

  private leafValue(node: Node, i: number): Tensor {
    const leaf = node.edges[i]?.leaf;
    if (!leaf) throw new Error(`exportOnnx: op '${node.name}' has a computed weight (input ${i}); only parameters can be exported as its weight`);
    return leaf;
  }
}
