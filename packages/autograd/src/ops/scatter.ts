import { full, tensor } from "../core/creation";
import { contiguousStrides, fmt, normalizeDim } from "../core/shape";
import { Tensor } from "../core/tensor";
import { indexSelect } from "./indexing";
import { cat } from "./join";
import { where } from "./pointwise";
import { prod } from "./stats";

export type ScatterReduction = "sum" | "prod" | "mean" | "amax" | "amin";

/**
 * Where each element of src goes in scatter(x, dim, index, src): `groups[t]` lists the flat
 * positions in src of the elements sent to flat position t of x, in index's row-major order.
 */
function scatterGroups(op: string, x: Tensor, d: number, index: Tensor, src: Tensor): number[][] {
  if (index.dtype !== "int32") throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} (shape ${fmt(index.shape)})`);
  if (index.ndim !== x.ndim || index.ndim !== src.ndim || index.shape.some((s, i) => s > src.shape[i]! || (i !== d && s > x.shape[i]!))) {
    throw new Error(`${op}: index of shape ${fmt(index.shape)} must have the input's (${fmt(x.shape)}) and src's (${fmt(src.shape)}) number of dims, be no larger than src, and no larger than the input outside dim ${d}`);
  }
  const [xStrides, srcStrides] = [contiguousStrides(x.shape), contiguousStrides(src.shape)];
  const groups = Array.from({ length: x.numel }, () => [] as number[]);
  const values = index.data();
  const coord = new Array<number>(index.ndim).fill(0);
  for (let k = 0; k < values.length; k++) {
    const i = values[k]!;
    if (i < 0 || i >= x.shape[d]!) throw new Error(`${op}: index ${i} is out of range [0, ${x.shape[d]}) for dim ${d} of the input of shape ${fmt(x.shape)}`);
    let target = 0;
    let source = 0;
    coord.forEach((c, j) => {
      target += (j === d ? i : c) * xStrides[j]!;
      source += c * srcStrides[j]!;
    });
    groups[target]!.push(source);
    for (let j = index.ndim - 1; j >= 0 && ++coord[j]! === index.shape[j]; j--) coord[j] = 0;
  }
  return groups;
}

/** Rows of src's elements by group, padded with `pad`: a (rows, x.numel) tensor, and which positions got any. */
function groupTable(groups: number[][], src: Tensor, pad: number, rows: number): [Tensor, Tensor] {
  const n = groups.length;
  const padAt = src.numel;
  const at = new Int32Array(rows * n).fill(padAt);
  groups.forEach((g, t) => g.slice(-rows).forEach((s, r) => (at[r * n + t] = s)));
  const padded = cat([src.reshape([-1]), full([1], pad, { dtype: src.dtype })]);
  const touched = tensor(Int32Array.from(groups, (g) => (g.length > 0 ? 1 : 0)));
  return [indexSelect(padded, 0, tensor(at)).reshape([rows, n]), touched];
}

const INT_LIMIT = 2147483647;
const PAD: Record<ScatterReduction, number> = { sum: 0, mean: 0, prod: 1, amax: -Infinity, amin: Infinity };

/**
 * x with src's elements reduced into the positions index names along dim (PyTorch's
 * scatter_reduce): "sum", "prod", "mean", "amax" or "amin", with x's own value taking part unless
 * includeSelf is false. Positions no index names keep x's value.
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, opts: { includeSelf?: boolean } = {}): Tensor {
  if (!(reduce in PAD)) throw new Error(`scatterReduce: reduce must be "sum", "prod", "mean", "amax" or "amin", got ${JSON.stringify(reduce)}`);
  if (src.dtype !== x.dtype) throw new Error(`scatterReduce: src is ${src.dtype} but the input is ${x.dtype}; expected the same dtype`);
  const d = normalizeDim(dim, x.shape, "scatterReduce");
  const groups = scatterGroups("scatterReduce", x, d, index, src);
  const includeSelf = opts.includeSelf ?? true;
  const rows = Math.max(0, ...groups.map((g) => g.length));
  if (rows === 0) return x.clone();
  const pad = x.dtype === "int32" && !Number.isFinite(PAD[reduce]) ? Math.sign(PAD[reduce]) * INT_LIMIT : PAD[reduce];
  const [table, touched] = groupTable(groups, src, pad, rows);
  const flat = x.reshape([1, -1]);
  const all = includeSelf ? cat([flat, table]) : table;
  let out: Tensor;
  if (reduce === "sum") out = all.sum(0);
  else if (reduce === "prod") out = prod(all, 0);
  else if (reduce === "amax") out = all.amax(0);
  else if (reduce === "amin") out = all.neg().amax(0).neg();
  else {
    const counts = tensor(Float64Array.from(groups, (g) => g.length + (includeSelf ? 1 : 0))).to(x.dtype === "int32" ? "float64" : x.dtype);
    out = all.sum(0).div(counts.maximum(1));
    if (x.dtype === "int32") out = out.to("int32");
  }
  return where(touched, out, flat.reshape([-1])).reshape(x.shape);
}

/**
 * x with src's elements (or a number) written at the positions index names along dim; where
 * several land on one position the last one in index's order wins. reduce "add" or "multiply"
 * combines them with x instead (scatterReduce "sum" / "prod").
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, opts: { reduce?: "add" | "multiply" } = {}): Tensor {
  const source = typeof src === "number" ? full(index.shape, src, { dtype: x.dtype }) : src;
  if (opts.reduce !== undefined) {
    if (opts.reduce !== "add" && opts.reduce !== "multiply") throw new Error(`scatter: reduce must be "add" or "multiply", got ${JSON.stringify(opts.reduce)}`);
    return scatterReduce(x, dim, index, source, opts.reduce === "add" ? "sum" : "prod");
  }
  if (source.dtype !== x.dtype) throw new Error(`scatter: src is ${source.dtype} but the input is ${x.dtype}; expected the same dtype`);
  const d = normalizeDim(dim, x.shape, "scatter");
  const groups = scatterGroups("scatter", x, d, index, source);
  const [last, touched] = groupTable(groups, source, 0, 1);
  return where(touched, last.reshape([-1]), x.reshape([-1])).reshape(x.shape);
}
