import fc from "fast-check";
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, conv1d, conv2d, convTranspose1d, convTranspose2d, grad, interpolate, maxPool1d, maxPool2d,
  type Tensor,
} from "../../src/index";
import { windows } from "../../src/ops/conv";
import { spec, type Case, type OpSpecs } from "../helpers";

const small = (min: number, max: number) => fc.integer({ min, max });
const perDim = (nd: number, arb: fc.Arbitrary<number>) => fc.array(arb, { minLength: nd, maxLength: nd });

/** x, weight and maybe bias for a convolution over nd spatial dims, with every option drawn. */
const convCase = (nd: number, transposed: boolean) =>
  fc
    .record({
      n: small(1, 2), groups: small(1, 2), inPer: small(1, 2), outPer: small(1, 2), bias: fc.boolean(), unbatched: fc.boolean(),
      kernel: perDim(nd, small(1, 3)), stride: perDim(nd, small(1, 2)), dilation: perDim(nd, small(1, 2)), extra: perDim(nd, small(0, 2)),
      padding: fc.oneof(perDim(nd, small(0, 1)), fc.constantFrom<"same" | "valid">("same", "valid")), outputPadding: perDim(nd, small(0, 1)),
    })
    .map((c) => {
      const padding = transposed || (c.padding === "same" && c.stride.some((s) => s > 1)) ? (Array.isArray(c.padding) ? c.padding : c.kernel.map(() => 0)) : c.padding;
      const spatial = c.kernel.map((k, i) => (transposed ? 1 + c.extra[i]! : c.dilation[i]! * (k - 1) + 1 + c.extra[i]!));
      const inCh = c.groups * c.inPer, outCh = c.groups * c.outPer;
      const weight = transposed ? [inCh, c.outPer, ...c.kernel] : [outCh, c.inPer, ...c.kernel];
      const x = c.unbatched ? [inCh, ...spatial] : [c.n, inCh, ...spatial];
      // outputPadding must stay below stride or dilation
      const outputPadding = c.outputPadding.map((p, i) => (p < c.stride[i]! || p < c.dilation[i]! ? p : 0));
      const opts = transposed
        ? { stride: c.stride, padding: (padding as number[]).map((p, i) => Math.min(p, Math.floor((c.dilation[i]! * (c.kernel[i]! - 1)) / 2))), outputPadding, dilation: c.dilation, groups: c.groups }
        : { stride: c.stride, padding, dilation: c.dilation, groups: c.groups };
      return { shapes: c.bias ? [x, weight, [outCh]] : [x, weight], arg: opts } as Case<Record<string, unknown>>;
    });

/** x and pooling options (kernel, stride, padding up to half the kernel, dilation, ceil mode). */
const poolCase = (nd: number) =>
  fc
    .record({
      lead: fc.constantFrom([1], [2], [1, 2], [2, 1]), kernel: perDim(nd, small(1, 3)), stride: fc.option(perDim(nd, small(1, 2)), { nil: undefined }),
      dilation: perDim(nd, small(1, 2)), pad: perDim(nd, small(0, 1)), extra: perDim(nd, small(0, 3)), ceilMode: fc.boolean(), countIncludePad: fc.boolean(),
    })
    .map((c) => {
      const padding = c.pad.map((p, i) => Math.min(p, Math.floor(c.kernel[i]! / 2)));
      const spatial = c.kernel.map((k, i) => c.dilation[i]! * (k - 1) + 1 + c.extra[i]!);
      return { shapes: [[...c.lead, ...spatial]], arg: { kernelSize: c.kernel, stride: c.stride, padding, dilation: c.dilation, ceilMode: c.ceilMode, countIncludePad: c.countIncludePad } };
    });

const adaptiveCase = (nd: number) =>
  fc.record({ lead: fc.constantFrom([1], [2], [1, 2]), size: perDim(nd, small(1, 5)), out: perDim(nd, small(1, 4)) }).map((c) => ({ shapes: [[...c.lead, ...c.size]], arg: c.out }));

const interpolateCase = fc
  .record({
    nd: small(1, 2), mode: fc.constantFrom("nearest", "linear"), size: perDim(2, small(1, 4)), out: perDim(2, small(1, 5)),
    scale: fc.option(fc.constantFrom(0.5, 1.5, 2, 2.5), { nil: undefined }), alignCorners: fc.boolean(),
  })
  .map((c) => {
    const mode = c.mode === "nearest" ? "nearest" : c.nd === 1 ? "linear" : "bilinear";
    const spatial = c.size.slice(0, c.nd);
    const scaleFits = c.scale !== undefined && spatial.every((s) => Math.floor(s * c.scale!) >= 1);
    const arg = { mode, ...(scaleFits ? { scaleFactor: c.scale } : { size: c.out.slice(0, c.nd) }), ...(mode === "nearest" ? {} : { alignCorners: c.alignCorners }) };
    return { shapes: [[1, 2, ...spatial]], arg };
  });

type Conv = (x: Tensor, w: Tensor, b: Tensor | null, opts: never) => Tensor;
const convSpec = (nd: number, transposed: boolean, op: Conv) => spec(convCase(nd, transposed), ([x, w, b], opts) => op(x!, w!, b ?? null, opts as never));

/** Windows along the last dim of a (2, len) input, and their adjoint as a function of v. */
const windowsCase = fc
  .record({ len: small(1, 6), size: small(1, 3), step: small(1, 3), dilation: small(1, 2) })
  .filter((c) => c.dilation * (c.size - 1) + 1 <= c.len)
  .map((c) => ({ shapes: [[2, c.len]], arg: c }));
const windowCount = ({ len, size, step, dilation }: { len: number; size: number; step: number; dilation: number }) => Math.floor((len - dilation * (size - 1) - 1) / step) + 1;
const windowsOf = (x: Tensor, { size, step, dilation }: { size: number; step: number; dilation: number }) => windows(x, [size], [step], [dilation]);

/** gradcheck of convolution, pooling and resampling (and the window primitives they rest on). */
export const CONV_CHECKS: OpSpecs = {
  windows: spec(windowsCase, ([x], arg) => windowsOf(x!, arg)),
  windowsBackward: spec(
    windowsCase.map((c) => ({ ...c, shapes: [c.shapes[0]!, [2, windowCount(c.arg), c.arg.size]] })),
    ([x, v], arg) => grad(windowsOf(x!, arg), x!, { gradOutputs: v!, createGraph: true })[0]!,
  ),
  conv1d: convSpec(1, false, conv1d as Conv),
  conv2d: convSpec(2, false, conv2d as Conv),
  convTranspose1d: convSpec(1, true, convTranspose1d as Conv),
  convTranspose2d: convSpec(2, true, convTranspose2d as Conv),
  maxPool1d: spec(poolCase(1), ([x], { kernelSize, countIncludePad: _, ...o }) => maxPool1d(x!, kernelSize as [number], o as never)),
  maxPool2d: spec(poolCase(2), ([x], { kernelSize, countIncludePad: _, ...o }) => maxPool2d(x!, kernelSize as [number, number], o as never)),
  avgPool1d: spec(poolCase(1), ([x], { kernelSize, dilation: _, ...o }) => avgPool1d(x!, kernelSize as [number], o as never)),
  avgPool2d: [
    spec(poolCase(2), ([x], { kernelSize, dilation: _, ...o }) => avgPool2d(x!, kernelSize as [number, number], o as never)),
    spec(poolCase(2), ([x], { kernelSize, dilation: _, ...o }) => avgPool2d(x!, kernelSize as [number, number], { ...(o as object), divisorOverride: 3 })),
  ],
  adaptiveAvgPool1d: spec(adaptiveCase(1), ([x], out) => adaptiveAvgPool1d(x!, out as [number])),
  adaptiveAvgPool2d: spec(adaptiveCase(2), ([x], out) => adaptiveAvgPool2d(x!, out as [number, number])),
  interpolate: spec(interpolateCase, ([x], opts) => interpolate(x!, opts as never)),
};
