import { tensor } from "../core/creation";
import { broadcastShapes, fmt, numel } from "../core/shape";
import { Tensor } from "../core/tensor";
import { indexAddPrim, indexSelect } from "./indexing";
import { where } from "./pointwise";

/** One entry per leading dim of x: an int32 tensor of positions in it, or null for all of it (`:`). */
export type Indices = readonly (Tensor | null)[];

/**
 * How x[indices] reads x, NumPy/PyTorch style: the indexed dims are moved first (perm) and
 * flattened, `flat` is each result row's position among them (index tensors broadcast together
 * to `batch`); the result's batch dims go where the first indexed dim was when the indexed dims
 * are adjacent, else first.
 */
function plan(op: string, x: Tensor, indices: Indices) {
  if (indices.length > x.ndim) throw new Error(`${op}: ${indices.length} indices for a tensor of shape ${fmt(x.shape)}`);
  const dims = indices.flatMap((t, d) => (t ? [d] : []));
  if (dims.length === 0) throw new Error(`${op}: expected at least one index tensor, got only nulls`);
  const tensors = dims.map((d) => indices[d]!);
  for (const t of tensors) if (t.dtype !== "int32") throw new Error(`${op}: indices must be int32 tensors, got ${t.dtype} (shape ${fmt(t.shape)})`);
  const batch = broadcastShapes(op, ...tensors.map((t) => t.shape));
  const rest = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const flat = new Int32Array(numel(batch));
  let scale = 1;
  for (let j = dims.length - 1; j >= 0; j--) {
    const size = x.shape[dims[j]!]!;
    const values = tensors[j]!.expand(batch).data();
    for (let k = 0; k < flat.length; k++) {
      const i = values[k]!;
      if (i < -size || i >= size) throw new Error(`${op}: index ${i} is out of range for dim ${dims[j]} of size ${size} (shape ${fmt(x.shape)})`);
      flat[k] += (i < 0 ? i + size : i) * scale;
    }
    scale *= size;
  }
  const adjacent = dims.every((d, j) => d === dims[0]! + j);
  const before = adjacent ? rest.filter((d) => d < dims[0]!).length : 0;
  const nb = batch.length;
  // result dims as computed, [batch..., rest...], reordered to [rest before, batch..., rest after]
  const order = [...Array.from({ length: before }, (_, i) => nb + i), ...batch.map((_, i) => i), ...rest.slice(before).map((_, i) => nb + before + i)];
  return { perm: [...dims, ...rest], rows: scale, rest: rest.map((d) => x.shape[d]!), batch, flat, order };
}

type Plan = ReturnType<typeof plan>;

function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

function gatherRows(x: Tensor, p: Plan): Tensor {
  return indexSelect(x.permute(p.perm).reshape([p.rows, ...p.rest]), 0, tensor(p.flat)).reshape([...p.batch, ...p.rest]).permute(p.order);
}

/** x[i0, i1, ...] with integer tensors (advanced indexing); gradients add up where positions repeat. */
export function index(x: Tensor, indices: Indices): Tensor {
  return gatherRows(x, plan("index", x, indices));
}

/**
 * A copy of x with `values` (broadcast to the shape of x[indices]) written at x[indices]; with
 * accumulate, added there instead (repeats add up). Without accumulate, of several values for
 * one position the last one wins.
 */
export function indexPut(x: Tensor, indices: Indices, values: Tensor | number, opts: { accumulate?: boolean } = {}): Tensor {
  const p = plan("indexPut", x, indices);
  const resultShape = p.order.map((i) => [...p.batch, ...p.rest][i]!);
  const v = (typeof values === "number" ? Tensor.scalar(values, x.dtype) : values).expand(resultShape).permute(inverse(p.order)).reshape([p.flat.length, ...p.rest]);
  if (v.dtype !== x.dtype) throw new Error(`indexPut: values are ${v.dtype} but the input is ${x.dtype}; expected the same dtype`);
  const permutedShape = p.perm.map((d) => x.shape[d]!);
  const rows = x.permute(p.perm).reshape([p.rows, ...p.rest]);
  let out: Tensor;
  if (opts.accumulate) out = rows.add(indexAddPrim([p.rows, ...p.rest], 0, p.flat, v));
  else {
    const lastWriter = new Map<number, number>();
    p.flat.forEach((r, k) => lastWriter.set(r, k));
    const keep = Int32Array.from([...lastWriter.values()].sort((a, b) => a - b));
    const kept = Int32Array.from(keep, (k) => p.flat[k]!);
    const touched = new Int32Array(p.rows);
    kept.forEach((r) => (touched[r] = 1));
    const written = indexAddPrim([p.rows, ...p.rest], 0, kept, indexSelect(v, 0, tensor(keep)));
    out = where(tensor(touched).reshape([p.rows, ...p.rest.map(() => 1)]), written, rows);
  }
  return out.reshape(permutedShape).permute(inverse(p.perm));
}
