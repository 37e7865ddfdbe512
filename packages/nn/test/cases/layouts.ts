import fc from "fast-check";
import { noGrad, tensor, zeros, type Tensor } from "@tapegrad/autograd";

/** How an input is laid out in memory: the same values, read through a view. */
export const LAYOUTS = ["contiguous", "transposed", "stepped", "flipped", "expanded"] as const;
export type Layout = (typeof LAYOUTS)[number];
export const layoutArb = fc.constantFrom(...LAYOUTS);

const allDims = (t: Tensor) => t.shape.map((_, d) => d);

/**
 * `t`'s values through a non-contiguous view: "transposed" stores the dims reversed and permutes
 * them back, "stepped" reads every other element of a buffer twice as long plus one from
 * position 1 (an offset and steps of 2), "flipped" reads a reversed copy through negative
 * strides. "expanded" changes the values: every size > 1 dim at an even position keeps its first
 * slice only, expanded with stride 0 (so the input is drawn from `t`, whatever its dtype).
 */
export function viewOf(t: Tensor, layout: Layout): Tensor {
  const reversed = [...allDims(t)].reverse();
  switch (layout) {
    case "contiguous":
      return t.contiguous();
    case "transposed":
      return t.permute(reversed).contiguous().permute(reversed);
    case "stepped": {
      const base = zeros(
        t.shape.map((s) => 2 * s + 1),
        { dtype: t.dtype }
      );
      const view = t.shape.reduce((v, s, d) => v.slice(d, 1, 1 + 2 * s, 2), base);
      noGrad(() => view.copy_(t));
      return view;
    }
    case "flipped":
      return t.ndim === 0 ? t.contiguous() : t.flip(allDims(t)).contiguous().flip(allDims(t));
    case "expanded":
      return t.shape
        .reduce((v, s, d) => (d % 2 === 0 && s > 1 ? v.narrow(d, 0, 1) : v), t)
        .contiguous()
        .expand(t.shape);
  }
}

/** A contiguous tensor with the values of `t`. */
export const copyOf = (t: Tensor): Tensor => tensor(t.data(), { shape: t.shape, dtype: t.dtype });

/** Whether `t` is laid out differently from a contiguous tensor of its shape. */
export function isStrided(t: Tensor): boolean {
  let expected = 1;
  for (let d = t.ndim - 1; d >= 0; d--) {
    if (t.shape[d] !== 1 && t.strides[d] !== expected) return true;
    expected *= t.shape[d]!;
  }
  return t.offset !== 0;
}
