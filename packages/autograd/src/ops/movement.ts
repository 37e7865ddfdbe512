import { primitive, rule } from "../core/op";
import { contiguousStrides, fmt, normalizeDim, normalizeDims, numel, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { checkInt, checkIntList } from "../core/validate";
import type { RuleTable } from "./primitives";

/** Strides that let `shape` read the same elements as (oldShape, oldStrides), or null (PyTorch's rule). */
export function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], shape: readonly number[]): number[] | null {
  if (numel(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(shape);
  const strides = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        strides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? strides : null;
}

/** Resolves one -1 in a requested shape against a tensor of `total` elements. */
export function inferShape(op: string, from: readonly number[], requested: readonly number[]): number[] {
  const shape = checkIntList(op, "shape", requested);
  const unknown = shape.indexOf(-1);
  if (shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    throw new Error(`${op}: invalid shape ${fmt(requested)} (sizes must be non-negative integers, with at most one -1)`);
  }
  const total = numel(from);
  if (unknown >= 0) {
    const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    if (known === 0 || total % known !== 0) throw new Error(`${op}: shape ${fmt(requested)} is invalid for a tensor of shape ${fmt(from)} (${total} elements)`);
    shape[unknown] = total / known;
  }
  if (numel(shape) !== total) throw new Error(`${op}: shape ${fmt(requested)} is invalid for a tensor of shape ${fmt(from)} (${total} elements)`);
  return shape;
}

const rules = {
  reshape: rule({
    forward(x: Tensor, shape: number[], copyIfNeeded: boolean) {
      const strides = viewStrides(x.shape, x.strides, shape);
      if (!strides && !copyIfNeeded) {
        throw new Error(`view: shape ${fmt(shape)} is not compatible with the strides ${fmt(x.strides)} of a tensor of shape ${fmt(x.shape)}; use reshape() (which copies) or call contiguous() first`);
      }
      const source = strides ? x : x.copyContiguous();
      return [source.makeView(shape, strides ?? contiguousStrides(shape), source.offset), { inShape: x.shape }];
    },
    backward: ({ inShape }, g: Tensor) => [g.reshape(inShape)], // reshape is linear: its adjoint reshapes back
  }),
  permute: rule({
    forward: (x: Tensor, dims: number[]) => [x.makeView(dims.map((d) => x.shape[d]!), dims.map((d) => x.strides[d]!), x.offset), { dims }],
    backward({ dims }, g: Tensor) {
      const inverse = new Array<number>(dims.length);
      dims.forEach((d, i) => (inverse[d] = i));
      return [g.permute(inverse)];
    },
  }),
  expand: rule({
    forward(x: Tensor, shape: number[]) {
      const lead = shape.length - x.ndim;
      const strides = shape.map((d, i) => (i < lead || (x.shape[i - lead] === 1 && d !== 1) ? 0 : x.strides[i - lead]!));
      return [x.makeView(shape, strides, x.offset), { inShape: x.shape }];
    },
    backward: ({ inShape }, g: Tensor) => [sumTo(g, inShape)], // each input element fed every copy of itself
  }),
  slice: rule({
    forward: (x: Tensor, dim: number, start: number, length: number, step: number) => [x.narrowView(dim, start, length, step), { inShape: x.shape, dim, start, step }],
    backward: ({ inShape, dim, start, step }, g: Tensor) => [sliceScatter(g, inShape, dim, start, step)],
  }),
  /** The adjoint of slice: zeros of `shape` with g written into the sliced positions. */
  sliceScatter: rule({
    forward(g: Tensor, shape: number[], dim: number, start: number, step: number) {
      const out = Tensor.zeros(shape, g.dtype);
      out.narrowView(dim, start, g.shape[dim]!, step).assign(g);
      return [out, { dim, start, step, length: g.shape[dim]! }];
    },
    backward: ({ dim, start, length, step }, gg: Tensor) => [slicePrim(gg, dim, start, length, step)],
  }),
  flip: rule({
    forward(x: Tensor, dims: number[]) {
      let offset = x.offset;
      const strides = [...x.strides];
      for (const d of dims) {
        if (x.shape[d]! > 0) offset += (x.shape[d]! - 1) * x.strides[d]!;
        strides[d] = -strides[d]!;
      }
      return [x.makeView([...x.shape], strides, offset), { dims }];
    },
    backward: ({ dims }, g: Tensor) => [g.flip(dims)], // flip is its own inverse
  }),
  contiguous: rule({
    forward: (x: Tensor) => [x.copyContiguous(), {}],
    backward: (_, g: Tensor) => [g],
  }),
} satisfies RuleTable<"movement">;

const reshapePrim: (x: Tensor, shape: number[], copyIfNeeded: boolean) => Tensor = primitive("reshape", rules.reshape);
const permutePrim: (x: Tensor, dims: number[]) => Tensor = primitive("permute", rules.permute);
const expandPrim: (x: Tensor, shape: number[]) => Tensor = primitive("expand", rules.expand);
const slicePrim: (x: Tensor, dim: number, start: number, length: number, step: number) => Tensor = primitive("slice", rules.slice);
export const sliceScatter: (g: Tensor, shape: number[], dim: number, start: number, step: number) => Tensor = primitive("sliceScatter", rules.sliceScatter);
const flipPrim: (x: Tensor, dims: number[]) => Tensor = primitive("flip", rules.flip);
const contiguousPrim: (x: Tensor) => Tensor = primitive("contiguous", rules.contiguous);

/** The same elements in another shape (one entry may be -1); a view when the strides allow it, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape("reshape", x.shape, shape);
  return sameShape(target, x.shape) ? x : reshapePrim(x, target, true);
}

/** A view with another shape (one entry may be -1); throws when the strides do not allow it. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return reshapePrim(x, inferShape("view", x.shape, shape), false);
}

/** A view with the dims reordered: dim i of the result is dim `dims[i]` of x. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const norm = checkIntList("permute", "dims", dims).map((d) => normalizeDim(d, x.shape, "permute"));
  if (norm.length !== x.ndim || new Set(norm).size !== norm.length) {
    throw new Error(`permute: dims ${fmt(dims)} must be a permutation of the ${x.ndim} dims of a tensor of shape ${fmt(x.shape)}`);
  }
  return permutePrim(x, norm);
}

/** A view with dims dim0 and dim1 swapped. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.shape, "transpose");
  const b = normalizeDim(dim1, x.shape, "transpose");
  if (x.ndim < 2) return x;
  const dims: number[] = [];
  for (let d = 0; d < x.ndim; d++) dims.push(d);
  dims[a] = b;
  dims[b] = a;
  return permutePrim(x, dims);
}

/** Sums g over the dims that broadcasting added or stretched, giving a tensor of `shape`. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  const summed = dims.length > 0 ? g.sum(dims, true) : g;
  return summed.reshape(shape);
}

/** A view broadcast to `sizes` without copying (stride 0 on stretched dims); -1 keeps a dim's size. */
export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  checkIntList("expand", "sizes", sizes, -1); // a view: any size, however large, costs nothing until something copies it
  const lead = sizes.length - x.ndim;
  if (lead < 0) throw new Error(`expand: the target shape ${fmt(sizes)} has fewer dims than the tensor of shape ${fmt(x.shape)}`);
  const shape = sizes.map((d, i) => {
    const own = i >= lead ? x.shape[i - lead]! : -1;
    const size = d === -1 && i >= lead ? own : d;
    if (!Number.isInteger(size) || size < 0 || (i >= lead && own !== 1 && own !== size)) {
      throw new Error(`expand: cannot expand a tensor of shape ${fmt(x.shape)} to ${fmt(sizes)} (dimension ${i}: only size-1 dims can be expanded)`);
    }
    return size;
  });
  return sameShape(shape, x.shape) ? x : expandPrim(x, shape);
}

/** Python-style slice along dim: start and end may be negative or past the end; step > 0. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeDim(dim, x.shape, "slice");
  checkInt("slice", "start", start);
  if (end !== undefined) checkInt("slice", "end", end);
  checkInt("slice", "step", step, 1);
  const size = x.shape[d]!;
  const clampIndex = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start);
  const e = Math.max(clampIndex(end ?? size), s);
  const length = Math.ceil((e - s) / step);
  if (s === 0 && length === size && step === 1) return x;
  return slicePrim(x, d, s, length, step);
}

/** A view of `length` entries of `dim` starting at `start`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.shape, "narrow");
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new Error(`narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${size} (shape ${fmt(x.shape)})`);
  }
  if (s === 0 && length === size) return x;
  return slicePrim(x, d, s, length, 1);
}

/** A view of entry `index` of `dim`, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.shape, "select");
  const size = x.shape[d]!;
  const i = index < 0 ? index + size : index;
  if (!Number.isInteger(i) || i < 0 || i >= size) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${fmt(x.shape)})`);
  }
  return squeeze(slicePrim(x, d, i, 1, 1), d);
}

/** A view without size-1 dims (all of them, or only `dim` / the listed dims when they have size 1). */
export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  const dims = dim === undefined ? x.shape.flatMap((s, i) => (s === 1 ? [i] : [])) : normalizeDims(dim, x.shape, "squeeze");
  const keep = x.shape.map((_, i) => i).filter((i) => !(dims.includes(i) && x.shape[i] === 1));
  if (keep.length === x.ndim) return x;
  return reshapePrim(x, keep.map((i) => x.shape[i]!), false);
}

/** A view with a size-1 dim inserted at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshapePrim(x, shape, false);
}

/** Dims `startDim` to `endDim` (default all) merged into one; a view when possible. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return x.reshape([1]);
  const s = normalizeDim(startDim, x.shape, "flatten");
  const e = normalizeDim(endDim, x.shape, "flatten");
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return x.reshape([...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** A view with the entries reversed along each of `dims`. */
export function flip(x: Tensor, dims: number | number[]): Tensor {
  return flipPrim(x, normalizeDims(dims, x.shape, "flip"));
}

/** x if it is contiguous, else a row-major copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : contiguousPrim(x);
}

/** A contiguous copy that shares nothing with x, recorded as one op (contiguous's rule). */
export function clone(x: Tensor): Tensor {
  return contiguousPrim(x);
}
