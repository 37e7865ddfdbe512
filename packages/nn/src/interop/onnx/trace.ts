import { recordCalls, type Node, type OpCall, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../../format";
import { Parameter, type Module } from "../../module";
import { LSTM } from "../../rnn";
import type { OnnxGraph } from "./graph";
import { targetShape, type Sized } from "./shapes";
import { emitModule, hasMapping, MAPPED_MODULES, type Emitted } from "./modules";
import { emitTaped, emitTraced, tensorArgs, TRACED_OPS, type TracedOp } from "./traced-ops";

/** A call of a module with an ONNX mapping (its inner ops are not recorded). */
interface ModuleCall extends OpCall {
  readonly module: Module;
  readonly result: unknown;
}

/** One run of forward: every op it ran outside mapped modules, and every mapped module call, in order. */
export interface Recording {
  calls: (OpCall | ModuleCall)[];
  result: unknown;
}

function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (typeof value === "object" && value !== null && "shape" in value && "dtype" in value) out.push(value as Tensor);
  return out;
}

function isProjectedLstm(m: Module): boolean {
  return m instanceof LSTM && !!m.opts.projSize;
}

/** Runs forward once, recording its ops; calls of modules with a mapping are recorded whole. */
export function recordForward(model: Module, inputs: Tensor[]): Recording {
  const calls: (OpCall | ModuleCall)[] = [];
  let depth = 0;
  for (const m of model.modules().filter(isProjectedLstm)) {
    const original = m.forward.bind(m);
    Object.defineProperty(m, "forward", {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        if ((args[2] as { lengths?: unknown } | undefined)?.lengths !== undefined) {
          throw new Error("exportOnnx: an LSTM with projSize exports unrolled over time, where lengths would become constants (its masks are read from their values); export it without lengths");
        }
        return original(...args);
      },
    });
  }
  const patched = model.modules().filter(hasMapping);
  for (const m of patched) {
    const original = m.forward.bind(m);
    Object.defineProperty(m, "forward", {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        if (depth > 0) return original(...args);
        depth++;
        try {
          const result = original(...args);
          const given = new Set(tensorsIn(args));
          calls.push({ op: `module ${m.constructor.name}`, args, outputs: tensorsIn(result).filter((t) => !given.has(t)), module: m, result });
          return result;
        } finally {
          depth--;
        }
      },
    });
  }
  try {
    const result = recordCalls(() => model.forward(...inputs), (c) => void (depth === 0 && calls.push(c)));
    return { calls, result };
  } finally {
    for (const m of [...patched, ...model.modules().filter(isProjectedLstm)]) delete (m as unknown as Record<string, unknown>)["forward"];
  }
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Builds the ONNX graph of a recorded forward, from each value the outputs need back to the
 * inputs. Values that do not depend on the inputs (parameters, tensors made inside forward and
 * what is computed from them alone) become initializers. `other` is a second recording with the
 * dynamic axes grown: sizes that change between the two follow the inputs; a constant that
 * changes is an error.
 */
export class GraphBuilder {
  private readonly names = new Map<Tensor, string>();
  private readonly producer = new Map<Tensor, [number, number]>();
  private readonly dependent = new Map<number, boolean>();
  private readonly dependentTensor = new Map<Tensor, boolean>();
  private readonly byNode = new Map<Node, Tensor[]>();
  private readonly inputs = new Set<Tensor>();
  private readonly graphInputs: Sized[] = [];
  /** Constants of one value throughout whose shape follows the dynamic axes: the shape in the second recording. */
  private readonly filled = new Map<Tensor, readonly number[]>();

  constructor(private readonly g: OnnxGraph, private readonly rec: Recording, private readonly other: Recording | null) {
    rec.calls.forEach((c, k) => c.outputs.forEach((t, i) => this.producer.set(t, [k, i])));
    for (const t of rec.calls.flatMap((c) => [...c.outputs, ...tensorsIn(c.args)])) {
      const e = t.edge();
      if (e?.node) (this.byNode.get(e.node) ?? this.byNode.set(e.node, []).get(e.node)!)[e.index] = t;
    }
    if (other) {
      const diff = rec.calls.findIndex((c, k) => other.calls[k]?.op !== c.op);
      if (diff >= 0 || other.calls.length !== rec.calls.length) {
        const k = diff >= 0 ? diff : Math.min(rec.calls.length, other.calls.length);
        throw new Error(`exportOnnx: forward runs other ops when the dynamic axes grow (op ${k}: '${rec.calls[k]?.op ?? "none"}', then '${other.calls[k]?.op ?? "none"}'), as a loop over a dynamic axis does (an LSTM with projSize exports unrolled over time); export without dynamicAxes for fixed shapes`);
      }
    }
  }

  /** t is the graph input called name; grown is the same input in the second recording. */
  bindInput(t: Tensor, name: string, grown: Tensor | null): void {
    this.names.set(t, name);
    this.inputs.add(t);
    this.graphInputs.push({ name, a: t.shape, b: grown ? grown.shape : null });
  }

  /** The ONNX name of a value forward computed. */
  resolve(t: Tensor, what: string): string {
    const known = this.names.get(t);
    if (known) return known;
    if (t instanceof Parameter || !this.dependsOnInputs(t)) return this.bindConstant(t);
    const at = this.producer.get(t);
    if (!at) return this.emitTaped(t, what);
    const [k] = at;
    const call = this.rec.calls[k]!;
    if ("module" in call) {
      this.checkConstantArgs(k);
      this.bindResult(call.result, emitModule(this.g, call.module, call.args as unknown[], (x, w) => this.resolve(x, w))!);
    } else this.emitCall(k);
    const name = this.names.get(t);
    if (!name) throw new Error(`exportOnnx: ${what} (shape ${fmt(t.shape)}) is not an output of the op that made it`);
    return name;
  }

  private bindConstant(t: Tensor): string {
    const grownShape = this.filled.get(t);
    const name = grownShape
      ? this.g.one("Expand", [this.g.scalar(t.contiguous().data()[0]!, t.dtype, "fill"), targetShape(this.g, { name: "", a: [], b: [] }, { a: t.shape, b: grownShape }, "expand", `a constant of shape ${fmt(t.shape)}`, this.graphInputs)])
      : this.g.constant(t.detach(), t instanceof Parameter ? "param" : "constant");
    this.names.set(t, name);
    return name;
  }

  /** The inputs of an op the tape holds but the recording missed (a customOp), or null. */
  private tapeInputs(t: Tensor): (Tensor | null)[] | null {
    const node = t.edge()?.node;
    return node ? node.edges.map((e) => (e?.node ? (this.byNode.get(e.node)?.[e.index] ?? null) : (e?.leaf ?? null))) : null;
  }

  private dependsOnInputs(t: Tensor): boolean {
    if (this.inputs.has(t)) return true;
    const at = this.producer.get(t);
    if (at) return this.isDependent(at[0]);
    let known = this.dependentTensor.get(t);
    if (known === undefined) {
      this.dependentTensor.set(t, false);
      known = (this.tapeInputs(t) ?? []).some((x) => x !== null && this.dependsOnInputs(x));
      this.dependentTensor.set(t, known);
    }
    return known;
  }

  private emitTaped(t: Tensor, what: string): string {
    const node = t.edge()!.node!;
    const ins = this.tapeInputs(t)!;
    const name = ins.every((x) => x !== null) ? emitTaped(this.g, node.name, ins.map((x, i) => this.resolve(x!, `input ${i} of op '${node.name}'`))) : null;
    if (!name) throw new Error(`exportOnnx: ${what} comes from op '${node.name}', which has no ONNX mapping and is not a primitive (a customOp); exportOnnx maps customOps only when they are one-input ops named like a mapped op (${TRACED_OPS.join(", ")})`);
    this.names.set(t, name);
    return name;
  }

  private isDependent(k: number): boolean {
    const known = this.dependent.get(k);
    if (known !== undefined) return known;
    this.dependent.set(k, false);
    const result = tensorsIn(this.rec.calls[k]!.args).some((t) => {
      const at = this.producer.get(t);
      return at ? at[0] < k && this.isDependent(at[0]) : this.dependsOnInputs(t);
    });
    this.dependent.set(k, result);
    return result;
  }

  /** A tensor forward made from constants alone is baked in: it must not change with the dynamic axes. */
  private checkConstantArgs(k: number): void {
    if (!this.other) return;
    const call = this.rec.calls[k]!;
    const mine = tensorsIn(call.args);
    const theirs = tensorsIn(this.other.calls[k]!.args);
    mine.forEach((t, i) => {
      if (t instanceof Parameter || this.dependsOnInputs(t)) return;
      const u = theirs[i]!;
      if (!same(t.shape, u.shape) && uniform(t) !== null && uniform(t) === uniform(u)) return void this.filled.set(t, u.shape);
      const changed = !same(t.shape, u.shape) ? `its shape ${fmt(t.shape)} becomes ${fmt(u.shape)}` : !sameValues(t, u) ? "its values change" : null;
      if (changed) {
        throw new Error(`exportOnnx: input ${i} of '${call.op}' is a tensor made inside forward without the inputs (a constant, shape ${fmt(t.shape)}); the exported graph holds it fixed, but ${changed} when the dynamic axes grow (a size or a count read from an input's shape). Export without dynamicAxes for fixed shapes, or compute it from the inputs`);
      }
    });
  }

  private emitCall(k: number): void {
    const call = this.rec.calls[k]!;
    this.checkConstantArgs(k);
    const ins = tensorArgs(call);
    const theirs = this.other ? tensorArgs(this.other.calls[k]!) : null;
    const what = `op '${call.op}' (shape ${ins.map((t) => fmt(t.shape)).join(", ")} → ${call.outputs.map((t) => fmt(t.shape)).join(", ")})`;
    const op: TracedOp = {
      g: this.g,
      call,
      other: this.other?.calls[k] ?? null,
      input: (i) => this.resolve(ins[i]!, `input ${i} of ${what}`),
      sized: (i) => ({ name: op.input(i), a: ins[i]!.shape, b: theirs ? theirs[i]!.shape : null }),
      graphInputs: this.graphInputs,
      what,
    };
    if (op.other && !SIZE_AWARE.has(call.op) && plainArgs(call) !== plainArgs(op.other)) {
      throw new Error(`exportOnnx: ${what}: its arguments ${plainArgs(call)} become ${plainArgs(op.other)} when the dynamic axes grow (indices or sizes read from an input's shape); export without dynamicAxes for fixed shapes`);
    }
    const out = emitTraced(op);
    if (!out) throw new Error(`exportOnnx: ${what} has no ONNX mapping; traced ops that export: ${TRACED_OPS.join(", ")}; modules: ${MAPPED_MODULES}`);
    call.outputs.forEach((t, i) => this.names.set(t, out[i]!));
  }

  private bindResult(out: unknown, emitted: Emitted): void {
    if (typeof emitted === "string") this.names.set(out as Tensor, emitted);
    else (out as unknown[]).forEach((o, i) => this.bindResult(o, emitted[i]!));
  }
}

/** Ops whose emitters express arguments that follow the dynamic axes (the others' must not change). */
const SIZE_AWARE = new Set(["reshape", "expand", "slice", "split"]);

/** A call's arguments other than tensors, as text. */
function plainArgs(call: OpCall): string {
  const plain = (a: unknown): unknown => (ArrayBuffer.isView(a) ? Array.from(a as Int32Array) : Array.isArray(a) ? a.filter((x) => !(typeof x === "object" && x !== null && "shape" in x)).map(plain) : typeof a === "object" && a !== null && "shape" in a ? "tensor" : a);
  return JSON.stringify(call.args.map(plain));
}

/** The value every element of t has, or null. */
function uniform(t: Tensor): number | null {
  const x = t.contiguous().data();
  return x.length > 0 && x.every((v) => Object.is(v, x[0])) ? Number(x[0]) : null;
}

function sameValues(a: Tensor, b: Tensor): boolean {
  const x = a.contiguous().data();
  const y = b.contiguous().data();
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}
