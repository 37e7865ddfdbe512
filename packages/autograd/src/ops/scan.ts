import { kernels } from "../backend/backend";
import { primitive, rule } from "../core/op";
import { fmt, normalizeDim, numel } from "../core/shape";
import { Tensor } from "../core/tensor";
import { gather } from "./indexing";
import { cat } from "./join";
import { maximum, where } from "./pointwise";
import type { RuleTable } from "./primitives";

/**
 * The inclusive scan of x along d with an associative `combine` (Hillis–Steele: log₂ n steps of
 * whole-tensor ops), so the gradient of every scan comes from the tape.
 */
function scan(op: string, x: Tensor, dim: number, combine: (later: Tensor, earlier: Tensor) => Tensor): Tensor {
  const d = normalizeDim(dim, x.shape, op);
  if (x.ndim === 0) return x;
  const n = x.shape[d]!;
  let y = x;
  for (let s = 1; s < n; s *= 2) y = cat([y.narrow(d, 0, s), combine(y.narrow(d, s, n - s), y.narrow(d, 0, n - s))], d);
  return y;
}

const rules = {
  /** Running sum along d in one pass; its adjoint is the running sum from the other end. */
  cumsum: rule({
    forward(x: Tensor, d: number) {
      const out = Tensor.zeros(x.shape, x.dtype);
      kernels.cumsum(x.data(), numel(x.shape.slice(0, d)), x.shape[d]!, numel(x.shape.slice(d + 1)), false, out.buf);
      return [out, { d }];
    },
    backward: ({ d }, g: Tensor) => [cumsumPrim(g.flip(d), d).flip(d)],
  }),
} satisfies RuleTable<"scan">;

const cumsumPrim: (x: Tensor, d: number) => Tensor = primitive("cumsum", rules.cumsum);

/** Running sum along dim. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.shape, "cumsum");
  return x.ndim === 0 ? x : cumsumPrim(x, d);
}

/** Running product along dim; its gradient is exact where x has zeros (no division). */
export function cumprod(x: Tensor, dim: number): Tensor {
  return scan("cumprod", x, dim, (a, b) => a.mul(b));
}

/** log(exp(a) + exp(b)), shifted by the larger one (held constant) to stay finite. */
function logAddExp(a: Tensor, b: Tensor): Tensor {
  const m = maximum(a.detach(), b.detach());
  const shift = where(m.abs().lt(Infinity), m, 0);
  return a.sub(shift).exp().add(b.sub(shift).exp()).log().add(shift);
}

/** log of the running sum of exp(x) along dim, computed stably. */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  if (x.dtype === "int32") throw new Error(`logcumsumexp: expected a float tensor, got int32 (shape ${fmt(x.shape)}); convert with .to("float32")`);
  return scan("logcumsumexp", x, dim, logAddExp);
}

function cumulativeExtreme(op: "max" | "min", x: Tensor, dim: number): [Tensor, Tensor] {
  const name = op === "max" ? "cummax" : "cummin";
  const d = normalizeDim(dim, x.shape, name);
  const src = x.ndim === 0 ? x.reshape([1]) : x;
  const out = new Int32Array(src.numel);
  kernels.cumulativeExtremeIndices(src.data(), numel(src.shape.slice(0, d)), src.shape[d]!, numel(src.shape.slice(d + 1)), op, out);
  const indices = Tensor.fromBuffer(out, src.shape);
  return [gather(src, d, indices).reshape(x.shape), indices.reshape(x.shape)];
}

/** [running max along dim, the index it came from] (ties and NaN: the later index, as PyTorch). */
export function cummax(x: Tensor, dim: number): [Tensor, Tensor] {
  return cumulativeExtreme("max", x, dim);
}

/** Running minimum along `dim`: `[values, indices]`. */
export function cummin(x: Tensor, dim: number): [Tensor, Tensor] {
  return cumulativeExtreme("min", x, dim);
}
