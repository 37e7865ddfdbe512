import { primitive, rule } from "../core/op";
import type { RuleTable } from "./primitives";
import { kernels } from "../backend/backend";
import { fmt, normalizeDim, numel } from "../core/shape";
import { Tensor } from "../core/tensor";

function checkIndexTensor(op: string, index: Tensor): void {
  if (index.dtype !== "int32") throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} (shape ${fmt(index.shape)})`);
}

function checkGatherShapes(op: string, x: readonly number[], dim: number, index: readonly number[]): void {
  if (index.length !== x.length || index.some((s, d) => d !== dim && s > x[d]!)) {
    throw new Error(`${op}: index of shape ${fmt(index)} does not fit a tensor of shape ${fmt(x)} along dim ${dim} (same number of dims, no larger in any other dim)`);
  }
}

/** Every index must name an element of dim `dim` (size `size`); like PyTorch, negative indices are out of range. */
function checkIndexValues(op: string, index: Tensor, dim: number, shape: readonly number[]): void {
  const size = shape[dim]!;
  for (const i of index.data()) {
    if (i < 0 || i >= size) {
      throw new Error(`${op}: index ${i} is out of range [0, ${size}) for dim ${dim} of a tensor of shape ${fmt(shape)} (index shape ${fmt(index.shape)})`);
    }
  }
}

const rules = {
  gather: rule({
    forward(x: Tensor, dim: number, index: Tensor) {
      const out = Tensor.zeros([...index.shape], x.dtype);
      kernels.gather(x, dim, index, out.buf);
      return [out, { inShape: x.shape, dim, index }];
    },
    backward: ({ inShape, dim, index }, g: Tensor) => [scatterAddPrim(inShape, dim, index, g)], // each picked element receives its g
  }),
  /** zeros(shape) with src added at the positions index names along dim (the adjoint of gather). */
  scatterAdd: rule({
    forward(shape: number[], dim: number, index: Tensor, src: Tensor) {
      const out = Tensor.zeros(shape, src.dtype);
      kernels.scatterAdd(out, dim, index, src);
      return [out, { dim, index }];
    },
    backward: ({ dim, index }, g: Tensor) => [null, gatherPrim(g, dim, index)],
  }),
  indexSelect: rule({
    forward(x: Tensor, dim: number, index: Int32Array) {
      const c = x.contiguous();
      const { outer, size, inner } = splitAt(x.shape, dim);
      const shape = [...x.shape];
      shape[dim] = index.length;
      const out = Tensor.zeros(shape, x.dtype);
      kernels.indexSelect(c.buf, c.offset, outer, size, inner, index, out.buf);
      return [out, { inShape: x.shape, dim, index }];
    },
    backward: ({ inShape, dim, index }, g: Tensor) => [indexAddPrim(inShape, dim, index, g)],
  }),
  /** zeros(shape) with the slices of src added at positions index along dim (the adjoint of indexSelect). */
  indexAdd: rule({
    forward(shape: number[], dim: number, index: Int32Array, src: Tensor) {
      const out = Tensor.zeros(shape, src.dtype);
      const c = src.contiguous();
      const { outer, size, inner } = splitAt(shape, dim);
      kernels.indexAdd(out.buf, outer, size, inner, index, c.buf, c.offset);
      return [out, { dim, index }];
    },
    backward: ({ dim, index }, g: Tensor) => [indexSelectPrim(g, dim, index)],
  }),
} satisfies RuleTable<"indexing">;

const gatherPrim: (x: Tensor, dim: number, index: Tensor) => Tensor = primitive("gather", rules.gather);
export const scatterAddPrim: (shape: number[], dim: number, index: Tensor, src: Tensor) => Tensor = primitive("scatterAdd", rules.scatterAdd);
const indexSelectPrim: (x: Tensor, dim: number, index: Int32Array) => Tensor = primitive("indexSelect", rules.indexSelect);
export const indexAddPrim: (shape: number[], dim: number, index: Int32Array, src: Tensor) => Tensor = primitive("indexAdd", rules.indexAdd);

/** Entries of `x` picked along `dim` by an int32 `index` with as many dims: for dim 0, `out[i][j] = x[index[i][j]][j]`. The output has the index's shape. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndexTensor("gather", index);
  const d = normalizeDim(dim, x.shape, "gather");
  checkGatherShapes("gather", x.shape, d, index.shape);
  checkIndexValues("gather", index, d, x.shape);
  return gatherPrim(x, d, index);
}

/** A zero tensor of `shape` with each `src` entry added at the position `index` gives along `dim` (gather's adjoint). */
export function scatterAdd(shape: readonly number[], dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndexTensor("scatterAdd", index);
  const d = normalizeDim(dim, shape, "scatterAdd");
  checkGatherShapes("scatterAdd", shape, d, index.shape);
  checkIndexValues("scatterAdd", index, d, shape);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i]!)) {
    throw new Error(`scatterAdd: src of shape ${fmt(src.shape)} is smaller than index of shape ${fmt(index.shape)}`);
  }
  return scatterAddPrim([...shape], d, index, src);
}

function splitAt(shape: readonly number[], dim: number) {
  return { outer: numel(shape.slice(0, dim)), size: shape[dim]!, inner: numel(shape.slice(dim + 1)) };
}

/** The entries of `dim` of `x` at the positions of the 1-D int32 `index`, in that order. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndexTensor("indexSelect", index);
  if (index.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-d, got shape ${fmt(index.shape)}`);
  const d = normalizeDim(dim, x.shape, "indexSelect");
  if (x.ndim === 0) return indexSelect(x.reshape([1]), 0, index).reshape(index.shape);
  checkIndexValues("indexSelect", index, d, x.shape);
  return indexSelectPrim(x, d, index.data() as Int32Array);
}
