import { kernels } from "../backend/backend";
import { primitive, rule } from "../core/op";
import { fmt } from "../core/shape";
import { Tensor } from "../core/tensor";
import { matmul } from "./matmul";
import type { RuleTable } from "./primitives";
import { batched, checkKeys, padDim, perDim, type Size } from "./window-args";

/*
 * Convolution is im2col and one matmul. `windows` makes the sliding windows a strided view (no
 * copy); the reshape that lines the windows up as columns is the only copy, and the product runs
 * through the matmul kernels (WebAssembly included). Gradients come from the tape: the weight's
 * and input's are matmuls, and the adjoint of `windows`, `windowsBackward`, is col2im, one strided add per
 * kernel position. Transposed convolution is the same two primitives the other way round.
 */

const rules = {
  /** Windows along `dim` as a view: dim indexes the windows, a new last dim the position in one. */
  windows: rule({
    forward(x: Tensor, dim: number, size: number, step: number, dilation: number) {
      const count = Math.floor((x.shape[dim]! - dilation * (size - 1) - 1) / step) + 1;
      const shape = [...x.shape, size];
      const strides = [...x.strides, x.strides[dim]! * dilation];
      shape[dim] = count;
      strides[dim] = x.strides[dim]! * step;
      return [x.makeView(shape, strides, x.offset), { inShape: x.shape, dim, step, dilation }];
    },
    backward: ({ inShape, dim, step, dilation }, g: Tensor) => [windowsBackward(g, inShape, dim, step, dilation)],
  }),
  /** The adjoint of windows (col2im): each window's values added back where the window read them. */
  windowsBackward: rule({
    forward(g: Tensor, inShape: number[], dim: number, step: number, dilation: number) {
      const out = Tensor.zeros(inShape, g.dtype);
      const last = g.ndim - 1;
      const size = g.shape[last]!;
      for (let j = 0; j < size; j++) {
        // the j-th position of every window: distinct elements of out, so a plain strided add
        const target = out.narrowView(dim, j * dilation, g.shape[dim]!, step);
        const source = g.makeView(g.shape.slice(0, last), g.strides.slice(0, last), g.offset + j * g.strides[last]!);
        kernels.elementwise("add", target, [target, source]);
      }
      return [out, { dim, size, step, dilation }];
    },
    backward: ({ dim, size, step, dilation }, gg: Tensor) => [windowsPrim(gg, dim, size, step, dilation)],
  }),
} satisfies RuleTable<"conv">;

const windowsPrim: (x: Tensor, dim: number, size: number, step: number, dilation: number) => Tensor = primitive("windows", rules.windows);
const windowsBackward: (g: Tensor, inShape: number[], dim: number, step: number, dilation: number) => Tensor = primitive("windowsBackward", rules.windowsBackward);

/**
 * Windows over the last kernel.length dims, `stride` apart with taps `dilation` apart:
 * (..., o1..on, k1..kn), a view of x (Tensor.unfold along each dim, plus dilation).
 */
export function windows(x: Tensor, kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): Tensor {
  const first = x.ndim - kernel.length;
  return kernel.reduce((t, k, i) => windowsPrim(t, first + i, k, stride[i]!, dilation[i]!), x);
}

/** The sum of `cols` (..., i1..in, k1..kn) back into (..., full1..fulln): the adjoint of windows. */
function foldWindows(cols: Tensor, full: readonly number[], stride: readonly number[], dilation: readonly number[]): Tensor {
  const lead = cols.ndim - 2 * full.length;
  let t = cols;
  for (let i = full.length - 1; i >= 0; i--) {
    const shape = t.shape.slice(0, -1);
    shape[lead + i] = full[i]!;
    t = windowsBackward(t, shape, lead + i, stride[i]!, dilation[i]!);
  }
  return t;
}

/** Options of {@link conv1d} and {@link conv2d}; a size is a number or one per spatial dim. */
export interface ConvOptions<N extends number> {
  /** Step of the kernel (1 by default). */
  stride?: Size<N>;
  /** Zeros added on both sides of each spatial dim; "same" (stride 1 only) keeps the length, "valid" adds none. */
  padding?: Size<N> | "same" | "valid";
  /** Spacing between kernel taps (1 by default). */
  dilation?: Size<N>;
  /** Split channels into this many independent groups (1 by default). */
  groups?: number;
}

/** Options of {@link convTranspose1d} and {@link convTranspose2d}; a size is a number or one per spatial dim. */
export interface ConvTransposeOptions<N extends number> {
  /** Step of the transposed convolution (1 by default). */
  stride?: Size<N>;
  /** Implicit zero padding removed from each side of the output: dilation · (kernel - 1) - padding is added (0 by default). */
  padding?: Size<N>;
  /** Extra size added to one side of the output, to pick among the shapes a strided convolution maps to the same size (0 by default). */
  outputPadding?: Size<N>;
  /** Split channels into this many independent groups (1 by default). */
  groups?: number;
  /** Spacing between kernel taps (1 by default). */
  dilation?: Size<N>;
}

function checkParams(op: string, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, groups: number, channelsIn: number, channelsOut: number): void {
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  for (const t of bias ? [weight, bias] : [weight]) {
    if (t.dtype !== x.dtype) throw new Error(`${op}: dtype mismatch: input ${x.dtype}, parameter ${t.dtype} (shape ${fmt(t.shape)})`);
  }
  if (channelsIn % groups !== 0 || channelsOut % groups !== 0) {
    throw new Error(`${op}: ${channelsIn} input and ${channelsOut} output channels must both be divisible by groups=${groups} (weight shape ${fmt(weight.shape)})`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== channelsOut)) {
    throw new Error(`${op}: bias must have shape [${channelsOut}], got ${fmt(bias.shape)}`);
  }
  if (weight.shape.slice(2).some((k) => k < 1)) throw new Error(`${op}: the kernel of weight shape ${fmt(weight.shape)} is empty`);
}

const addBias = (y: Tensor, bias: Tensor | null | undefined, nd: number) => (bias ? y.add(bias.reshape([-1, ...new Array<number>(nd).fill(1)])) : y);

function convNd(op: string, nd: number, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions<1 | 2>): Tensor {
  checkKeys(op, opts, ["stride", "padding", "dilation", "groups"]);
  const { input, unbatched } = batched(op, x, nd);
  if (weight.ndim !== nd + 2) throw new Error(`${op}: weight must be ${nd + 2}-D (out, in / groups, ...kernel), got shape ${fmt(weight.shape)}`);
  const groups = opts.groups ?? 1;
  const [n, channels] = input.shape as [number, number];
  const [outChannels, groupChannels] = weight.shape as [number, number];
  checkParams(op, x, weight, bias, groups, channels, outChannels);
  if (groupChannels * groups !== channels) {
    throw new Error(`${op}: weight of shape ${fmt(weight.shape)} with groups=${groups} expects ${groupChannels * groups} input channels, got input of shape ${fmt(x.shape)}`);
  }
  const kernel = weight.shape.slice(2);
  const stride = perDim(op, "stride", opts.stride ?? 1, nd, 1);
  const dilation = perDim(op, "dilation", opts.dilation ?? 1, nd, 1);
  const pad = opts.padding ?? 0;
  let left: number[], right: number[];
  if (pad === "same") {
    if (stride.some((s) => s !== 1)) throw new Error(`${op}: padding="same" needs stride 1, got stride ${JSON.stringify(opts.stride)}`);
    left = kernel.map((k, i) => Math.floor((dilation[i]! * (k - 1)) / 2));
    right = kernel.map((k, i) => dilation[i]! * (k - 1) - left[i]!);
  } else if (pad === "valid") {
    left = right = new Array<number>(nd).fill(0);
  } else {
    if (typeof pad === "string") throw new Error(`${op}: padding must be a number, ${nd} numbers, "same" or "valid", got "${pad}"`);
    left = right = perDim(op, "padding", pad, nd, 0);
  }
  let padded = input;
  input.shape.slice(2).forEach((length, i) => {
    if (dilation[i]! * (kernel[i]! - 1) + 1 > length + left[i]! + right[i]!) {
      throw new Error(`${op}: kernel size ${kernel[i]} (dilation ${dilation[i]}) is larger than the padded input length ${length + left[i]! + right[i]!} (input shape ${fmt(x.shape)})`);
    }
    padded = padDim(padded, 2 + i, left[i]!, right[i]!, 0);
  });
  const w = windows(padded, kernel, stride, dilation); // (N, C, o..., k...)
  const outSize = w.shape.slice(2, 2 + nd);
  const kernelNumel = kernel.reduce((a, b) => a * b, 1);
  const positions = outSize.reduce((a, b) => a * b, 1);
  const perm = [0, 1, ...kernel.map((_, i) => 2 + nd + i), ...kernel.map((_, i) => 2 + i)];
  const cols = w.permute(perm).reshape([n, groups, groupChannels * kernelNumel, positions]); // im2col: the one copy
  const y = matmul(weight.reshape([groups, outChannels / groups, groupChannels * kernelNumel]), cols).reshape([n, outChannels, ...outSize]);
  const out = addBias(y, bias, nd);
  return unbatched ? out.squeeze(0) : out;
}

function convTransposeNd(op: string, nd: number, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvTransposeOptions<1 | 2>): Tensor {
  checkKeys(op, opts, ["stride", "padding", "outputPadding", "groups", "dilation"]);
  const { input, unbatched } = batched(op, x, nd);
  if (weight.ndim !== nd + 2) throw new Error(`${op}: weight must be ${nd + 2}-D (in, out / groups, ...kernel), got shape ${fmt(weight.shape)}`);
  const groups = opts.groups ?? 1;
  const [n, channels] = input.shape as [number, number];
  if (weight.shape[0] !== channels) throw new Error(`${op}: weight of shape ${fmt(weight.shape)} expects ${weight.shape[0]} input channels, got input of shape ${fmt(x.shape)}`);
  const outChannels = weight.shape[1]! * groups;
  checkParams(op, x, weight, bias, groups, channels, outChannels);
  const kernel = weight.shape.slice(2);
  const stride = perDim(op, "stride", opts.stride ?? 1, nd, 1);
  const dilation = perDim(op, "dilation", opts.dilation ?? 1, nd, 1);
  const padding = perDim(op, "padding", opts.padding ?? 0, nd, 0);
  const outputPadding = perDim(op, "outputPadding", opts.outputPadding ?? 0, nd, 0);
  outputPadding.forEach((p, i) => {
    if (p >= stride[i]! && p >= dilation[i]!) throw new Error(`${op}: outputPadding ${p} must be smaller than either stride ${stride[i]} or dilation ${dilation[i]}`);
  });
  const inSize = input.shape.slice(2);
  const full = inSize.map((l, i) => (l - 1) * stride[i]! + dilation[i]! * (kernel[i]! - 1) + 1);
  const outSize = full.map((f, i) => f - 2 * padding[i]! + outputPadding[i]!);
  if (outSize.some((s) => s <= 0)) throw new Error(`${op}: output size ${fmt(outSize)} is too small for input shape ${fmt(x.shape)} and padding ${fmt(padding)}`);
  const kernelNumel = kernel.reduce((a, b) => a * b, 1);
  const groupOut = outChannels / groups;
  const w = weight.reshape([groups, channels / groups, groupOut * kernelNumel]).transpose(1, 2);
  const cols = matmul(w, input.reshape([n, groups, channels / groups, -1])); // (N, G, out/G * k, i)
  const perm = [0, 1, ...inSize.map((_, i) => 2 + nd + i), ...inSize.map((_, i) => 2 + i)];
  let y = foldWindows(cols.reshape([n, outChannels, ...kernel, ...inSize]).permute(perm), full, stride, dilation);
  outSize.forEach((size, i) => {
    y = padDim(y, 2 + i, -padding[i]!, size - full[i]! + padding[i]!, 0);
  });
  const out = addBias(y, bias, nd);
  return unbatched ? out.squeeze(0) : out;
}

/** torch.nn.functional.conv1d: x (N, C, L) or (C, L), weight (out, C / groups, k). */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions<1> = {}): Tensor {
  return convNd("conv1d", 1, x, weight, bias, opts);
}

/** torch.nn.functional.conv2d: x (N, C, H, W) or (C, H, W), weight (out, C / groups, kH, kW). */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions<2> = {}): Tensor {
  return convNd("conv2d", 2, x, weight, bias, opts);
}

/** torch.nn.functional.conv_transpose1d: x (N, C, L) or (C, L), weight (C, out / groups, k). */
export function convTranspose1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions<1> = {}): Tensor {
  return convTransposeNd("convTranspose1d", 1, x, weight, bias, opts);
}

/** torch.nn.functional.conv_transpose2d: x (N, C, H, W) or (C, H, W), weight (C, out / groups, kH, kW). */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions<2> = {}): Tensor {
  return convTransposeNd("convTranspose2d", 2, x, weight, bias, opts);
}
