import { unravel } from "../core/shape";
import { Tensor } from "../core/tensor";
import { checkTensor, show } from "../core/validate";

/** Options of {@link nonzero}. */
export interface NonzeroOptions {
  /** One 1-d index tensor per dim instead of one (n, ndim) matrix (PyTorch's as_tuple). */
  asTuple?: boolean;
}

/** The row-major flat positions of x's non-zero elements (NaN counts as non-zero). */
export function nonzeroPositions(x: Tensor): number[] {
  const values = x.data();
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) picked.push(i);
  return picked;
}

/**
 * The indices of x's non-zero elements, in row-major order, as int32: an (n, ndim) tensor, or
 * with asTuple one n-element tensor per dim (a 0-d x counts as 1-d there, as in PyTorch). Not
 * differentiable (indices, like argmax); the output's size depends on the data.
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, opts: NonzeroOptions = {}): Tensor | Tensor[] {
  checkTensor("nonzero", "the input", x);
  const asTuple = opts.asTuple ?? false;
  if (typeof asTuple !== "boolean") throw new Error(`nonzero: asTuple must be a boolean, got ${show(asTuple)}`);
  const positions = nonzeroPositions(x);
  const n = positions.length;
  const shape = asTuple && x.ndim === 0 ? [1] : x.shape;
  const nd = shape.length;
  const matrix = new Int32Array(n * nd);
  positions.forEach((flat, row) => matrix.set(unravel(flat, shape), row * nd));
  const indices = Tensor.fromBuffer(matrix, [n, nd]);
  if (!asTuple) return indices;
  return shape.map((_, d) => indices.select(1, d).contiguous());
}

/** nonzero(x) (torch.argwhere). */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}
