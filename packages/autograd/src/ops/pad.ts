import { full, tensor } from "../core/creation";
import { fmt } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { indexSelect } from "./indexing";
import { cat } from "./join";

/** How {@link pad} fills: a constant value, a reflection without the edge, copies of the edge, or wrapping around. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** Where output position o of a padded dim reads from, for a source of size n padded by `before`. */
const SOURCE: Record<Exclude<PadMode, "constant">, (i: number, n: number) => number> = {
  reflect: (i, n) => {
    const period = 2 * (n - 1);
    const r = period === 0 ? 0 : ((i % period) + period) % period;
    return r < n ? r : period - r;
  },
  replicate: (i, n) => Math.min(Math.max(i, 0), n - 1),
  circular: (i, n) => ((i % n) + n) % n,
};

/**
 * Pads the trailing dims: pad = [last dim before, after, second-to-last before, after, ...] as
 * PyTorch's F.pad. Negative amounts crop. "constant" fills with `value`; "reflect" mirrors
 * without repeating the edge, "replicate" repeats the edge, "circular" wraps around; these three
 * work on any number of trailing dims.
 */
export function pad(x: Tensor, padding: readonly number[], opts: { mode?: PadMode; value?: number } = {}): Tensor {
  const mode = opts.mode ?? "constant";
  if (mode !== "constant" && !(mode in SOURCE)) throw new Error(`pad: mode must be "constant", "reflect", "replicate" or "circular", got ${JSON.stringify(mode)}`);
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim || padding.some((p) => !Number.isInteger(p))) {
    throw new Error(`pad: padding ${fmt(padding)} must hold an even number of integers, two per padded dim, for at most the ${x.ndim} dims of shape ${fmt(x.shape)}`);
  }
  if (mode !== "constant" && opts.value !== undefined && opts.value !== 0) throw new Error(`pad: a value is only used by mode "constant", got value ${opts.value} with mode "${mode}"`);
  let y = x;
  for (let k = 0; k < padding.length / 2; k++) {
    const d = x.ndim - 1 - k;
    const [before, after] = [padding[2 * k]!, padding[2 * k + 1]!];
    const n = y.shape[d]!;
    if (n + before + after < 0 || (mode !== "constant" && n + before + after === 0)) {
      throw new Error(`pad: padding (${before}, ${after}) of dim ${d} (size ${n}) of shape ${fmt(x.shape)} leaves no elements`);
    }
    if (mode === "constant") y = padConstant(y, d, before, after, opts.value ?? 0);
    else {
      const limit = mode === "reflect" ? n - 1 : mode === "circular" ? n : Infinity;
      if (before > limit || after > limit || n === 0) {
        throw new Error(`pad: ${mode} padding (${before}, ${after}) of dim ${d} (size ${n}) of shape ${fmt(x.shape)} must be ${mode === "reflect" ? "smaller than" : "at most"} the dim's size`);
      }
      const from = Int32Array.from({ length: n + before + after }, (_, o) => SOURCE[mode](o - before, n));
      y = indexSelect(y, d, tensor(from));
    }
  }
  return y;
}

function padConstant(x: Tensor, d: number, before: number, after: number, value: number): Tensor {
  const n = x.shape[d]!;
  const start = Math.min(n, Math.max(0, -before));
  let y = x.narrow(d, start, Math.max(0, n - start - Math.max(0, -after)));
  const block = (size: number) => full(y.shape.map((s, i) => (i === d ? size : s)), value, { dtype: x.dtype });
  if (before > 0 || after > 0) y = cat([...(before > 0 ? [block(before)] : []), y, ...(after > 0 ? [block(after)] : [])], d);
  return y;
}
