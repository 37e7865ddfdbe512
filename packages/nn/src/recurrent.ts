import { cat, checkInt, checkpoint, checkProbability, defaultGenerator, describeValue, rand, stack, tensor, where, Tensor, type DType, type Generator } from "@tapegrad/autograd";
import type { Cell, State } from "./cells";
import { dropout } from "./layers/dropout";
import { Module, Parameter } from "./module";
import { PackedSequence, packSorted, padPackedSequence } from "./packing";
import { fmt, pyFloat } from "./format";

/** Options of {@link Recurrent}. */
export interface RecurrentOptions {
  /** Features of x: the input size of the first layer. */
  inputSize: number;
  /** Stacked layers, each reading the previous one's output (1 by default). */
  numLayers?: number;
  /** Also run each layer over the reversed sequence; outputs are concatenated (false by default). */
  bidirectional?: boolean;
  /** x and output are (batch, seq, feature) instead of (seq, batch, feature). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, while training. */
  dropout?: number;
  /**
   * Variational (locked) dropout on each layer's input, while training: one mask per sequence,
   * layer and direction, drawn at every forward and applied at every step (Keras's `dropout`).
   */
  inputDropout?: number;
  /** Locked dropout on the state fed back to the cell (its first tensor, h), as Keras's `recurrent_dropout`. */
  recurrentDropout?: number;
  /** Draws the dropout masks (the default generator when omitted). */
  generator?: Generator;
  /**
   * Checkpoint the time loop every k steps (0: off): only the state between segments is kept,
   * and each segment's steps run again during backward, so BPTT memory grows with T/k + k steps.
   */
  checkpointEvery?: number;
}

/** Options of `Recurrent.forward` (and of RNN, LSTM, GRU). */
export interface RecurrentForwardOptions {
  /** Valid steps of each sequence in the batch; positions past the end are ignored. */
  lengths?: readonly number[] | Tensor;
}

/** Builds the cell of one layer and direction (0 forward, 1 reverse) for inputs of inputSize features. */
export type MakeCell<S extends State = State> = (layer: number, direction: number, inputSize: number) => Cell<S>;

function mapState(state: State, fn: (t: Tensor, path: number[]) => Tensor, path: number[] = []): State {
  return Array.isArray(state) ? state.map((s, i) => mapState(s as State, fn, [...path, i])) : fn(state as Tensor, path);
}

function firstTensor(state: State): Tensor {
  return Array.isArray(state) ? firstTensor(state[0] as State) : (state as Tensor);
}

function leafAt(state: State, path: number[]): Tensor {
  return path.reduce((s: State, i) => (s as readonly State[])[i]!, state) as Tensor;
}

/** Detaches every tensor of a (nested) recurrent state, to cut the graph between chunks (truncated BPTT). */
export function detachState<S extends State>(state: S): S {
  return mapState(state, (t) => t.detach()) as S;
}

/**
 * The one time loop. Runs a stack of cells (numLayers, each forward or both directions) over
 * a sequence with the tape recording every step, so backpropagation through time is just
 * backward(). Per layer and direction: the cell's projectInput (when it has one) runs once on
 * the whole sequence, the result is split into steps with a single unbind, and step (or
 * forward) is applied in order. With lengths, a sequence's state stops changing after its last
 * step and its outputs there are zero; the reverse direction starts at each sequence's own end.
 *
 * Parameters are named like PyTorch's: a cell's `name` becomes `name_l{layer}` and
 * `name_l{layer}_reverse`.
 *
 * `S` is the cells' state type, inferred from what makeCell returns: the final state that
 * forward returns has the same structure, each tensor stacked over layers and directions.
 */
export class Recurrent<S extends State = State> extends Module {
  /** The cells, layer by layer, forward direction before reverse. */
  readonly cells: Cell<S>[] = [];
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether each layer also runs in reverse. */
  readonly bidirectional: boolean;
  /** Whether inputs and outputs are (batch, seq, feature). */
  readonly batchFirst: boolean;
  /** Dropout probability on the outputs of every layer but the last, while training. */
  readonly dropout: number;
  /** Locked dropout probability on each layer's input, while training. */
  readonly inputDropout: number;
  /** Locked dropout probability on the state fed back to the cell, while training. */
  readonly recurrentDropout: number;
  /** Features of each input step. */
  readonly inputSize: number;
  /** Features of each step of output: D times the cells' output size. */
  readonly outputSize: number;
  /** Steps per checkpointed segment of the time loop (0: no checkpointing). */
  readonly checkpointEvery: number;
  private readonly generator: Generator | undefined;

  constructor(makeCell: MakeCell<S>, opts: RecurrentOptions) {
    super();
    const name = this.constructor.name;
    this.inputSize = opts.inputSize;
    this.numLayers = opts.numLayers ?? 1;
    this.bidirectional = opts.bidirectional ?? false;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.inputDropout = opts.inputDropout ?? 0;
    this.recurrentDropout = opts.recurrentDropout ?? 0;
    this.generator = opts.generator;
    this.checkpointEvery = opts.checkpointEvery ?? 0;
    checkInt(name, "inputSize", this.inputSize, 1);
    checkInt(name, "numLayers", this.numLayers, 1);
    for (const key of ["dropout", "inputDropout", "recurrentDropout"] as const) checkProbability(name, key, this[key]);
    for (const key of ["bidirectional", "batchFirst"] as const) {
      if (typeof this[key] !== "boolean") throw new Error(`${name}: ${key} must be true or false, got ${describeValue(opts[key])}`);
    }
    if (!Number.isInteger(this.checkpointEvery) || this.checkpointEvery < 0) throw new Error(`${name}: checkpointEvery must be a non-negative integer (0: off), got ${opts.checkpointEvery}`);
    let inputSize = this.inputSize;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const sizes = new Set<number>();
      for (let direction = 0; direction < this.directions; direction++) {
        const cell = makeCell(layer, direction, inputSize);
        if (!(cell instanceof Module) || typeof cell.forward !== "function") throw new Error(`${name}: makeCell must return a Module with forward(x, state)`);
        const size = cell.outputSize ?? cell.hiddenSize;
        if (!Number.isInteger(size) || size <= 0) throw new Error(`${name}: the cell of layer ${layer} needs a positive hiddenSize (or outputSize), got ${describeValue(size)}`);
        sizes.add(size);
        this.cells.push(cell);
      }
      if (sizes.size > 1) throw new Error(`${name}: the two directions of layer ${layer} have different output sizes ${[...sizes].join(" and ")}`);
      inputSize = this.directions * [...sizes][0]!;
    }
    this.outputSize = inputSize;
  }

  override extraRepr(): string {
    const flags = [this.numLayers !== 1 && `num_layers=${this.numLayers}`, this.batchFirst && "batch_first=True", this.dropout !== 0 && `dropout=${pyFloat(this.dropout)}`, this.bidirectional && "bidirectional=True"];
    return [`input_size=${this.inputSize}`, ...flags.filter(Boolean)].join(", ");
  }

  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  protected override collectParameters(): [string, Parameter][] {
    const fromCells = this.cells.flatMap((cell, k) => {
      const suffix = `_l${Math.floor(k / this.directions)}${k % this.directions ? "_reverse" : ""}`;
      return cell.namedParameters().map(([n, p]): [string, Parameter] => [`${n}${suffix}`, p]);
    });
    return [...fromCells, ...this.ownParameters()];
  }

  protected override collectState(): [string, Tensor][] {
    return [...this.collectParameters(), ...this.persistentBuffers()];
  }

  /**
   * x: (seq, batch, inputSize), (batch, seq, inputSize) with batchFirst, (seq, inputSize)
   * unbatched, or a PackedSequence (then the output is packed the same way). state: the cells'
   * state with each tensor stacked over layer·D + direction (e.g. h0 (L·D, batch, H) or
   * [h0, c0]); zeros when omitted. Returns [output, final state].
   */
  forward<X extends Tensor | PackedSequence>(x: X, state?: S, opts: RecurrentForwardOptions = {}): [X, S] {
    const name = this.constructor.name;
    if (x instanceof PackedSequence) {
      if (opts.lengths !== undefined) throw new Error(`${name}: pass lengths or a PackedSequence, not both`);
      this.checkInput(x.data, 2);
      const [padded, lengths] = padPackedSequence(x);
      const [out, final] = this.run(padded, state, lengths, false);
      return [packSorted(out, lengths, x.sortedIndices) as X, final as S];
    }
    if (!(x instanceof Tensor)) throw new Error(`${name}: input must be a Tensor or a PackedSequence, got ${describeValue(x)}`);
    const input = x as Tensor;
    if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`${name}: input must be 3-D (seq, batch, feature) or 2-D (seq, feature), got shape ${fmt(input.shape)}`);
    this.checkInput(input, input.ndim);
    const unbatched = input.ndim === 2;
    const seq = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [output, final] = this.run(seq, state, opts.lengths, unbatched);
    return [(unbatched ? output.squeeze(1) : this.batchFirst ? output.transpose(0, 1) : output) as X, final as S];
  }

  private checkInput(x: Tensor, ndim: number): void {
    const name = this.constructor.name;
    if (x.ndim !== ndim || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${name}: input has ${x.shape[x.ndim - 1]} features (shape ${fmt(x.shape)}), expected inputSize ${this.inputSize}`);
    }
    // as PyTorch's RNN compares with its first weight: one property lookup, not a walk of the module (this runs once per generated token)
    const first = this.cells[0] && Object.values(this.cells[0]).find((v): v is Parameter => v instanceof Parameter);
    const paramType = (first ?? this.parameters()[0])?.dtype;
    if (paramType && x.dtype !== paramType) throw new Error(`${name}: input is ${x.dtype} but the parameters are ${paramType}; convert one with .to()`);
  }

  /** The layers over time-major seq (T, B, F); returns the (T, B, outputSize) output and the final state. */
  private run(seq: Tensor, state: State | undefined, lengths: RecurrentForwardOptions["lengths"], unbatched: boolean): [Tensor, State] {
    const [T, B] = seq.shape as [number, number];
    if (T === 0) throw new Error(`${this.constructor.name}: the sequence is empty (shape ${fmt(seq.shape)})`);
    const masks = this.stepMasks(lengths, T, B, seq.dtype);
    const initial = state === undefined ? undefined : this.splitState(state, B, unbatched);

    let layerInput = seq;
    const finals: State[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let direction = 0; direction < this.directions; direction++) {
        const k = layer * this.directions + direction;
        const cell = this.cells[k]!;
        const input = this.lockedMask(this.inputDropout, [B, layerInput.shape[2]!], seq.dtype);
        const recurrent = this.lockedMask(this.recurrentDropout, [B, cell.outputSize ?? cell.hiddenSize], seq.dtype);
        const [out, final] = runDirection(cell, input ? layerInput.mul(input) : layerInput, initial?.[k], direction === 1, masks, recurrent, this.checkpointEvery, `${this.constructor.name}: the cell of layer ${layer}${direction ? " (reverse)" : ""}`);
        outputs.push(out);
        finals.push(final);
      }
      layerInput = outputs.length === 1 ? outputs[0]! : cat(outputs, -1);
      if (layer < this.numLayers - 1) layerInput = dropout(layerInput, this.dropout, this.training, this.generator);
    }
    const final = mapState(finals[0]!, (_, path) => {
      const stacked = stack(finals.map((f) => leafAt(f, path)), 0);
      return unbatched ? stacked.squeeze(1) : stacked;
    });
    return [layerInput, final];
  }

  /** A (batch, features) dropout mask, kept entries 1/(1-p), to reuse at every step; null when not dropping. */
  private lockedMask(p: number, shape: number[], dtype: DType): Tensor | null {
    if (!this.training || p === 0) return null;
    const keep = rand(shape, { dtype, generator: this.generator ?? defaultGenerator }).lt(1 - p).to(dtype);
    return p === 1 ? keep : keep.div(1 - p);
  }

  /** Per step t, a (batch, 1) mask of the sequences still running; null when all run to the end. */
  private stepMasks(lengths: RecurrentForwardOptions["lengths"], T: number, B: number, dtype: Tensor["dtype"]): Tensor[] | null {
    if (lengths === undefined) return null;
    const name = this.constructor.name;
    if (!Array.isArray(lengths) && !(lengths instanceof Tensor)) throw new Error(`${name}: lengths must be an array of numbers or a Tensor, got ${describeValue(lengths)}`);
    const values = Array.isArray(lengths) ? (lengths as number[]) : Array.from((lengths as Tensor).data());
    if (values.length !== B) throw new Error(`${name}: lengths has ${values.length} entries, expected one per sequence (batch ${B})`);
    for (const n of values) checkInt(name, "every length", n, 1, T);
    if (values.every((n) => n === T)) return null;
    return Array.from({ length: T }, (_, t) => tensor(values.map((n) => (t < n ? 1 : 0)), { dtype, shape: [B, 1] }));
  }

  /** The last dim of the state tensor at path, where the runner knows it: the cells' output size for the first tensor. */
  protected stateSize(path: readonly number[]): number | undefined {
    return path.every((i) => i === 0) ? this.outputSize / this.directions : undefined;
  }

  /** The given state (tensors of (L·D, batch, ...)) as one state per layer and direction. */
  private splitState(state: State, B: number, unbatched: boolean): State[] {
    const name = this.constructor.name;
    const count = this.numLayers * this.directions;
    const pieces = new Map<string, Tensor[]>();
    mapState(state, (t, path) => {
      if (!(t instanceof Tensor)) throw new Error(`${name}: initial state ${path.length ? `[${path}] ` : ""}must be a Tensor, got ${describeValue(t)}`);
      const leaf = unbatched ? t.unsqueeze(1) : t;
      const size = this.stateSize(path);
      if (leaf.ndim < 3 || leaf.shape[0] !== count || leaf.shape[1] !== B || (size !== undefined && (leaf.ndim !== 3 || leaf.shape[2] !== size))) {
        throw new Error(`${name}: initial state tensor ${path.length ? `[${path}] ` : ""}has shape ${fmt(t.shape)}, expected (${count}${unbatched ? "" : `, ${B}`}, ${size ?? "size"}) for ${this.numLayers} layer(s) x ${this.directions} direction(s)${unbatched ? " (unbatched input)" : ""}`);
      }
      pieces.set(path.join(), leaf.unbind(0));
      return t;
    });
    return Array.from({ length: count }, (_, k) => mapState(state, (_t, path) => pieces.get(path.join())![k]!));
  }
}

/** The state a cell returned at its first step: tensors, the first of shape (batch, the cell's output size). */
function checkCellState(cell: Cell, state: State, B: number, label: string): void {
  const name = `${label} (${cell.constructor.name})`;
  const size = cell.outputSize ?? cell.hiddenSize;
  const check = (s: unknown, path: number[]): void => {
    if (Array.isArray(s) && s.length > 0) s.forEach((x, i) => check(x, [...path, i]));
    else if (!(s instanceof Tensor)) throw new Error(`${name} returned ${describeValue(s)}${path.length ? ` at state [${path}]` : ""}; a cell's forward must return a Tensor or an array of Tensors`);
  };
  check(state, []);
  const out = firstTensor(state);
  if (out.ndim !== 2 || out.shape[0] !== B || out.shape[1] !== size) {
    throw new Error(`${name} returned an output of shape ${fmt(out.shape)} at the first step, expected (${B}, ${size}) (batch, ${cell.outputSize !== undefined ? "outputSize" : "hiddenSize"})`);
  }
}

/**
 * One direction of one layer over xs (T, B, F): returns the (T, B, H) outputs and the final
 * state. recurrentMask, when given, multiplies the state's first tensor where it is fed back
 * to the cell (not where it is output or carried past a sequence's end). With checkpointEvery k,
 * each run of k steps is one checkpoint whose inputs are the state, the steps' rows of xs and the
 * cell's parameters; the input projection is then done per segment, inside it, so that neither
 * it nor its gradient is held for the whole sequence.
 */
function runDirection(cell: Cell, xs: Tensor, initial: State | undefined, reverse: boolean, masks: Tensor[] | null, recurrentMask: Tensor | null, checkpointEvery: number, label: string): [Tensor, State] {
  const hoisted = cell.projectInput !== undefined && cell.step !== undefined;
  const T = xs.shape[0]!;
  const outputs = new Array<Tensor>(T);
  const order = Array.from({ length: T }, (_, i) => (reverse ? T - 1 - i : i));
  /** The steps `times` (consecutive, in running order) from rows of xs starting at time `first`. */
  const run: Steps = (times, rows, first, state) => {
    const steps = (hoisted ? cell.projectInput!(rows) : rows).unbind(0);
    const outs = times.map((t) => {
      const fed = recurrentMask && state !== undefined ? mapState(state, (leaf, path) => (path.every((i) => i === 0) ? leaf.mul(recurrentMask) : leaf)) : state;
      let next = hoisted ? cell.step!(steps[t - first]!, fed) : cell.forward(steps[t - first]!, fed);
      if (t === order[0]) checkCellState(cell, next, xs.shape[1]!, label);
      const mask = masks?.[t];
      if (mask) {
        const previous = state;
        next = mapState(next, (leaf, path) => {
          const m = mask.reshape([mask.shape[0]!, ...leaf.shape.slice(1).map(() => 1)]);
          return where(m, leaf, previous === undefined ? 0 : leafAt(previous, path));
        });
      }
      state = next;
      const out = firstTensor(state);
      return mask ? where(mask.reshape([mask.shape[0]!, ...out.shape.slice(1).map(() => 1)]), out, 0) : out;
    });
    return [outs, state!];
  };
  const k = checkpointEvery > 0 ? checkpointEvery : T;
  let state = initial;
  for (let from = 0; from < T; from += k) {
    const times = order.slice(from, from + k);
    const first = reverse ? times[times.length - 1]! : times[0]!;
    const rows = xs.narrow(0, first, times.length);
    let outs: Tensor[];
    if (checkpointEvery > 0) [outs, state] = runCheckpointed(cell, run, times, rows, first, state);
    else [outs, state] = run(times, rows, first, state);
    times.forEach((t, i) => (outputs[t] = outs[i]!));
  }
  return [stack(outputs, 0), state!];
}

type Steps = (times: readonly number[], rows: Tensor, first: number, state: State | undefined) => [Tensor[], State];

/** `run` over one segment as a checkpoint: outputs and final state, its activations recomputed in backward. */
function runCheckpointed(cell: Cell, run: Steps, times: readonly number[], rows: Tensor, first: number, state: State | undefined): [Tensor[], State] {
  const stateLeaves: Tensor[] = [];
  if (state !== undefined) mapState(state, (t) => (stateLeaves.push(t), t));
  let template: State | undefined;
  const segment = (...args: Tensor[]): Tensor[] => {
    let i = 0;
    const given = state === undefined ? undefined : mapState(state, () => args[i++]!);
    const [outs, final] = run(times, args[stateLeaves.length]!, first, given);
    const finalLeaves: Tensor[] = [];
    template = mapState(final, (t) => (finalLeaves.push(t), t));
    return [...finalLeaves, ...outs];
  };
  const results = checkpoint(segment, ...stateLeaves, rows, ...cell.parameters());
  let j = 0;
  const final = mapState(template!, () => results[j++]!);
  return [results.slice(j), final];
}
