import { cat, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import type { State } from "../../cells";
import { Recurrent, detachState } from "../../recurrent";
import { GRU, LSTM, RNN } from "../../rnn";
import type { Parameter } from "../../module";
import { assign } from "./basic-layers";
import { HardGateGRUCell, HardGateLSTMCell } from "./hard-gate-cells";
import { ResetBeforeGRUCell } from "./gru-reset-before";
import { KerasLayer, type Flow, type LayerConfig, type WeightReader } from "./keras-layer";

type Kind = "SimpleRNN" | "LSTM" | "GRU";
const GATES: Record<Kind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

interface Weights {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh?: Parameter | null;
}

/** Keras's GRU blocks z, r, h <-> PyTorch's r, z, n along dim (the swap is its own inverse). */
function swapGru(t: Tensor, dim: number, kind: Kind): Tensor {
  if (kind !== "GRU") return t;
  const [a, b, c] = t.chunk(3, dim) as [Tensor, Tensor, Tensor];
  return cat([b, a, c], dim);
}

/** Lengths of a (batch, time) mask that must be a prefix of each row (padding at the end only). */
function maskLengths(cfg: LayerConfig, mask: Tensor): number[] {
  const [B, T] = mask.shape as [number, number];
  const m = mask.to("int32").data();
  return Array.from({ length: B }, (_, b) => {
    let n = 0;
    while (n < T && m[b * T + n]) n++;
    for (let t = n; t < T; t++) if (m[b * T + t]) cfg.fail(`sequence ${b} of the batch has a masked step before an unmasked one; only padding at the end is supported`);
    if (n === 0) cfg.fail(`sequence ${b} of the batch is masked at every step`);
    return n;
  });
}

/**
 * SimpleRNN, LSTM and GRU as Keras runs them, on tapegrad's RNN / LSTM / GRU (or, for GRU with
 * reset_after=false, a ResetBeforeGRUCell through Recurrent). Inputs are (batch, time, features).
 * A mask becomes lengths; at masked steps Keras repeats the previous output, which is rebuilt
 * from the runner's output. stateful layers keep their final state for the next call.
 */
export class KerasRecurrent extends KerasLayer {
  readonly rnn: Recurrent;
  readonly kind: Kind;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly resetAfter: boolean;
  private states: State | null = null;
  private readonly names: string[] = [];

  constructor(cfg: LayerConfig, inner: LayerConfig, inFeatures: number, reader: WeightReader, goBackwards?: boolean) {
    super(cfg);
    const kind = inner.className as Kind;
    this.kind = kind;
    const H = (this.units = inner.positiveInt("units"));
    this.returnSequences = inner.get("return_sequences", false);
    this.returnState = inner.get("return_state", false);
    this.goBackwards = goBackwards ?? inner.get("go_backwards", false);
    this.stateful = inner.get("stateful", false);
    inner.oneOf("activation", kind === "SimpleRNN" ? ["tanh", "relu"] : ["tanh"], "tanh");
    const gate = kind === "SimpleRNN" ? "sigmoid" : inner.oneOf<"sigmoid" | "hard_sigmoid">("recurrent_activation", ["sigmoid", "hard_sigmoid"], "sigmoid");
    for (const key of ["dropout", "recurrent_dropout"]) if (inner.get(key, 0) !== 0) inner.fail(`${key} ${inner.get(key, 0)} is not supported; expected 0`);
    const bias = inner.get("use_bias", true);
    this.resetAfter = kind === "GRU" && inner.get("reset_after", false);
    const common = { inputSize: inFeatures, hiddenSize: H, bias, batchFirst: true };
    if (kind === "SimpleRNN") this.rnn = new RNN({ ...common, nonlinearity: inner.get<"tanh" | "relu">("activation", "tanh") });
    else if (kind === "LSTM") this.rnn = gate === "sigmoid" ? new LSTM(common) : new Recurrent((_l, _d, inputSize) => new HardGateLSTMCell(inputSize, H, bias), common);
    else if (this.resetAfter) this.rnn = gate === "sigmoid" ? new GRU(common) : new Recurrent((_l, _d, inputSize) => new HardGateGRUCell(inputSize, H, bias), common);
    else this.rnn = new Recurrent((_l, _d, inputSize) => new ResetBeforeGRUCell(inputSize, H, bias, gate), common);
    this.load(reader, inFeatures, bias);
  }

  private get weights(): Weights {
    return this.rnn.cells[0] as unknown as Weights;
  }

  private load(reader: WeightReader, inFeatures: number, bias: boolean): void {
    const G = GATES[this.kind] * this.units;
    const w = this.weights;
    const take = (suffix: string, shape: number[]) => {
      const [name, t] = reader.take(this.cfg, suffix, shape);
      this.names.push(name);
      return t;
    };
    assign(w.weight_ih, swapGru(take("kernel", [inFeatures, G]).T, 0, this.kind));
    assign(w.weight_hh, swapGru(take("recurrent_kernel", [this.units, G]).T, 0, this.kind));
    if (!bias) return;
    if (this.resetAfter) {
      const [bi, bh] = take("bias", [2, G]).unbind(0) as [Tensor, Tensor];
      assign(w.bias_ih!, swapGru(bi, 0, this.kind));
      assign(w.bias_hh!, swapGru(bh, 0, this.kind));
      return;
    }
    assign(w.bias_ih!, swapGru(take("bias", [G]), 0, this.kind));
    if (w.bias_hh) assign(w.bias_hh, zeros([G]));
  }

  kerasWeights(): [string, Tensor][] {
    const w = this.weights;
    const values = [swapGru(w.weight_ih, 0, this.kind).T, swapGru(w.weight_hh, 0, this.kind).T];
    if (w.bias_ih) {
      if (this.resetAfter) values.push(swapGru(cat([w.bias_ih.unsqueeze(0), w.bias_hh!.unsqueeze(0)], 0), 1, this.kind));
      else values.push(swapGru(w.bias_hh ? w.bias_ih.add(w.bias_hh) : w.bias_ih, 0, this.kind));
    }
    return values.map((t, i) => [this.names[i]!, t.detach().contiguous()]);
  }

  /** Forgets the state a stateful layer carried over (the next call starts from zeros). */
  resetStates(): void {
    this.states = null;
  }

  call(inputs: Tensor[], mask: Tensor | null): Flow {
    const [x, ...given] = inputs as [Tensor, ...Tensor[]];
    if (x.ndim !== 3) this.cfg.fail(`input must be (batch, time, features), got shape [${x.shape.join(", ")}]`);
    const [B, T] = x.shape as [number, number];
    const lengths = mask ? maskLengths(this.cfg, mask) : new Array<number>(B).fill(T);
    const ragged = lengths.some((n) => n < T);
    let initial: State | undefined = this.stateful && this.states ? this.states : undefined;
    if (given.length > 0) {
      const expected = this.kind === "LSTM" ? 2 : 1;
      if (given.length !== expected) this.cfg.fail(`got ${given.length} initial state tensor(s), expected ${expected}`);
      const leaves = given.map((s) => s.unsqueeze(0));
      initial = expected === 2 ? leaves : leaves[0]!;
    }
    const input = this.goBackwards ? gatherSteps(x, lengths.map((n) => (u: number) => (u < n ? n - 1 - u : u))) : x;
    const [out, final] = this.rnn.forward(input, initial, ragged ? { lengths } : {});
    if (this.stateful) this.states = detachState(final);
    const leaves = (Array.isArray(final) ? final : [final]) as Tensor[];
    const states = leaves.map((t) => t.squeeze(0));
    const h = states[0]!;
    let sequence = out;
    if (this.returnSequences && ragged) {
      const valid = (pred: (b: number, t: number) => boolean) => tensor(lengths.flatMap((_, b) => Array.from({ length: T }, (_, t) => (pred(b, t) ? 1 : 0))), { shape: [B, T, 1] }).gt(0);
      if (!this.goBackwards) sequence = out.where(valid((b, t) => t < lengths[b]!), h.unsqueeze(1));
      else {
        const shifted = gatherSteps(out, lengths.map((n) => (s: number) => Math.max(0, s - (T - n))));
        const h0 = initial === undefined ? zeros([B, 1, this.units], { dtype: x.dtype }) : (Array.isArray(initial) ? (initial[0] as Tensor) : (initial as Tensor)).squeeze(0).unsqueeze(1);
        sequence = shifted.where(valid((b, s) => s >= T - lengths[b]!), h0);
      }
    }
    const output = this.returnSequences ? sequence : h;
    return { outputs: [output, ...(this.returnState ? states : [])], mask: this.returnSequences ? mask : null };
  }
}

/** y[b, t] = x[b, source[b](t)] for (batch, time, features) x. */
function gatherSteps(x: Tensor, source: ((t: number) => number)[]): Tensor {
  const [B, T, F] = x.shape as [number, number, number];
  const index = tensor(source.flatMap((f, b) => Array.from({ length: T }, (_, t) => b * T + f(t))), { dtype: "int32" });
  return x.reshape([B * T, F]).indexSelect(0, index).reshape([B, T, F]);
}

/** Bidirectional: a forward and a go_backwards copy of the layer, outputs merged by merge_mode. */
export class KerasBidirectional extends KerasLayer {
  readonly forwardLayer: KerasRecurrent;
  readonly backwardLayer: KerasRecurrent;
  readonly mergeMode: "concat" | "sum" | "mul" | "ave" | null;

  constructor(cfg: LayerConfig, inner: LayerConfig, inFeatures: number, reader: WeightReader) {
    super(cfg);
    this.mergeMode = cfg.oneOf<"concat" | "sum" | "mul" | "ave" | null>("merge_mode", ["concat", "sum", "mul", "ave", null], "concat");
    if (cfg.raw["merge_mode"] === null) this.mergeMode = null;
    const backwards = inner.get("go_backwards", false);
    this.forwardLayer = new KerasRecurrent(cfg, inner, inFeatures, reader, backwards);
    this.backwardLayer = new KerasRecurrent(cfg, inner, inFeatures, reader, !backwards);
  }

  call(inputs: Tensor[], mask: Tensor | null): Flow {
    const fw = this.forwardLayer.call(inputs, mask).outputs;
    const bw = this.backwardLayer.call(inputs, mask).outputs;
    const y = fw[0]!;
    const yRev = this.forwardLayer.returnSequences ? bw[0]!.flip(1) : bw[0]!;
    const merged = { concat: () => [cat([y, yRev], -1)], sum: () => [y.add(yRev)], mul: () => [y.mul(yRev)], ave: () => [y.add(yRev).mul(0.5)] };
    const outputs = this.mergeMode === null ? [y, yRev] : merged[this.mergeMode]();
    return { outputs: [...outputs, ...fw.slice(1), ...bw.slice(1)], mask: this.forwardLayer.returnSequences ? mask : null };
  }

  kerasWeights(): [string, Tensor][] {
    return [...this.forwardLayer.kerasWeights(), ...this.backwardLayer.kerasWeights()];
  }

  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }
}
