import { full, tensor } from "../core/creation";
import { contiguousStrides, fmt, normalizeDim } from "../core/shape";
import { Tensor } from "../core/tensor";
import { indexSelect, scatterAdd } from "./indexing";
import { cat } from "./join";
import { where } from "./pointwise";
import { prod } from "./stats";

/** How {@link scatterReduce} combines the values that land on one position. */
export type ScatterReduction = "sum" | "prod" | "mean" | "amax" | "amin";

/**
 * Where each element of src goes in scatter(x, dim, index, src): element k of index sends src's
 * element sources[k] to x's element targets[k] (flat positions); counts[t] of them reach t.
 */
function scatterPlan(op: string, x: Tensor, d: number, index: Tensor, src: Tensor) {
  if (index.dtype !== "int32") throw new Error(`${op}: index must be an int32 tensor, got ${index.dtype} (shape ${fmt(index.shape)})`);
  if (index.ndim !== x.ndim || index.ndim !== src.ndim || index.shape.some((s, i) => s > src.shape[i]! || (i !== d && s > x.shape[i]!))) {
    throw new Error(`${op}: index of shape ${fmt(index.shape)} must have the input's (${fmt(x.shape)}) and src's (${fmt(src.shape)}) number of dims, be no larger than src, and no larger than the input outside dim ${d}`);
  }
  const [xStrides, srcStrides] = [contiguousStrides(x.shape), contiguousStrides(src.shape)];
  const values = index.data();
  const [targets, sources, counts] = [new Int32Array(values.length), new Int32Array(values.length), new Int32Array(x.numel)];
  const coord = new Array<number>(index.ndim).fill(0);
  for (let k = 0; k < values.length; k++) {
    const i = values[k]!;
    if (i < 0 || i >= x.shape[d]!) throw new Error(`${op}: index ${i} is out of range [0, ${x.shape[d]}) for dim ${d} of the input of shape ${fmt(x.shape)}`);
    let [target, source] = [i * xStrides[d]!, 0];
    for (let j = 0; j < coord.length; j++) {
      if (j !== d) target += coord[j]! * xStrides[j]!;
      source += coord[j]! * srcStrides[j]!;
    }
    [targets[k], sources[k]] = [target, source];
    counts[target]++;
    for (let j = index.ndim - 1; j >= 0 && ++coord[j]! === index.shape[j]; j--) coord[j] = 0;
  }
  return { targets, sources, counts };
}

type ScatterPlan = ReturnType<typeof scatterPlan>;

/** A tensor of f(c) for each count c (a plain loop: TypedArray.from with a function is slow in V8). */
function ofCounts(counts: Int32Array, f: (c: number) => number, dtype: "int32" | "float64"): Tensor {
  const out = dtype === "int32" ? new Int32Array(counts.length) : new Float64Array(counts.length);
  for (let t = 0; t < counts.length; t++) out[t] = f(counts[t]!);
  return tensor(out);
}

/**
 * The last `rows` elements of src sent to each position of x, as rows of a (rows, x.numel)
 * table padded with `pad`, and which positions got any (1/0).
 */
function groupTable({ targets, sources, counts }: ScatterPlan, src: Tensor, pad: number, rows: number): [Tensor, Tensor] {
  const n = counts.length;
  const at = new Int32Array(rows * n).fill(src.numel);
  const seen = new Int32Array(n);
  targets.forEach((t, k) => {
    const row = seen[t]++ - (counts[t]! - rows);
    if (row >= 0) at[row * n + t] = sources[k]!;
  });
  const padded = cat([src.reshape([-1]), full([1], pad, { dtype: src.dtype })]);
  const touched = ofCounts(counts, (c) => (c > 0 ? 1 : 0), "int32");
  return [indexSelect(padded, 0, tensor(at)).reshape([rows, n]), touched];
}

const INT_LIMIT = 2147483647;
const PAD: Record<Exclude<ScatterReduction, "sum" | "mean">, number> = { prod: 1, amax: -Infinity, amin: Infinity };

/**
 * x with src's elements reduced into the positions index names along dim (PyTorch's
 * scatter_reduce): "sum", "prod", "mean", "amax" or "amin", with x's own value taking part unless
 * includeSelf is false. Positions no index names keep x's value.
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, opts: { includeSelf?: boolean } = {}): Tensor {
  if (!["sum", "prod", "mean", "amax", "amin"].includes(reduce)) throw new Error(`scatterReduce: reduce must be "sum", "prod", "mean", "amax" or "amin", got ${JSON.stringify(reduce)}`);
  if (src.dtype !== x.dtype) throw new Error(`scatterReduce: src is ${src.dtype} but the input is ${x.dtype}; expected the same dtype`);
  const d = normalizeDim(dim, x.shape, "scatterReduce");
  const plan = scatterPlan("scatterReduce", x, d, index, src);
  const includeSelf = opts.includeSelf ?? true;
  const rows = plan.counts.reduce((a, b) => Math.max(a, b), 0);
  if (rows === 0) return x.clone();
  const flat = x.reshape([-1]);
  if (reduce === "sum" || reduce === "mean") {
    // one pass through scatterAdd; the table below is for the reductions that need every value
    const touched = ofCounts(plan.counts, (c) => (c > 0 ? 1 : 0), "int32");
    const total = (includeSelf ? flat : where(touched, 0, flat)).add(scatterAdd(x.shape, d, index, src).reshape([-1]));
    if (reduce === "sum") return total.reshape(x.shape);
    const counts = ofCounts(plan.counts, (c) => Math.max(1, c + (includeSelf ? 1 : 0)), "float64");
    const mean = x.dtype === "int32" ? total.to("float64").div(counts).to("int32") : total.div(counts.to(x.dtype));
    return where(touched, mean, flat).reshape(x.shape);
  }
  const pad = x.dtype === "int32" && !Number.isFinite(PAD[reduce]) ? Math.sign(PAD[reduce]) * INT_LIMIT : PAD[reduce];
  const [table, touched] = groupTable(plan, src, pad, rows);
  const all = includeSelf ? cat([flat.unsqueeze(0), table]) : table;
  const out = reduce === "prod" ? prod(all, 0) : reduce === "amax" ? all.amax(0) : all.neg().amax(0).neg();
  return where(touched, out, flat).reshape(x.shape);
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
  const [last, touched] = groupTable(scatterPlan("scatter", x, d, index, source), source, 0, 1);
  return where(touched, last.reshape([-1]), x.reshape([-1])).reshape(x.shape);
}
