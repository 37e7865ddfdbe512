import { checkInt, describeValue, fusedGruCell, fusedLstmCell, zeros, type Tensor } from "@tapegrad/autograd";
import { uniform_ } from "./init";
import { linear, type LayerOptions } from "./layers/linear";
import { Module, Parameter } from "./module";
import { fmt } from "./format";

/** A recurrent state: h, or nested arrays of tensors such as [h, c]. Its first tensor is the step output. */
export type State = Tensor | readonly State[];

/**
 * What the recurrent runner needs from a cell: a Module whose forward maps (x_t, state) to the
 * new state (state undefined means zeros), and the size of its output. A cell may also split
 * forward into projectInput (the part that only depends on x, applied to a whole sequence in
 * one go) and step (the rest); the runner then hoists projectInput out of the time loop.
 * `S` is the cell's state type (`Tensor` for h, `[Tensor, Tensor]` for [h, c]).
 */
export interface CellMembers<S extends State = State> {
  /** Size of the cell's hidden state h. */
  readonly hiddenSize: number;
  /** Size of the first state tensor when it differs from hiddenSize (an LSTM with projSize). */
  readonly outputSize?: number;
  /** One step: x_t (batch, inputSize) and the previous state (undefined: zeros) to the new state. */
  forward(x: Tensor, state?: S): S;
  /** The part of a step that depends on x only, applied by the runner to a whole (T, batch, inputSize) sequence at once. */
  projectInput?(x: Tensor): Tensor;
  /** The rest of a step: projectInput's output for one step and the previous state to the new state. */
  step?(projected: Tensor, state?: S): S;
}
/** A recurrent cell: a {@link Module} with the {@link CellMembers} the runner calls, with state type `S`. */
export type Cell<S extends State = State> = CellMembers<S> & Module;

/** Options of {@link RNNCell}, {@link LSTMCell} and {@link GRUCell}. */
export interface CellOptions extends LayerOptions {
  /** Features of x. */
  inputSize: number;
  /** Features of the hidden state h. */
  hiddenSize: number;
  /** Learn the biases b_ih and b_hh (true by default). */
  bias?: boolean;
}

/**
 * The shared shape of RNNCell, LSTMCell and GRUCell: gates = (W_ih x + b_ih) + (W_hh h + b_hh),
 * with G gate blocks of hiddenSize rows each (PyTorch's names and layout). forward is exactly
 * step(projectInput(x)), so a cell run alone and a cell run by the runner share one code path.
 * Where both biases only ever add up (RNN, LSTM: `foldBiases`), projectInput adds b_ih + b_hh
 * once for the whole sequence and a step's gates are one linear op, W_hh h + projected.
 */
abstract class GatedCell extends Module {
  /** The input-hidden weights of all gates stacked: (G·hiddenSize, inputSize). */
  weight_ih: Parameter;
  /** The hidden-hidden weights of all gates stacked: (G·hiddenSize, hiddenSize), or projSize columns for a projected LSTM. */
  weight_hh: Parameter;
  /** The input-hidden biases (G·hiddenSize), or null without bias. */
  bias_ih: Parameter | null;
  /** The hidden-hidden biases (G·hiddenSize), or null without bias. */
  bias_hh: Parameter | null;
  /** Features of x. */
  readonly inputSize: number;
  /** Features of the hidden state h. */
  readonly hiddenSize: number;

  constructor(name: string, gates: number, opts: CellOptions, private readonly foldBiases: boolean, recurrentSize = opts.hiddenSize) {
    super();
    const { inputSize, hiddenSize } = opts;
    for (const [k, v] of Object.entries({ inputSize, hiddenSize })) checkInt(name, k, v, 1);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const dtype = opts.dtype ?? "float32";
    const param = (shape: number[]) => new Parameter(zeros(shape, { dtype }));
    this.weight_ih = param([gates * hiddenSize, inputSize]);
    this.weight_hh = param([gates * hiddenSize, recurrentSize]);
    this.bias_ih = opts.bias === false ? null : param([gates * hiddenSize]);
    this.bias_hh = opts.bias === false ? null : param([gates * hiddenSize]);
  }

  /** The configuration as PyTorch prints it: `inputSize, hiddenSize[, bias=False]`. */
  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? "" : ", bias=False"}`;
  }

  /** PyTorch's default for recurrent weights: every parameter U(-1/√H, 1/√H). */
  protected resetParameters(opts: LayerOptions): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -k, k, opts);
  }

  /** W_ih x + b_ih (plus b_hh where the biases fold) for any leading dims: (..., inputSize) to (..., G·hiddenSize). */
  projectInput(x: Tensor): Tensor {
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${this.constructor.name}: input of shape ${fmt(x.shape)} must end in inputSize ${this.inputSize}`);
    }
    const bias = this.foldBiases && this.bias_ih && this.bias_hh ? this.bias_ih.add(this.bias_hh) : this.bias_ih;
    return linear(x, this.weight_ih, bias);
  }

  /** W_hh h + b_hh, or with folded biases W_hh h + the step's projected input (one op either way). */
  protected recurrent(h: Tensor, projected: Tensor): Tensor {
    return linear(h, this.weight_hh, this.foldBiases ? projected : this.bias_hh);
  }

  /** The given state tensor checked against (batch..., size), or zeros of that shape. */
  protected stateOrZeros(projected: Tensor, state: Tensor | undefined, size: number, what: string): Tensor {
    const shape = [...projected.shape.slice(0, -1), size];
    if (state === undefined) return zeros(shape, { dtype: projected.dtype });
    if (state.ndim !== shape.length || state.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${this.constructor.name}: ${what} has shape ${fmt(state.shape)}, expected ${fmt(shape)}`);
    }
    return state;
  }

  /** One step: x (batch, inputSize) or (inputSize), and the previous state (zeros when omitted), to the new state. */
  forward(x: Tensor, state?: State): State {
    if (x.ndim > 2) throw new Error(`${this.constructor.name}: input must be (batch, inputSize) or (inputSize), got shape ${fmt(x.shape)}`);
    return this.step(this.projectInput(x), state);
  }

  /** The rest of a step, from projectInput's output for that step. */
  abstract step(projected: Tensor, state?: State): State;
}

/** h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. */
export class RNNCell extends GatedCell {
  /** "tanh" (default) or "relu". */
  readonly nonlinearity: "tanh" | "relu";

  constructor(opts: CellOptions & { nonlinearity?: "tanh" | "relu" }) {
    super("RNNCell", 1, opts, true);
    this.nonlinearity = opts.nonlinearity ?? "tanh";
    if (this.nonlinearity !== "tanh" && this.nonlinearity !== "relu") {
      throw new Error(`RNNCell: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(opts.nonlinearity)}`);
    }
    this.resetParameters(opts);
  }

  /**
   * One step: x (batch, inputSize) or (inputSize) and h (zeros when omitted) to h'.
   *
   * @example
   * ```ts
   * const cell = new RNNCell({ inputSize: 3, hiddenSize: 4 });
   * const h1 = cell.forward(randn([2, 3])); // (2, 4)
   * ```
   */
  override forward(x: Tensor, h?: Tensor): Tensor {
    return super.forward(x, h) as Tensor;
  }

  override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === "tanh" ? "" : `, nonlinearity=${this.nonlinearity}`}`;
  }

  /** h' from the step's projected input and h. */
  step(projected: Tensor, h?: Tensor): Tensor {
    const pre = this.recurrent(this.stateOrZeros(projected, h, this.hiddenSize, "h"), projected);
    return this.nonlinearity === "tanh" ? pre.tanh() : pre.relu();
  }
}

/**
 * Gates i, f, g, o: c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'); with projSize > 0,
 * h' = W_hr (σ(o)·tanh(c')) has projSize features and weight_hh reads projSize columns.
 */
export class LSTMCell extends GatedCell {
  /** The projection (projSize, hiddenSize) with projSize > 0, else null. */
  weight_hr: Parameter | null;
  /** Features of h: projSize when set, else hiddenSize. */
  readonly outputSize: number;

  constructor(opts: CellOptions & { projSize?: number }) {
    const proj = opts.projSize ?? 0;
    if (!Number.isInteger(proj) || proj < 0 || (proj > 0 && proj >= opts.hiddenSize)) {
      throw new Error(`LSTMCell: projSize must be an integer in [0, hiddenSize), got ${describeValue(proj)} with hiddenSize ${describeValue(opts.hiddenSize)}`);
    }
    super("LSTMCell", 4, opts, true, proj || opts.hiddenSize);
    this.outputSize = proj || opts.hiddenSize;
    this.weight_hr = proj ? new Parameter(zeros([proj, opts.hiddenSize], { dtype: opts.dtype ?? "float32" })) : null;
    this.resetParameters(opts);
  }

  /** One step: x (batch, inputSize) or (inputSize) and [h, c] (zeros when omitted) to [h', c']. */
  override forward(x: Tensor, state?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    return super.forward(x, state) as [Tensor, Tensor];
  }

  /** [h', c'] from the step's projected input and [h, c]. */
  step(projected: Tensor, state?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    if (state !== undefined && !(Array.isArray(state) && state.length === 2)) {
      throw new Error(`LSTMCell: state must be [h, c], got ${Array.isArray(state) ? `an array of ${state.length}` : "a single tensor"}`);
    }
    const [h0, c0] = (state ?? []) as Tensor[];
    const h = this.stateOrZeros(projected, h0, this.outputSize, "h");
    const c = this.stateOrZeros(projected, c0, this.hiddenSize, "c");
    const [h1, c1] = fusedLstmCell(this.recurrent(h, projected), c);
    return [this.weight_hr ? linear(h1, this.weight_hr) : h1, c1];
  }
}

/** Gates r, z, n: n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1-z)·n + z·h. */
export class GRUCell extends GatedCell {
  constructor(opts: CellOptions) {
    super("GRUCell", 3, opts, false);
    this.resetParameters(opts);
  }

  /** One step: x (batch, inputSize) or (inputSize) and h (zeros when omitted) to h'. */
  override forward(x: Tensor, h?: Tensor): Tensor {
    return super.forward(x, h) as Tensor;
  }

  /** h' from the step's projected input and h. */
  step(projected: Tensor, h0?: Tensor): Tensor {
    const h = this.stateOrZeros(projected, h0, this.hiddenSize, "h");
    return fusedGruCell(projected, this.recurrent(h, projected), h);
  }
}
