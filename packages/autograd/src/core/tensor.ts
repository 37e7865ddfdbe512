import { checkDType, dtypeOf, isFloat, type DType, type TypedArray } from "./dtype";
import { backend, kernels } from "../backend/backend";
import * as inplace from "../ops/inplace";
import * as idx from "../ops/indexing";
import * as join from "../ops/join";
import { amin } from "../ops/extremes";
import { matmul } from "../ops/matmul";
import * as mv from "../ops/movement";
import * as pw from "../ops/pointwise";
import * as act from "../ops/activation";
import * as ar from "../ops/arith";
import * as bin from "../ops/binary";
import * as int from "../ops/integer";
import * as pred from "../ops/predicates";
import * as un from "../ops/unary";
import * as red from "../ops/reduce";
import { formatTensor } from "./format";
import * as adv from "../ops/advanced-index";
import * as mask_ from "../ops/masking";
import * as nz from "../ops/nonzero";
import { norm } from "../ops/norm";
import * as prods from "../ops/products";
import * as re from "../ops/rearrange";
import * as scan from "../ops/scan";
import * as sc from "../ops/scatter";
import * as order from "../ops/sort";
import * as stats from "../ops/stats";
import * as views from "../ops/views";
import { contiguousStrides, fmt, normalizeDim, numel, sameShape } from "./shape";
import { COPY, TENSOR_BRAND } from "./copy";
import { runBackward, type BackwardOptions, type Edge, type Hook, type Node } from "./tape";
import { allocate, running } from "./validate";

type Operand = Tensor | number;
/** A number or nested arrays of numbers, as taken by {@link tensor} and returned by `tolist()`. */
export type NestedArray = number | NestedArray[];

/**
 * A strided view over a typed-array buffer: element (i0, i1, ...) lives at
 * offset + Σ ik·strides[k]. Views share the buffer and its version counter.
 */
export class Tensor {
  /** The size of each dim, outermost first; `[]` for a scalar. */
  readonly shape: number[];
  /** Elements to step in `buf` for one step along each dim (0 on broadcast dims, negative after `flip`). */
  readonly strides: number[];
  /** The element type: "float32", "float64", "int32" or "bool". */
  readonly dtype: DType;
  /** The gradient accumulated by `backward()` for a leaf that requires grad (same shape and dtype); null until then. */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor (null for leaves). */
  gradFn: Node | null = null;
  /** @internal Which output of gradFn this tensor is. */
  outputIndex = 0;
  /** @internal */
  leafHooks: Hook[] | null = null;
  private requiresGradFlag = false;
  /** @internal Which copy of the package made this tensor (see ./copy). */
  get [TENSOR_BRAND](): typeof COPY {
    return COPY;
  }

  constructor(
    /** The storage shared by all views of this tensor; element (i0, i1, ...) is at `offset + Σ ik·strides[k]`. */
    readonly buf: TypedArray,
    shape: readonly number[],
    strides: readonly number[] = contiguousStrides(shape),
    /** Index in `buf` of the first element. */
    readonly offset = 0,
    private readonly versionBox: { v: number } = { v: 0 },
  ) {
    this.shape = [...shape];
    this.strides = [...strides];
    this.dtype = dtypeOf(buf);
  }

  // ---- construction helpers used by ops (no tape; @internal) ----

  /** A zero-filled tensor for an op's result. */
  static zeros(shape: readonly number[], dtype: DType, op = running.op || "allocate"): Tensor {
    return new Tensor(allocate(op, dtype, shape), shape);
  }
  /** @internal */
  static scalar(value: number, dtype: DType): Tensor {
    const t = Tensor.zeros([], dtype);
    t.buf[0] = value;
    return t;
  }
  /** @internal */
  static fromBuffer(buf: TypedArray, shape: readonly number[]): Tensor {
    return new Tensor(buf, shape);
  }
  /** @internal A view of the same buffer with other shape/strides/offset, sharing the version counter. */
  makeView(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    return new Tensor(this.buf, shape, strides, offset, this.versionBox);
  }
  /** @internal */
  alias(): Tensor {
    return this.makeView(this.shape, this.strides, this.offset);
  }
  /** @internal */
  narrowView(dim: number, start: number, length: number, step: number): Tensor {
    const shape = [...this.shape];
    shape[dim] = length;
    const strides = [...this.strides];
    strides[dim] = this.strides[dim]! * step;
    return this.makeView(shape, strides, this.offset + start * this.strides[dim]!);
  }
  /** @internal A view broadcast to `shape` (stride 0 on stretched dims); throws naming op if impossible. */
  broadcastView(shape: readonly number[], op = "broadcast"): Tensor {
    if (sameShape(this.shape, shape)) return this;
    const lead = shape.length - this.ndim;
    if (lead < 0 || this.shape.some((s, i) => s !== 1 && s !== shape[i + lead])) {
      throw new Error(`${op}: a tensor of shape ${fmt(this.shape)} cannot be broadcast to shape ${fmt(shape)}`);
    }
    const strides = shape.map((s, i) => (i < lead || this.shape[i - lead] !== s ? 0 : this.strides[i - lead]!));
    return this.makeView(shape, strides, this.offset);
  }
  /** @internal Writes src (broadcast) into this view. No tape, no checks: for ops building fresh tensors. */
  assign(src: Tensor): void {
    kernels.elementwise("copy", this, [src.broadcastView(this.shape)]);
  }
  /** @internal */
  copyContiguous(): Tensor {
    const out = Tensor.zeros(this.shape, this.dtype);
    kernels.elementwise("copy", out, [this]);
    return out;
  }

  // ---- metadata ----

  /** Number of dims (`shape.length`). */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements (the product of the shape; 1 for a scalar). */
  get numel(): number {
    return numel(this.shape);
  }
  /** The shape (a copy), or the size of one dim (negative counts from the end). */
  size(): number[];
  /** The size of dim `dim` (negative counts from the end). */
  size(dim: number): number;
  size(dim?: number): number | number[] {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim(dim, this.shape, "size")]!;
  }
  /** Counts in-place writes to the storage (shared by views); backward checks it to catch tensors changed after they were saved. */
  get version(): number {
    return this.versionBox.v;
  }
  /** @internal */
  bumpVersion(): void {
    this.versionBox.v++;
  }
  /** Whether the elements are laid out densely in row-major order (so a `view` of any shape is possible). */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.ndim - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.strides[d] !== expected) return false;
      expected *= this.shape[d]!;
    }
    return true;
  }

  // ---- autograd ----

  /** Whether operations on this tensor are recorded for backward: set on a leaf, or true for any result of a recorded op. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag || this.gradFn !== null;
  }
  /** Marks a float leaf as needing a gradient (true) or not; a non-leaf cannot be switched off (use `detach()`). */
  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.dtype)) throw new Error(`requiresGrad: only float tensors can require gradients, got ${this.dtype} (shape ${fmt(this.shape)})`);
    if (!value && this.gradFn) throw new Error("requiresGrad: cannot switch off requiresGrad of a non-leaf tensor; use detach()");
    this.requiresGradFlag = value;
  }
  /** Sets `requiresGrad` and returns this tensor, for chaining: `zeros([3]).requiresGrad_()`. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
  /** True for tensors not produced by a recorded op (created by the user, or results computed without grad). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** @internal Where gradients for this tensor go on the tape (null if it takes no part). */
  edge(): Edge | null {
    if (this.gradFn) return { node: this.gradFn, index: this.outputIndex, leaf: null };
    return this.requiresGradFlag ? { node: null, index: 0, leaf: this } : null;
  }
  /** @internal */
  attach(node: Node, index: number): void {
    this.gradFn = node;
    this.outputIndex = index;
  }
  /** @internal Adds g into .grad; with `adopt`, g is a buffer nobody else holds and may become .grad itself. */
  accumulateGrad(g: Tensor, createGraph: boolean, adopt = false): void {
    const fresh = (t: Tensor) => (t.requiresGrad ? t : adopt && t.isContiguous() ? t.detach() : t.detach().copyContiguous());
    if (createGraph) this.grad = this.grad ? this.grad.add(g) : fresh(g);
    else if (this.grad && !this.grad.requiresGrad && this.grad.isContiguous()) inplace.add_(this.grad, g);
    else this.grad = this.grad ? this.grad.detach().add(g) : fresh(g.detach());
  }
  /**
   * Backpropagates from this tensor: adds d(this)/d(leaf) · gradOutput into `grad` of every leaf that requires grad.
   * A scalar needs no `gradOutput` (1 is used); otherwise pass one of this tensor's shape and dtype.
   * The graph is freed afterwards unless `retainGraph`; `createGraph` records the backward pass for higher derivatives.
   *
   * @example
   * ```ts
   * const w = tensor([1, 2], { requiresGrad: true });
   * w.mul(w).sum().backward();
   * w.grad!.tolist(); // [2, 4]
   * ```
   */
  backward(gradOutput?: Tensor, opts: BackwardOptions = {}): void {
    if (!gradOutput && this.numel !== 1) {
      throw new Error(`backward: a gradient can only be created implicitly for a scalar output, got shape ${fmt(this.shape)}; pass gradOutput`);
    }
    if (gradOutput && (fmt(gradOutput.shape) !== fmt(this.shape) || gradOutput.dtype !== this.dtype)) {
      throw new Error(`backward: gradOutput is ${gradOutput.dtype} of shape ${fmt(gradOutput.shape)}, expected ${this.dtype} of shape ${fmt(this.shape)}`);
    }
    runBackward([this], [gradOutput ?? Tensor.scalar(1, this.dtype).reshape(this.shape)], opts);
  }
  /** Calls hook with this tensor's gradient during backward; a returned tensor replaces it. */
  registerHook(hook: Hook): {
    /** Unregisters the hook. */
    remove(): void;
  } {
    if (!this.requiresGrad) throw new Error("registerHook: cannot register a hook on a tensor that does not require grad");
    let list: Hook[];
    if (this.gradFn) {
      const hooks = (this.gradFn.hooks ??= this.gradFn.outputs.map(() => []));
      list = hooks[this.outputIndex]!;
    } else {
      list = this.leafHooks ??= [];
    }
    list.push(hook);
    return { remove: () => list.splice(list.indexOf(hook) >>> 0, 1) };
  }
  /** A view of the same data that is not recorded (no `gradFn`, `requiresGrad` false); it shares storage, so in-place writes show in both. */
  detach(): Tensor {
    return this.alias();
  }

  // ---- data out ----

  /** A contiguous row-major copy of the elements. */
  data(): TypedArray {
    if (this.isContiguous()) return this.buf.slice(this.offset, this.offset + this.numel);
    return this.copyContiguous().buf;
  }
  /** The elements as nested arrays of numbers (a number for a scalar); bool gives 0 and 1. */
  tolist(): NestedArray {
    const flat = Array.from(this.data());
    const build = (dim: number, at: number): NestedArray => {
      if (dim === this.ndim) return flat[at]!;
      const step = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, at + i * step));
    };
    return build(0, 0);
  }
  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.numel !== 1) throw new Error(`item: only a tensor with one element can be converted to a number, got shape ${fmt(this.shape)}`);
    return this.buf[this.offset]!;
  }
  /** PyTorch's repr: `tensor([[ 1.0000, -2.5000]], dtype=float64, requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }
  /** What console.log and util.inspect show in Node. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- views ----

  /** The same elements in another shape (one entry may be -1, inferred); a view when the strides allow it, else a copy. */
  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape); }
  /** A view with another shape (one entry may be -1); throws when the strides do not allow it (use `reshape` or `contiguous()` first). */
  view(shape: readonly number[]): Tensor { return mv.view(this, shape); }
  /** A view with the dims reordered: dim i of the result is dim `dims[i]` of this tensor. */
  permute(dims: readonly number[]): Tensor { return mv.permute(this, dims); }
  /** A view with dims dim0 and dim1 swapped. */
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** A view with all dims reversed (the transpose of a matrix). */
  get T(): Tensor { return this.permute(this.shape.map((_, i) => this.ndim - 1 - i)); }
  /** A view of `length` entries of dim starting at `start`. */
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  /** A view of entries `start` (default 0) to `end` (exclusive, default the size) of dim, every `step`-th (default 1); negative start and end count from the end, as Python's `x[start:end:step]`. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor { return mv.slice(this, dim, start, end, step); }
  /** A view of entry `index` of dim, with that dim removed (`x[:, index]` for dim 1). */
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  /** A view without size-1 dims (all of them, or only `dim` / the listed dims when they have size 1). */
  squeeze(dim?: number | number[]): Tensor { return mv.squeeze(this, dim); }
  /** A view with a size-1 dim inserted at `dim` (negative counts from the end of the result). */
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  /** A view broadcast to `shape` without copying (stride 0 on stretched dims); -1 keeps a dim's size. */
  expand(shape: readonly number[]): Tensor { return mv.expand(this, shape); }
  /** `expand(other.shape)`. */
  expandAs(other: Tensor): Tensor { return mv.expand(this, other.shape); }
  /** A view with the order of entries reversed along each dim in `dims` (negative strides, no copy). */
  flip(dims: number | number[]): Tensor { return mv.flip(this, dims); }
  /** Dims `startDim` to `endDim` (default all) merged into one; a view when possible. */
  flatten(startDim?: number, endDim?: number): Tensor { return mv.flatten(this, startDim, endDim); }
  /** This tensor if it is contiguous, else a row-major copy (recorded for backward). */
  contiguous(): Tensor { return mv.contiguous(this); }
  /** A contiguous copy with its own storage (recorded for backward). */
  clone(): Tensor { return mv.clone(this); }
  /** Views of consecutive pieces along dim (default 0): each of `splitSize` entries (the last may be smaller), or of the listed sizes. */
  split(splitSize: number | number[], dim?: number): Tensor[] { return join.split(this, splitSize, dim); }
  /** `chunks` views of (almost) equal size along dim (default 0), as PyTorch's `chunk`. */
  chunk(chunks: number, dim?: number): Tensor[] { return join.chunk(this, chunks, dim); }
  /** The entries along dim (default 0) as a list of views, each without that dim. */
  unbind(dim?: number): Tensor[] { return join.unbind(this, dim); }
  /** A copy converted to `dtype` ("float32", "float64", "int32", "bool"); float to int32 truncates toward zero, any non-zero to bool is 1. */
  to(dtype: DType): Tensor { return pw.cast(this, checkDType(dtype, "to")); }

  // ---- elementwise math (broadcasting) ----

  /** Elementwise `this + other` with broadcasting; `other` a tensor or a number. */
  add(other: Operand): Tensor { return pw.add(this, other); }
  /** Elementwise `this - other` with broadcasting. */
  sub(other: Operand): Tensor { return pw.sub(this, other); }
  /** Elementwise `this * other` with broadcasting. */
  mul(other: Operand): Tensor { return pw.mul(this, other); }
  /** Elementwise `this / other` with broadcasting; `roundingMode` "trunc" or "floor" rounds the quotient (and works on int32). */
  div(other: Operand, opts?: bin.DivOptions): Tensor { return bin.div(this, other, opts); }
  /** Elementwise `this ** exponent` with broadcasting (tensor or number exponent). */
  pow(exponent: Operand): Tensor { return pw.pow(this, exponent); }
  /** Elementwise maximum with broadcasting (NaN if either is NaN). */
  maximum(other: Operand): Tensor { return pw.maximum(this, other); }
  /** Elementwise minimum with broadcasting (NaN if either is NaN). */
  minimum(other: Operand): Tensor { return pw.minimum(this, other); }
  /** Elementwise `-this`. */
  neg(): Tensor { return pw.neg(this); }
  /** Elementwise e^x. */
  exp(): Tensor { return pw.exp(this); }
  /** Elementwise natural logarithm. */
  log(): Tensor { return pw.log(this); }
  /** Elementwise square root. */
  sqrt(): Tensor { return pw.sqrt(this); }
  /** Elementwise absolute value. */
  abs(): Tensor { return pw.abs(this); }
  /** Elementwise hyperbolic tangent. */
  tanh(): Tensor { return pw.tanh(this); }
  /** Elementwise logistic sigmoid 1 / (1 + e^-x). */
  sigmoid(): Tensor { return pw.sigmoid(this); }
  /** Elementwise max(x, 0). */
  relu(): Tensor { return pw.relu(this); }
  /** Elementwise -1, 0 or 1 (zero gradient). */
  sign(): Tensor { return un.sign(this); }
  /** Elementwise clamp into [min, max]; either bound may be omitted. */
  clamp(min?: number, max?: number): Tensor { return pw.clamp(this, min, max); }
  /** this where cond is non-zero, else other (PyTorch's Tensor.where). */
  where(cond: Tensor, other: Operand): Tensor { return pw.where(cond, this, other); }
  /** Elementwise `this > other` as a bool tensor (broadcasting; not differentiable). */
  gt(other: Operand): Tensor { return pw.gt(this, other); }
  /** Elementwise `this < other` as a bool tensor. */
  lt(other: Operand): Tensor { return pw.lt(this, other); }
  /** Elementwise `this >= other` as a bool tensor. */
  ge(other: Operand): Tensor { return pw.ge(this, other); }
  /** Elementwise `this <= other` as a bool tensor. */
  le(other: Operand): Tensor { return pw.le(this, other); }
  /** Elementwise `this == other` as a bool tensor. */
  eq(other: Operand): Tensor { return pw.eq(this, other); }
  /** Elementwise `this != other` as a bool tensor. */
  ne(other: Operand): Tensor { return pw.ne(this, other); }
  /** Matrix product as PyTorch's `matmul`: 1-D · 1-D is a dot product, (n, k) · (k, m) is (n, m), and leading batch dims broadcast. */
  matmul(other: Tensor): Tensor { return matmul(this, other); }

  /** Elementwise sine. */
  sin(): Tensor { return un.sin(this); }
  /** Elementwise cosine. */
  cos(): Tensor { return un.cos(this); }
  /** Elementwise tangent. */
  tan(): Tensor { return un.tan(this); }
  /** Elementwise arcsine. */
  asin(): Tensor { return un.asin(this); }
  /** Elementwise arccosine. */
  acos(): Tensor { return un.acos(this); }
  /** Elementwise arctangent. */
  atan(): Tensor { return un.atan(this); }
  /** Elementwise hyperbolic sine. */
  sinh(): Tensor { return un.sinh(this); }
  /** Elementwise hyperbolic cosine. */
  cosh(): Tensor { return un.cosh(this); }
  /** Elementwise inverse hyperbolic sine. */
  asinh(): Tensor { return un.asinh(this); }
  /** Elementwise inverse hyperbolic cosine. */
  acosh(): Tensor { return un.acosh(this); }
  /** Elementwise inverse hyperbolic tangent. */
  atanh(): Tensor { return un.atanh(this); }
  /** Elementwise log(1 + x), accurate near 0. */
  log1p(): Tensor { return un.log1p(this); }
  /** Elementwise e^x - 1, accurate near 0. */
  expm1(): Tensor { return un.expm1(this); }
  /** Elementwise base-2 logarithm. */
  log2(): Tensor { return un.log2(this); }
  /** Elementwise base-10 logarithm. */
  log10(): Tensor { return un.log10(this); }
  /** Elementwise 2^x. */
  exp2(): Tensor { return un.exp2(this); }
  /** Elementwise error function. */
  erf(): Tensor { return un.erf(this); }
  /** Elementwise complementary error function 1 - erf(x). */
  erfc(): Tensor { return un.erfc(this); }
  /** Elementwise inverse error function. */
  erfinv(): Tensor { return un.erfinv(this); }
  /** Elementwise round down (zero gradient). */
  floor(): Tensor { return un.floor(this); }
  /** Elementwise round up (zero gradient). */
  ceil(): Tensor { return un.ceil(this); }
  /** Elementwise round half to even (zero gradient). */
  round(): Tensor { return un.round(this); }
  /** Elementwise round toward zero (zero gradient). */
  trunc(): Tensor { return un.trunc(this); }
  /** Elementwise log(x / (1 - x)); with `eps`, x is first clamped to [eps, 1 - eps]. */
  logit(eps?: number): Tensor { return un.logit(this, eps); }
  /** Elementwise 1 / x. */
  reciprocal(): Tensor { return ar.reciprocal(this); }
  /** Elementwise 1 / sqrt(x). */
  rsqrt(): Tensor { return ar.rsqrt(this); }
  /** Elementwise x². */
  square(): Tensor { return ar.square(this); }
  /** Elementwise fractional part x - trunc(x). */
  frac(): Tensor { return ar.frac(this); }
  /** NaN, +Infinity and -Infinity replaced (by default with 0 and the dtype's largest and smallest finite values). */
  nanToNum(opts?: ar.NanToNumOptions): Tensor { return ar.nanToNum(this, opts); }
  /** Linear interpolation `this + weight · (end - this)`, broadcasting. */
  lerp(end: Tensor, weight: Operand): Tensor { return ar.lerp(this, end, weight); }
  /** `this + value · t1 · t2` elementwise (value defaults to 1). */
  addcmul(t1: Tensor, t2: Tensor, opts?: ar.AddcOptions): Tensor { return ar.addcmul(this, t1, t2, opts); }
  /** `this + value · t1 / t2` elementwise (value defaults to 1). */
  addcdiv(t1: Tensor, t2: Tensor, opts?: ar.AddcOptions): Tensor { return ar.addcdiv(this, t1, t2, opts); }
  /** Elementwise log(sigmoid(x)), stable for large |x|. */
  logsigmoid(): Tensor { return act.logsigmoid(this); }
  /** Elementwise log(1 + e^(βx)) / β; linear where βx > threshold (β 1 and threshold 20 by default). */
  softplus(opts?: act.SoftplusOptions): Tensor { return act.softplus(this, opts); }
  /** Elementwise x · sigmoid(x). */
  silu(): Tensor { return act.silu(this); }
  /** Elementwise GELU x · Φ(x); `approximate: "tanh"` uses the tanh approximation. */
  gelu(opts?: act.GeluOptions): Tensor { return act.gelu(this, opts); }
  /** Elementwise x · tanh(softplus(x)). */
  mish(): Tensor { return act.mish(this); }
  /** Elementwise ELU: x for x > 0, alpha · (e^x - 1) otherwise (alpha 1 by default). */
  elu(alpha?: number): Tensor { return act.elu(this, alpha); }
  /** Elementwise SELU with PyTorch's constants. */
  selu(): Tensor { return act.selu(this); }
  /** Elementwise CELU: max(0, x) + min(0, alpha · (e^(x/alpha) - 1)) (alpha 1 by default). */
  celu(alpha?: number): Tensor { return act.celu(this, alpha); }
  /** Elementwise x for x >= 0, negativeSlope · x otherwise (0.01 by default). */
  leakyRelu(negativeSlope?: number): Tensor { return act.leakyRelu(this, negativeSlope); }
  /** Elementwise clamp into [minVal, maxVal] ([-1, 1] by default). */
  hardtanh(minVal?: number, maxVal?: number): Tensor { return act.hardtanh(this, minVal, maxVal); }
  /** Elementwise relu6(x + 3) / 6. */
  hardsigmoid(): Tensor { return act.hardsigmoid(this); }
  /** Elementwise x · relu6(x + 3) / 6. */
  hardswish(): Tensor { return act.hardswish(this); }
  /** Elementwise min(max(x, 0), 6). */
  relu6(): Tensor { return act.relu6(this); }
  /** Elementwise x / (1 + |x|). */
  softsign(): Tensor { return act.softsign(this); }
  /** Elementwise angle of the point (other, this): atan2(this, other), broadcasting. */
  atan2(other: Operand): Tensor { return bin.atan2(this, other); }
  /** Elementwise remainder with the sign of the dividend (C's fmod). */
  fmod(other: Operand): Tensor { return bin.fmod(this, other); }
  /** Elementwise remainder with the sign of the divisor (Python's %). */
  remainder(other: Operand): Tensor { return bin.remainder(this, other); }
  /** Elementwise sqrt(this² + other²) without overflow. */
  hypot(other: Operand): Tensor { return bin.hypot(this, other); }
  /** Elementwise this · log(other), 0 where this is 0. */
  xlogy(other: Operand): Tensor { return bin.xlogy(this, other); }
  /** Elementwise |this| with the sign of other. */
  copysign(other: Operand): Tensor { return bin.copysign(this, other); }
  /** Elementwise log(e^this + e^other), stable. */
  logaddexp(other: Operand): Tensor { return bin.logaddexp(this, other); }
  /** Elementwise log2(2^this + 2^other), stable. */
  logaddexp2(other: Operand): Tensor { return bin.logaddexp2(this, other); }
  /** Elementwise NaN test, as a bool tensor. */
  isnan(): Tensor { return pred.isnan(this); }
  /** Elementwise ±Infinity test, as a bool tensor. */
  isinf(): Tensor { return pred.isinf(this); }
  /** Elementwise test for a finite value, as a bool tensor. */
  isfinite(): Tensor { return pred.isfinite(this); }
  /** Elementwise `|this - other| <= atol + rtol · |other|` as a bool tensor (rtol 1e-5, atol 1e-8; `equalNan`). */
  isclose(other: Operand, opts?: pred.IscloseOptions): Tensor { return pred.isclose(this, other, opts); }
  /** Whether `isclose` holds everywhere. */
  allclose(other: Operand, opts?: pred.IscloseOptions): boolean { return pred.allclose(this, other, opts); }
  /** Whether both tensors have the same shape and equal elements. */
  equal(other: Tensor): boolean { return pred.equal(this, other); }
  /** Elementwise bitwise AND of int32 or bool tensors (logical for bool). */
  bitwiseAnd(other: Operand): Tensor { return int.bitwiseAnd(this, other); }
  /** Elementwise bitwise OR of int32 or bool tensors. */
  bitwiseOr(other: Operand): Tensor { return int.bitwiseOr(this, other); }
  /** Elementwise bitwise XOR of int32 or bool tensors. */
  bitwiseXor(other: Operand): Tensor { return int.bitwiseXor(this, other); }
  /** Elementwise bitwise NOT (logical NOT for bool). */
  bitwiseNot(): Tensor { return int.bitwiseNot(this); }
  /** Elementwise int32 left shift (shift count modulo 32). */
  bitwiseLeftShift(other: Operand): Tensor { return int.bitwiseLeftShift(this, other); }
  /** Elementwise int32 arithmetic right shift (shift count modulo 32). */
  bitwiseRightShift(other: Operand): Tensor { return int.bitwiseRightShift(this, other); }

  // ---- reductions ----

  /**
   * Sum over `dim` (a dim, several, or all when omitted); `keepdim` keeps the reduced dims with size 1. bool and int32 sum to int32.
   *
   * @example
   * ```ts
   * tensor([[1, 2], [3, 4]]).sum(0).tolist(); // [4, 6]
   * ```
   */
  sum(dim?: number | number[], keepdim?: boolean): Tensor { return red.sum(this, dim, keepdim); }
  /** Mean over `dim` (a dim, several, or all when omitted), optionally keeping reduced dims. */
  mean(dim?: number | number[], keepdim?: boolean): Tensor { return red.mean(this, dim, keepdim); }
  /** The largest element, as a scalar tensor (NaN if any element is NaN). */
  max(): Tensor;
  /** Along `dim`: `[values, indices]` of the largest entries (indices int32). */
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(dim?: number, keepdim?: boolean): Tensor | [Tensor, Tensor] { return dim === undefined ? red.max(this) : red.max(this, dim, keepdim); }
  /** The smallest element, as a scalar tensor (NaN if any element is NaN). */
  min(): Tensor;
  /** Along `dim`: `[values, indices]` of the smallest entries (indices int32). */
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(dim?: number, keepdim?: boolean): Tensor | [Tensor, Tensor] { return dim === undefined ? red.min(this) : red.min(this, dim, keepdim); }
  /** The largest values over `dim` (a dim, several, or all); the gradient is shared between ties. */
  amax(dim?: number | number[], keepdim?: boolean): Tensor { return red.amax(this, dim, keepdim); }
  /** The smallest values over `dim` (a dim, several, or all); the gradient is shared between ties. */
  amin(dim?: number | number[], keepdim?: boolean): Tensor { return amin(this, dim, keepdim); }
  /** Indices (int32) of the largest entries along `dim`, or into the flattened tensor when omitted. */
  argmax(dim?: number, keepdim?: boolean): Tensor { return red.argmax(this, dim, keepdim); }
  /** Indices (int32) of the smallest entries along `dim`, or into the flattened tensor when omitted. */
  argmin(dim?: number, keepdim?: boolean): Tensor { return red.argmin(this, dim, keepdim); }
  /** log Σ e^x over `dim`, computed stably. */
  logSumExp(dim?: number | number[], keepdim?: boolean): Tensor { return red.logSumExp(this, dim, keepdim); }
  /** e^x / Σ e^x along `dim`. */
  softmax(dim: number): Tensor { return red.softmax(this, dim); }
  /** log(softmax(x)) along `dim`, computed stably. */
  logSoftmax(dim: number): Tensor { return red.logSoftmax(this, dim); }
  /** Product over `dim` (a dim, several, or all); the gradient is exact where elements are 0. */
  prod(dim?: number | number[], keepdim?: boolean): Tensor { return stats.prod(this, dim, keepdim); }
  /** Variance over `dim` (all when omitted): Σ (x - mean)² / (N - correction), correction 1 by default. */
  var(dim?: number | number[], opts?: stats.VarOptions): Tensor { return stats.variance(this, dim, opts); }
  /** Standard deviation: the square root of `var` with the same options. */
  std(dim?: number | number[], opts?: stats.VarOptions): Tensor { return stats.std(this, dim, opts); }
  /** The p-norm over `dim` (all elements when omitted): "fro" (default) or 2, 1, ±Infinity, 0 or any p. */
  norm(p?: number | "fro", dim?: number | number[], keepdim?: boolean): Tensor { return norm(this, p, dim, keepdim); }
  /** `sum` treating NaN as 0. */
  nansum(dim?: number | number[], keepdim?: boolean): Tensor { return stats.nansum(this, dim, keepdim); }
  /** `mean` over the elements that are not NaN. */
  nanmean(dim?: number | number[], keepdim?: boolean): Tensor { return stats.nanmean(this, dim, keepdim); }
  /** Whether every element over `dim` is non-zero, as bool. */
  all(dim?: number | number[], keepdim?: boolean): Tensor { return stats.all(this, dim, keepdim); }
  /** Whether any element over `dim` is non-zero, as bool. */
  any(dim?: number | number[], keepdim?: boolean): Tensor { return stats.any(this, dim, keepdim); }
  /** The number of non-zero elements over `dim` (all when omitted), as int32. */
  countNonzero(dim?: number | number[]): Tensor { return stats.countNonzero(this, dim); }
  /** Cumulative sum along `dim`. */
  cumsum(dim: number): Tensor { return scan.cumsum(this, dim); }
  /** Cumulative product along `dim` (exact gradient where elements are 0). */
  cumprod(dim: number): Tensor { return scan.cumprod(this, dim); }
  /** Cumulative log Σ e^x along `dim`, stable. */
  logcumsumexp(dim: number): Tensor { return scan.logcumsumexp(this, dim); }
  /** Running maximum along `dim`: `[values, indices]`. */
  cummax(dim: number): [Tensor, Tensor] { return scan.cummax(this, dim); }
  /** Running minimum along `dim`: `[values, indices]`. */
  cummin(dim: number): [Tensor, Tensor] { return scan.cummin(this, dim); }
  /** Sorted along `dim` (default -1), stable, NaN largest: `[values, indices]`; `descending` in the options. */
  sort(dim?: number, opts?: order.SortOptions): [Tensor, Tensor] { return order.sort(this, dim, opts); }
  /** The indices that sort along `dim` (default -1), as in `sort`. */
  argsort(dim?: number, opts?: order.SortOptions): Tensor { return order.argsort(this, dim, opts); }
  /** The `k` largest (or smallest with `largest: false`) entries along `dim` (default -1), sorted: `[values, indices]`. */
  topk(k: number, dim?: number, opts?: { largest?: boolean; sorted?: boolean }): [Tensor, Tensor] { return order.topk(this, k, dim, opts); }
  /** The k-th smallest entry (1-based) along `dim` (default -1): `[values, indices]`. */
  kthvalue(k: number, dim?: number, keepdim?: boolean): [Tensor, Tensor] { return order.kthvalue(this, k, dim, keepdim); }
  /** The most frequent value along `dim` (default -1; the smallest among ties): `[values, indices]`. */
  mode(dim?: number, keepdim?: boolean): [Tensor, Tensor] { return order.mode(this, dim, keepdim); }
  /** The median of all elements (the lower of the two middle ones for an even count), as a scalar tensor. */
  median(): Tensor;
  /** Along `dim`: `[values, indices]` of the (lower) median. */
  median(dim: number, keepdim?: boolean): [Tensor, Tensor];
  median(dim?: number, keepdim?: boolean): Tensor | [Tensor, Tensor] { return dim === undefined ? order.median(this) : order.median(this, dim, keepdim); }

  // ---- indexing ----

  /** Entries picked along `dim` by an int32 `index` of the same number of dims: `out[i][j] = this[index[i][j]][j]` for dim 0. */
  gather(dim: number, index: Tensor): Tensor { return idx.gather(this, dim, index); }
  /** The entries of `dim` at the positions of a 1-D int32 `index`, in that order. */
  indexSelect(dim: number, index: Tensor): Tensor { return idx.indexSelect(this, dim, index); }
  /** Advanced indexing as PyTorch's `x[i, j]`: one entry per leading dim, an int32 tensor or `null` for the whole dim; index tensors broadcast. */
  index(indices: adv.Indices): Tensor { return adv.index(this, indices); }
  /** A copy with the positions selected as in `index` set to `values` (added with `accumulate`). */
  indexPut(indices: adv.Indices, values: Tensor | number, opts?: { accumulate?: boolean }): Tensor { return adv.indexPut(this, indices, values, opts); }
  /** A copy with `src` (or a number) written at the positions of `index` along `dim`; `reduce` "add" or "multiply" combines instead. */
  scatter(dim: number, index: Tensor, src: Tensor | number, opts?: { reduce?: "add" | "multiply" }): Tensor { return sc.scatter(this, dim, index, src, opts); }
  /** A copy with `src` reduced into the positions of `index` along `dim` ("sum", "prod", "mean", "amax", "amin"); `includeSelf` (default true) counts this tensor's values. */
  scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: sc.ScatterReduction, opts?: { includeSelf?: boolean }): Tensor { return sc.scatterReduce(this, dim, index, src, reduce, opts); }
  /** A copy with `value` where the (broadcast) bool mask is true. */
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return mask_.maskedFill(this, mask, value); }
  /** The elements where the (broadcast) bool mask is true, as a 1-D tensor. */
  maskedSelect(mask: Tensor): Tensor { return mask_.maskedSelect(this, mask); }
  /** Elements of the flattened tensor at the int32 `index`, in the index's shape. */
  take(index: Tensor): Tensor { return mask_.take(this, index); }
  /** `gather` with this tensor and `indices` broadcast outside `dim`; without `dim`, on the flattened tensor. */
  takeAlongDim(indices: Tensor, dim?: number): Tensor { return mask_.takeAlongDim(this, indices, dim); }
  /** The indices of the non-zero elements in row-major order: an int32 (n, ndim) tensor (not differentiable). */
  nonzero(): Tensor;
  /** With asTuple: one int32 n-element index tensor per dim. */
  nonzero(opts: { asTuple: true }): Tensor[];
  /** An (n, ndim) index tensor, or one index tensor per dim with asTuple. */
  nonzero(opts?: nz.NonzeroOptions): Tensor | Tensor[];
  nonzero(opts?: nz.NonzeroOptions): Tensor | Tensor[] { return nz.nonzero(this, opts); }
  /** `nonzero()`: the (n, ndim) int32 indices of the non-zero elements. */
  argwhere(): Tensor { return nz.argwhere(this); }

  // ---- rearranging and products ----

  /** The tensor tiled `sizes[i]` times along each dim (PyTorch's `repeat`). */
  repeat(sizes: readonly number[]): Tensor { return re.repeat(this, sizes); }
  /** `repeat` with missing leading entries of `dims` taken as 1. */
  tile(dims: readonly number[]): Tensor { return re.tile(this, dims); }
  /** Each entry repeated in place along `dim` (the flattened tensor when omitted); `repeats` a number or per-entry counts. */
  repeatInterleave(repeats: number | Tensor, dim?: number): Tensor { return re.repeatInterleave(this, repeats, dim); }
  /** Entries shifted circularly by `shifts` along `dims` (the flattened tensor when `dims` is omitted). */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return re.roll(this, shifts, dims); }
  /** A view with dims `source` moved to positions `destination`, the rest in order. */
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor { return re.movedim(this, source, destination); }
  /** `transpose(axis0, axis1)`. */
  swapaxes(axis0: number, axis1: number): Tensor { return re.swapaxes(this, axis0, axis1); }
  /** A view with `dim` split into `sizes` (one entry may be -1). */
  unflatten(dim: number, sizes: readonly number[]): Tensor { return re.unflatten(this, dim, sizes); }
  /** The lower triangle of the last two dims (entries above `diagonal` set to 0). */
  tril(diagonal?: number): Tensor { return re.tril(this, diagonal); }
  /** The upper triangle of the last two dims (entries below `diagonal` set to 0). */
  triu(diagonal?: number): Tensor { return re.triu(this, diagonal); }
  /** For a 1-D tensor, a square matrix with it on the given diagonal; for a 2-D tensor, that diagonal as 1-D. */
  diag(diagonal?: number): Tensor { return views.diag(this, diagonal); }
  /** A view of the diagonal of dims dim1 and dim2 (0 and 1 by default) at `offset`, as the last dim. */
  diagonal(offset?: number, dim1?: number, dim2?: number): Tensor { return views.diagonal(this, offset, dim1, dim2); }
  /** A tensor whose dim1, dim2 diagonal (the last two dims by default) holds the last dim of this tensor. */
  diagEmbed(offset?: number, dim1?: number, dim2?: number): Tensor { return views.diagEmbed(this, offset, dim1, dim2); }
  /** The sum of the main diagonal of a matrix. */
  trace(): Tensor { return views.trace(this); }
  /** A view of sliding windows of `size` entries every `step` along `dimension`, added as a new last dim. */
  unfold(dimension: number, size: number, step: number): Tensor { return views.unfold(this, dimension, size, step); }
  /** The outer product of two 1-D tensors: (n) and (m) give (n, m). */
  outer(other: Tensor): Tensor { return prods.outer(this, other); }
  /** Batched matrix product: (b, n, k) · (b, k, m) gives (b, n, m). */
  bmm(other: Tensor): Tensor { return prods.bmm(this, other); }
  /** `beta · this + alpha · (m1 · m2)` for matrices (beta and alpha 1 by default). */
  addmm(m1: Tensor, m2: Tensor, opts?: prods.ScaleOptions): Tensor { return prods.addmm(this, m1, m2, opts); }
  /** `beta · this + alpha · bmm(b1, b2)` (beta and alpha 1 by default). */
  baddbmm(b1: Tensor, b2: Tensor, opts?: prods.ScaleOptions): Tensor { return prods.baddbmm(this, b1, b2, opts); }
  /** The Kronecker product. */
  kron(other: Tensor): Tensor { return prods.kron(this, other); }
  /** The cross product of 3-vectors along `dim` (default: the first dim of size 3), broadcasting. */
  cross(other: Tensor, dim?: number): Tensor { return prods.cross(this, other, dim); }

  // ---- in place (not recorded; bump the version counter) ----

  /** In place: `this += alpha · other` (alpha 1 by default). Not recorded; bumps the version counter. */
  add_(other: Operand, alpha?: number): this { inplace.add_(this, other, alpha); return this; }
  /** In place: `this -= alpha · other`. Not recorded. */
  sub_(other: Operand, alpha?: number): this { inplace.sub_(this, other, alpha); return this; }
  /** In place: `this *= other`. Not recorded. */
  mul_(other: Operand): this { inplace.mul_(this, other); return this; }
  /** In place: `this /= other`. Not recorded. */
  div_(other: Operand): this { inplace.div_(this, other); return this; }
  /** In place: copies `src` (broadcast, converted to this dtype) into this tensor. Not recorded. */
  copy_(src: Operand): this { inplace.copy_(this, src); return this; }
  /** In place: sets every element to `value`. Not recorded. */
  fill_(value: number): this { inplace.fill_(this, value); return this; }
  /** In place: sets every element to 0. Not recorded. */
  zero_(): this { inplace.zero_(this); return this; }
  /** In place: clamps into [min, max]. Not recorded. */
  clamp_(min?: number, max?: number): this { inplace.clamp_(this, min, max); return this; }
  /** In place: `this += value · a · b`. Not recorded. */
  addcmul_(a: Tensor, b: Tensor, value?: number): this { inplace.addcmul_(this, a, b, value); return this; }
  /** In place: `this += value · a / b`. Not recorded. */
  addcdiv_(a: Tensor, b: Tensor, value?: number): this { inplace.addcdiv_(this, a, b, value); return this; }
  /** In place: square root of every element. Not recorded. */
  sqrt_(): this { inplace.sqrt_(this); return this; }
  /** In place: elementwise maximum with `other`. Not recorded. */
  maximum_(other: Operand): this { inplace.maximum_(this, other); return this; }
}

/** Whether `x` is a Tensor of this copy of the package. */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
