import { tensor } from "../core/creation";
import { broadcastShapes, fmt, normalizeDim, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { gather, indexSelect } from "./indexing";
import { nonzeroPositions } from "./nonzero";
import { where } from "./pointwise";

/** x with `value` where mask (1/0, broadcast to x's shape) is non-zero; value: a number or a 0-d tensor. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  if (!sameShape(broadcastShapes("maskedFill", x.shape, mask.shape), x.shape)) {
    throw new Error(`maskedFill: mask of shape ${fmt(mask.shape)} does not broadcast to the input's shape ${fmt(x.shape)}`);
  }
  if (value instanceof Tensor && value.ndim !== 0) throw new Error(`maskedFill: value must be a number or a 0-d tensor, got shape ${fmt(value.shape)}`);
  return where(mask, value, x);
}

/** The elements of x where mask is non-zero (both broadcast), as a 1-d tensor in row-major order. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  const shape = broadcastShapes("maskedSelect", x.shape, mask.shape);
  const picked = nonzeroPositions(mask.expand(shape));
  return indexSelect(x.expand(shape).reshape([-1]), 0, tensor(Int32Array.from(picked)));
}

/** Flat positions of x's elements (negative counts from the end), as int32, checked against its size. */
function flatIndex(op: string, x: Tensor, index: Tensor): Int32Array {
  if (index.dtype !== "int32") throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} (shape ${fmt(index.shape)})`);
  const n = x.numel;
  const values = index.data();
  const flat = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const i = values[k]!;
    if (i < -n || i >= n) throw new Error(`${op}: index ${i} is out of range for a tensor of ${n} elements (shape ${fmt(x.shape)})`);
    flat[k] = i < 0 ? i + n : i;
  }
  return flat;
}

/** x read as 1-d at the positions in index; the result has index's shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  const flat = flatIndex("take", x, index);
  return indexSelect(x.reshape([-1]), 0, tensor(flat)).reshape(index.shape);
}

/** gather with x and indices broadcast against each other outside dim; without dim, on x flattened. */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  if (dim === undefined) return take(x, indices.reshape([-1]));
  if (indices.dtype !== "int32") throw new Error(`takeAlongDim: indices must be an int32 tensor, got ${indices.dtype} (shape ${fmt(indices.shape)})`);
  if (indices.ndim !== x.ndim) throw new Error(`takeAlongDim: indices of shape ${fmt(indices.shape)} must have as many dims as the input of shape ${fmt(x.shape)}`);
  const d = normalizeDim(dim, x.shape, "takeAlongDim");
  const outer = broadcastShapes("takeAlongDim", x.shape.map((s, i) => (i === d ? 1 : s)), indices.shape.map((s, i) => (i === d ? 1 : s)));
  const withSize = (n: number) => outer.map((s, i) => (i === d ? n : s));
  return gather(x.expand(withSize(x.shape[d]!)), d, indices.expand(withSize(indices.shape[d]!)).contiguous());
}
