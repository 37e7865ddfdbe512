import { primitive, rule } from "../core/op";
import { fmt, normalizeDim } from "../core/shape";
import { Tensor } from "../core/tensor";
import { sliceScatter } from "./movement";
import type { RuleTable } from "./primitives";

/** The diagonal of dims (d1, d2) shifted by offset, as a view: those dims dropped, the diagonal last. */
function diagonalView(x: Tensor, offset: number, d1: number, d2: number): Tensor {
  const [n1, n2] = [x.shape[d1]!, x.shape[d2]!];
  const length = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  const start = length === 0 ? 0 : offset >= 0 ? offset * x.strides[d2]! : -offset * x.strides[d1]!;
  const keep = x.shape.map((_, i) => i).filter((i) => i !== d1 && i !== d2);
  return x.makeView([...keep.map((i) => x.shape[i]!), length], [...keep.map((i) => x.strides[i]!), x.strides[d1]! + x.strides[d2]!], x.offset + start);
}

const rules = {
  diagonal: rule({
    forward: (x: Tensor, offset: number, d1: number, d2: number) => [diagonalView(x, offset, d1, d2), { inShape: x.shape, offset, d1, d2 }],
    backward: ({ inShape, offset, d1, d2 }, g: Tensor) => [diagEmbedPrim(g, inShape, offset, d1, d2)],
  }),
  /** zeros of `shape` with g written on the diagonal (offset, d1, d2): the adjoint of diagonal. */
  diagEmbed: rule({
    forward(g: Tensor, shape: number[], offset: number, d1: number, d2: number) {
      const out = Tensor.zeros(shape, g.dtype);
      diagonalView(out, offset, d1, d2).assign(g);
      return [out, { offset, d1, d2 }];
    },
    backward: ({ offset, d1, d2 }, gg: Tensor) => [diagonalPrim(gg, offset, d1, d2)],
  }),
  /** Windows of `size` every `step` along d as a view: d becomes the window count, a last dim the window. */
  unfold: rule({
    forward(x: Tensor, d: number, size: number, step: number) {
      const shape = [...x.shape, size];
      const strides = [...x.strides, x.strides[d]!];
      shape[d] = Math.floor((x.shape[d]! - size) / step) + 1;
      strides[d] = x.strides[d]! * step;
      return [x.makeView(shape, strides, x.offset), { inShape: x.shape, d, size, step }];
    },
    // element k of every window came from position k + w·step: add each k's slice back there
    backward({ inShape, d, size, step }, g: Tensor) {
      let dx: Tensor | null = null;
      for (let k = 0; k < size; k++) {
        const part = sliceScatter(g.select(-1, k), inShape, d, k, step);
        dx = dx ? dx.add(part) : part;
      }
      return [dx ?? Tensor.zeros(inShape, g.dtype)];
    },
  }),
} satisfies RuleTable<"views">;

const diagonalPrim: (x: Tensor, offset: number, d1: number, d2: number) => Tensor = primitive("diagonal", rules.diagonal);
const diagEmbedPrim: (g: Tensor, shape: number[], offset: number, d1: number, d2: number) => Tensor = primitive("diagEmbed", rules.diagEmbed);
const unfoldPrim: (x: Tensor, d: number, size: number, step: number) => Tensor = primitive("unfold", rules.unfold);

function twoDims(op: string, ndim: number, dim1: number, dim2: number): [number, number] {
  const d1 = normalizeDim(dim1, ndim, op);
  const d2 = normalizeDim(dim2, ndim, op);
  if (d1 === d2) throw new Error(`${op}: dim1 and dim2 must differ, both name dimension ${d1}`);
  return [d1, d2];
}

function checkOffset(op: string, offset: number): void {
  if (!Number.isInteger(offset)) throw new Error(`${op}: offset must be an integer, got ${offset}`);
}

/** The diagonal of the 2-d slices over (dim1, dim2), offset above (> 0) or below (< 0) the main one; a view. */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkOffset("diagonal", offset);
  if (x.ndim < 2) throw new Error(`diagonal: expected a tensor with at least 2 dims, got shape ${fmt(x.shape)}`);
  const [d1, d2] = twoDims("diagonal", x.ndim, dim1, dim2);
  return diagonalPrim(x, offset, d1, d2);
}

/** A tensor whose diagonals over (dim1, dim2) of the result hold x's last dim; zeros elsewhere. */
export function diagEmbed(x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  checkOffset("diagEmbed", offset);
  if (x.ndim < 1) throw new Error(`diagEmbed: expected a tensor with at least 1 dim, got shape ${fmt(x.shape)}`);
  const [d1, d2] = twoDims("diagEmbed", x.ndim + 1, dim1, dim2);
  const n = x.shape[x.ndim - 1]! + Math.abs(offset);
  const shape = x.shape.slice(0, -1);
  for (const d of [Math.min(d1, d2), Math.max(d1, d2)]) shape.splice(d, 0, n);
  return diagEmbedPrim(x, shape, offset, d1, d2);
}

/** 1-d x: the square matrix with x on diagonal `offset`; 2-d x: that diagonal of x (a copy, as in PyTorch). */
export function diag(x: Tensor, offset = 0): Tensor {
  if (x.ndim === 1) return diagEmbed(x, offset);
  if (x.ndim === 2) return diagonal(x, offset).clone();
  throw new Error(`diag: expected a 1-d or 2-d tensor, got shape ${fmt(x.shape)}`);
}

/** The sum of the main diagonal of a 2-d tensor. */
export function trace(x: Tensor): Tensor {
  if (x.ndim !== 2) throw new Error(`trace: expected a 2-d tensor, got shape ${fmt(x.shape)}`);
  return diagonal(x).sum();
}

/** Sliding windows of `size` every `step` along `dimension` (PyTorch's Tensor.unfold); a view. */
export function unfold(x: Tensor, dimension: number, size: number, step: number): Tensor {
  const d = normalizeDim(dimension, x.shape, "unfold");
  const src = x.ndim === 0 ? x.reshape([1]) : x;
  if (!Number.isInteger(step) || step <= 0) throw new Error(`unfold: step must be a positive integer, got ${step}`);
  if (!Number.isInteger(size) || size < 0 || size > src.shape[d]!) {
    throw new Error(`unfold: size must be an integer in [0, ${src.shape[d]}] (the size of dimension ${dimension} of shape ${fmt(x.shape)}), got ${size}`);
  }
  const out = unfoldPrim(src, d, size, step);
  return x.ndim === 0 ? out.reshape([size]) : out;
}
