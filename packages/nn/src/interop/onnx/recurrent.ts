import { cat, noGrad, stack, type Tensor } from "@tapegrad/autograd";
import { GRU, LSTM, RNN } from "../../rnn";
import { Recurrent } from "../../recurrent";
import { HARD_SIGMOID } from "../tfjs/activations";
import { ResetBeforeGRUCell } from "../tfjs/gru-reset-before";
import { HardGateGRUCell, HardGateLSTMCell } from "../tfjs/hard-gate-cells";
import type { OnnxGraph } from "./graph";
import type { AttributeValue } from "./proto";

type Kind = "LSTM" | "GRU" | "RNN";

/** PyTorch's gate blocks (LSTM i,f,g,o; GRU r,z,n) in ONNX's order (LSTM i,o,f,c; GRU z,r,h). */
const ORDER: Record<Kind, number[]> = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

function reorder(t: Tensor, kind: Kind): Tensor {
  const blocks = t.chunk(ORDER[kind].length, 0);
  return cat(ORDER[kind].map((i) => blocks[i]!), 0);
}

/** Keras's GRU with reset_after=false (a Recurrent of ResetBeforeGRUCell) is ONNX's GRU with linear_before_reset=0. */
function isResetBeforeGru(m: unknown): boolean {
  return m instanceof Recurrent && m.cells[0] instanceof ResetBeforeGRUCell;
}

/** Keras's gates with recurrent_activation="hard_sigmoid" (ONNX's HardSigmoid activation). */
function hasHardGates(m: unknown): boolean {
  if (!(m instanceof Recurrent)) return false;
  const cell = m.cells[0];
  return cell instanceof HardGateLSTMCell || cell instanceof HardGateGRUCell || (cell instanceof ResetBeforeGRUCell && cell.gate === "hard_sigmoid");
}

/** The ONNX operator of a recurrent module, or null (an LSTM with projSize has none: its forward is traced, unrolled over time). */
export function recurrentKind(m: unknown): Kind | null {
  if (m instanceof LSTM && m.opts.projSize) return null;
  if (m instanceof Recurrent && m.cells[0] instanceof HardGateLSTMCell) return "LSTM";
  if (m instanceof Recurrent && m.cells[0] instanceof HardGateGRUCell) return "GRU";
  return m instanceof LSTM ? "LSTM" : m instanceof GRU || isResetBeforeGru(m) ? "GRU" : m instanceof RNN ? "RNN" : null;
}

/**
 * One ONNX RNN / LSTM / GRU node per layer (both directions in one node), chained like the
 * runner's layers. x: (seq, batch, in) or batch-first; states (L·D, batch, H); lengths int32
 * (batch). Returns the output and the final state names as the module's forward returns them.
 */
export function emitRecurrent(g: OnnxGraph, m: Recurrent, kind: Kind, x: string, state: string[] | null, lengths: string | null): [string, string | string[]] {
  const D = m.directions;
  const cellParams = (k: number) => m.cells[k] as unknown as { weight_ih: Tensor; weight_hh: Tensor; bias_ih: Tensor | null; bias_hh: Tensor | null; hiddenSize: number };
  const H = cellParams(0).hiddenSize;
  const nonlinearity = kind === "RNN" ? ((m as RNN).opts.nonlinearity ?? "tanh") : "tanh";
  const resetBefore = isResetBeforeGru(m);
  let input = m.batchFirst ? g.one("Transpose", [x], { perm: { ints: [1, 0, 2] } }) : x;
  const finals: string[][] = [[], []];
  for (let layer = 0; layer < m.numLayers; layer++) {
    const cells = Array.from({ length: D }, (_, d) => cellParams(layer * D + d));
    const [W, R, B] = noGrad(() => [
      stack(cells.map((c) => reorder(c.weight_ih, kind)), 0),
      stack(cells.map((c) => reorder(c.weight_hh, kind)), 0),
      cells[0]!.bias_ih ? stack(cells.map((c) => cat([reorder(c.bias_ih!, kind), c.bias_hh ? reorder(c.bias_hh, kind) : c.bias_ih!.mul(0)], 0)), 0) : null,
    ]);
    const slice = (s: string) => (m.numLayers === 1 ? s : g.one("Slice", [s, g.int64s([layer * D], "start"), g.int64s([(layer + 1) * D], "end"), g.int64s([0], "axes")]));
    const inputs = [input, g.constant(W, `${kind}_W`), g.constant(R, `${kind}_R`), B ? g.constant(B, `${kind}_B`) : "", lengths ?? "", ...(state ?? []).map(slice)];
    const attrs: Record<string, AttributeValue> = { hidden_size: H, direction: D === 2 ? "bidirectional" : "forward" };
    if (kind === "GRU") attrs["linear_before_reset"] = resetBefore ? 0 : 1;
    if (kind === "RNN") attrs["activations"] = { strings: Array<string>(D).fill(nonlinearity === "relu" ? "Relu" : "Tanh") };
    if (hasHardGates(m)) {
      const perDirection = kind === "LSTM" ? ["HardSigmoid", "Tanh", "Tanh"] : ["HardSigmoid", "Tanh"];
      attrs["activations"] = { strings: Array.from({ length: D }, () => perDirection).flat() };
      attrs["activation_alpha"] = { floats: Array<number>(D).fill(HARD_SIGMOID.alpha) };
      attrs["activation_beta"] = { floats: Array<number>(D).fill(HARD_SIGMOID.beta) };
    }
    const outs = g.add(kind, inputs, attrs, kind === "LSTM" ? 3 : 2);
    finals[0]!.push(outs[1]!);
    if (kind === "LSTM") finals[1]!.push(outs[2]!);
    const timeMajor = g.one("Transpose", [outs[0]!], { perm: { ints: [0, 2, 1, 3] } });
    input = g.one("Reshape", [timeMajor, g.int64s([0, 0, D * H], "shape")]);
  }
  const output = m.batchFirst ? g.one("Transpose", [input], { perm: { ints: [1, 0, 2] } }) : input;
  const joined = finals.filter((f) => f.length > 0).map((f) => (f.length === 1 ? f[0]! : g.one("Concat", f, { axis: 0 })));
  return [output, kind === "LSTM" ? joined : joined[0]!];
}
