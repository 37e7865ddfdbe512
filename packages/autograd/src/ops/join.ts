import { primitive, rule } from "../core/op";
import type { RuleTable } from "./primitives";
import { fmt, normalizeDim } from "../core/shape";
import { Tensor } from "../core/tensor";
import { checkIntList, checkTensor, show } from "../core/validate";

const rules = {
  cat: rule({
    forward(tensors: Tensor[], dim: number) {
      const sizes = tensors.map((t) => t.shape[dim]!);
      const shape = [...tensors[0]!.shape];
      shape[dim] = sizes.reduce((a, b) => a + b, 0);
      const out = Tensor.zeros(shape, tensors[0]!.dtype);
      let at = 0;
      for (const t of tensors) {
        out.narrowView(dim, at, t.shape[dim]!, 1).assign(t);
        at += t.shape[dim]!;
      }
      return [out, { sizes, dim }];
    },
    backward: ({ sizes, dim }, g: Tensor) => g.split(sizes, dim), // each input gets its own stretch back
  }),
  /** Stacks equal-shaped tensors along a new dim; its backward hands each input its slice of g. */
  stack: rule({
    forward(tensors: Tensor[], dim: number) {
      const first = tensors[0]!;
      const shape = [...first.shape];
      shape.splice(dim, 0, tensors.length);
      const out = Tensor.zeros(shape, first.dtype);
      const strides = out.strides.filter((_, d) => d !== dim);
      tensors.forEach((t, i) => out.makeView(first.shape, strides, i * out.strides[dim]!).assign(t));
      return [out, { dim }];
    },
    backward: ({ dim }, g: Tensor) => g.unbind(dim),
  }),
  /**
   * Splits along dim into views. One node for all pieces: its backward assembles the gradient
   * once, so taking every time step of a sequence costs O(T), not O(T²).
   */
  split: rule({
    materializeGrads: false,
    forward(x: Tensor, sizes: number[], dim: number, squeeze: boolean): [Tensor[], { sizes: number[]; dim: number; squeeze: boolean; shape: number[]; dtype: Tensor["dtype"] }] {
      let at = 0;
      const pieces = sizes.map((size) => {
        const piece = x.narrowView(dim, at, size, 1);
        at += size;
        return squeeze ? piece.makeView(piece.shape.filter((_, i) => i !== dim), piece.strides.filter((_, i) => i !== dim), piece.offset) : piece;
      });
      return [pieces, { sizes, dim, squeeze, shape: x.shape, dtype: x.dtype }];
    },
    backward({ sizes, dim, squeeze, shape, dtype }, grads) {
      const pieces = sizes.map((size, i) => {
        const g = grads[i];
        if (g) return g;
        const zshape = [...shape];
        if (squeeze) zshape.splice(dim, 1);
        else zshape[dim] = size;
        return Tensor.zeros(zshape, dtype);
      });
      return [squeeze ? stack(pieces, dim) : cat(pieces, dim)];
    },
  }),
} satisfies RuleTable<"join">;

const catPrim: (tensors: Tensor[], dim: number) => Tensor = primitive("cat", rules.cat);
const stackPrim: (tensors: Tensor[], dim: number) => Tensor = primitive("stack", rules.stack);
const splitPrim: (x: Tensor, sizes: number[], dim: number, squeeze: boolean) => Tensor[] = primitive("split", rules.split);

/**
 * Concatenates tensors of equal shape except along `dim` (default 0).
 *
 * @example
 * ```ts
 * cat([zeros([2, 3]), ones([1, 3])]).shape; // [3, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList("cat", tensors);
  if (tensors.length === 0) throw new Error("cat: expected a non-empty list of tensors");
  const first = tensors[0]!;
  if (first.ndim === 0) throw new Error(`cat: zero-dimensional tensors cannot be concatenated (use stack)`);
  const d = normalizeDim(dim, first.shape, "cat");
  for (const t of tensors) {
    if (t.dtype !== first.dtype) throw new Error(`cat: dtype mismatch: ${first.dtype} and ${t.dtype}`);
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`cat: shapes ${tensors.map((x) => fmt(x.shape)).join(", ")} differ outside dim ${dim}`);
    }
  }
  return catPrim([...tensors], d);
}

/** Joins tensors of one shape along a new dim at `dim` (default 0). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList("stack", tensors);
  if (tensors.length === 0) throw new Error("stack: expected a non-empty list of tensors");
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.shape.length !== first.shape.length || t.shape.some((s, i) => s !== first.shape[i])) {
      throw new Error(`stack: every tensor must have the same shape, got ${tensors.map((x) => fmt(x.shape)).join(", ")}`);
    }
    if (t.dtype !== first.dtype) throw new Error(`stack: dtype mismatch: ${first.dtype} and ${t.dtype}`);
  }
  return stackPrim([...tensors], normalizeDim(dim, first.ndim + 1, "stack"));
}

/** An array of Tensors, or an error naming op and the first thing that is not one. */
function checkTensorList(op: string, tensors: unknown): void {
  if (!Array.isArray(tensors)) throw new Error(`${op}: expected an array of tensors, got ${show(tensors)}`);
  tensors.forEach((t, i) => checkTensor(op, `tensors[${i}]`, t));
}

/** Views of consecutive pieces along `dim` (default 0): each of `splitSize` entries (the last may be smaller), or of the listed sizes. */
export function split(x: Tensor, splitSize: number | number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.shape, "split");
  const size = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (!Number.isInteger(splitSize) || splitSize <= 0) throw new Error(`split: splitSize must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let at = 0; at < size; at += splitSize) sizes.push(Math.min(splitSize, size - at));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = checkIntList("split", "sizes", splitSize);
    if (sizes.reduce((a, b) => a + b, 0) !== size || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new Error(`split: sizes ${fmt(sizes)} must be non-negative and add up to ${size}, the size of dim ${dim} (shape ${fmt(x.shape)})`);
    }
  }
  return splitPrim(x, sizes, d, false);
}

/** `chunks` views of (almost) equal size along `dim` (default 0), as PyTorch's `chunk`. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.shape, "chunk");
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/** All slices along dim, with that dim removed. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.shape, "unbind");
  return splitPrim(x, new Array<number>(x.shape[d]!).fill(1), d, true);
}
