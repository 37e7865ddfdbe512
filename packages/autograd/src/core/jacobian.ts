import { stack } from "../ops/join";
import { grad } from "./grad";
import { enableGrad } from "./mode";
import { Tensor } from "./tensor";

// The two ways functional.jacobian fills a Jacobian from one recorded forward. The tape checks
// every gradient against the shape its op recorded, so a cotangent cannot carry a batch dim:
// each row (or column) is a sweep of its own, and the choice is which needs fewer sweeps.

/** grad() over the outputs that require grad only; null for every input when none does. */
export function gradOf(outputs: readonly Tensor[], inputs: readonly Tensor[], gradOutputs: readonly Tensor[] | undefined, createGraph: boolean, retainGraph?: boolean): (Tensor | null)[] {
  const keep = outputs.map((o) => o.requiresGrad);
  if (!keep.some(Boolean)) return inputs.map(() => null);
  const outs = outputs.filter((_, i) => keep[i]);
  const seeds = gradOutputs?.filter((_, i) => keep[i]);
  return grad(outs, [...inputs], { gradOutputs: seeds, allowUnused: true, createGraph, retainGraph: retainGraph ?? createGraph });
}

/** A tensor of `shape` that is 1 at flat position j and 0 elsewhere. */
function basis(shape: readonly number[], dtype: Tensor["dtype"], j: number): Tensor {
  const e = Tensor.zeros(shape, dtype);
  e.buf[j] = 1;
  return e;
}

/** The pieces (each like `piece`, one per element of `along`) laid out as piece.shape ++ along.shape, or as along.shape ++ piece.shape. */
function assemble(pieces: readonly Tensor[], piece: Tensor, along: Tensor, last: boolean): Tensor {
  const pieceShape = piece.shape;
  const shape = last ? [...pieceShape, ...along.shape] : [...along.shape, ...pieceShape];
  if (pieces.length === 0) return Tensor.zeros(shape, piece.dtype);
  return stack(pieces, last ? pieceShape.length : 0).reshape(shape);
}

/** What a missing gradient means for the Jacobian; it may throw (strict), else zeros are used. */
export type OnMissing = (output: number, input: number, g: Tensor | null) => void;

/**
 * Reverse mode, by rows: one backward per output element (seeded with that element's basis
 * vector) over the recorded forward. Σ numel(outputs) sweeps. Entry [i][k] has shape
 * out_i.shape ++ in_k.shape.
 */
export function jacobianRows(outs: readonly Tensor[], ins: readonly Tensor[], createGraph: boolean, onMissing: OnMissing): Tensor[][] {
  return outs.map((out, i) => {
    const rows: Tensor[][] = ins.map(() => []);
    for (let j = 0; j < out.numel; j++) {
      gradOf([out], ins, [basis(out.shape, out.dtype, j)], createGraph, true).forEach((g, k) => {
        onMissing(i, k, g);
        rows[k]!.push(g ?? Tensor.zeros(ins[k]!.shape, ins[k]!.dtype));
      });
    }
    return rows.map((r, k) => assemble(r, ins[k]!, out, false));
  });
}

/**
 * Forward mode without forward-mode AD, by columns: one backward with placeholder cotangents u,
 * recorded, gives g_k(u) = J_kᵀ u for each input k, linear in u; the gradient of g_k · e_j with
 * respect to u is J e_j, the column of input element j (the double-vjp trick). 1 + Σ
 * numel(inputs) sweeps (a column's runs through the recorded backward and the forward values it
 * read), so it pays when the outputs have more elements than the inputs. Every op in fn needs a
 * differentiable backward (as for createGraph).
 */
export function jacobianColumns(outs: readonly Tensor[], ins: readonly Tensor[]): Tensor[][] {
  const us = outs.map((o) => Tensor.zeros(o.shape, o.dtype).requiresGrad_());
  const vjps = enableGrad(() => gradOf(outs, ins, us, true));
  const columns: Tensor[][][] = outs.map(() => ins.map(() => []));
  ins.forEach((input, k) => {
    const g = vjps[k];
    for (let j = 0; j < input.numel; j++) {
      // a vᵀJ that does not depend on u (no path, or a zero gradient by rule) means J's column is 0
      const cols = g?.requiresGrad ? gradOf([g], us, [basis(input.shape, input.dtype, j)], false, true) : us.map(() => null);
      cols.forEach((c, i) => columns[i]![k]!.push(c ?? Tensor.zeros(outs[i]!.shape, outs[i]!.dtype)));
    }
  });
  return outs.map((out, i) => ins.map((input, k) => assemble(columns[i]![k]!, out, input, true)));
}
