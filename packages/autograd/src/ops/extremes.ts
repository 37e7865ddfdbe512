import { kernels } from "../backend/backend";
import { primitive, rule } from "../core/op";
import { fmt, normalizeDims } from "../core/shape";
import { Tensor } from "../core/tensor";
import { where } from "./pointwise";
import type { RuleTable } from "./primitives";

/**
 * amax / amin over several dims, values only. Where several elements tie for the extreme, the
 * gradient is shared evenly among them, as in PyTorch (max(dim) instead sends it to the index
 * it returns).
 */
function evenRule(op: "max" | "min") {
  return rule({
    forward(x: Tensor, dims: number[], keepdim: boolean, nanTies: boolean) {
      const kept = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
      const y = Tensor.zeros(keepdim ? kept : x.shape.filter((_, i) => !dims.includes(i)), x.dtype);
      kernels.reduce(op, x, dims, y.buf);
      return [y, { x, y, dims, kept, nanTies }];
    },
    // d amax = g / (number of ties) at every element equal to the extreme, 0 elsewhere; max() of a NaN result: the NaNs tie
    backward({ x, y, dims, kept, nanTies }, g: Tensor) {
      const yk = y.reshape(kept);
      const ties = (nanTies ? where(yk.ne(yk), x.ne(x), x.eq(yk)) : x.eq(yk)).to(x.dtype);
      return [ties.div(ties.sum(dims, true)).mul(g.reshape(kept))];
    },
  });
}

const rules = {
  amax: evenRule("max"),
  amin: evenRule("min"),
} satisfies RuleTable<"extremes">;

const amaxPrim: (x: Tensor, dims: number[], keepdim: boolean, nanTies: boolean) => Tensor = primitive("amax", rules.amax);
const aminPrim: (x: Tensor, dims: number[], keepdim: boolean, nanTies: boolean) => Tensor = primitive("amin", rules.amin);

/** The extreme over dims (all by default); an error naming the op when a reduced dim is empty. */
export function evenExtreme(op: "amax" | "amin" | "max" | "min", x: Tensor, dim: number | readonly number[] | undefined, keepdim: boolean): Tensor {
  const dims = normalizeDims(dim as number | number[] | undefined, x.shape, op);
  if (dims.some((d) => x.shape[d] === 0) || (dims.length === 0 && x.numel === 0)) {
    throw new Error(`${op}: cannot reduce over an empty dimension (shape ${fmt(x.shape)})`);
  }
  return (op === "amax" || op === "max" ? amaxPrim : aminPrim)(x, dims, keepdim, op === "max" || op === "min");
}

/** Max over dims (all by default), values only; ties share the gradient evenly. */
export function amax(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return evenExtreme("amax", x, dim, keepdim);
}

/** Min over dims (all by default), values only; ties share the gradient evenly. */
export function amin(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return evenExtreme("amin", x, dim, keepdim);
}
