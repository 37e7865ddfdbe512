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
export type NestedArray = number | NestedArray[];

/**
 * A strided view over a typed-array buffer: element (i0, i1, ...) lives at
 * offset + Σ ik·strides[k]. Views share the buffer and its version counter.
 */
export class Tensor {
  readonly shape: number[];
  readonly strides: number[];
  readonly dtype: DType;
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
    readonly buf: TypedArray,
    shape: readonly number[],
    strides: readonly number[] = contiguousStrides(shape),
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

  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return numel(this.shape);
  }
  /** The shape (a copy), or the size of one dim (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim(dim, this.shape, "size")]!;
  }
  get version(): number {
    return this.versionBox.v;
  }
  /** @internal */
  bumpVersion(): void {
    this.versionBox.v++;
  }
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.ndim - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.strides[d] !== expected) return false;
      expected *= this.shape[d]!;
    }
    return true;
  }

  // ---- autograd ----

  get requiresGrad(): boolean {
    return this.requiresGradFlag || this.gradFn !== null;
  }
  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.dtype)) throw new Error(`requiresGrad: only float tensors can require gradients, got ${this.dtype} (shape ${fmt(this.shape)})`);
    if (!value && this.gradFn) throw new Error("requiresGrad: cannot switch off requiresGrad of a non-leaf tensor; use detach()");
    this.requiresGradFlag = value;
  }
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }
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
  registerHook(hook: Hook): { remove(): void } {
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
  detach(): Tensor {
    return this.alias();
  }

  // ---- data out ----

  /** A contiguous row-major copy of the elements. */
  data(): TypedArray {
    if (this.isContiguous()) return this.buf.slice(this.offset, this.offset + this.numel);
    return this.copyContiguous().buf;
  }
  tolist(): NestedArray {
    const flat = Array.from(this.data());
    const build = (dim: number, at: number): NestedArray => {
      if (dim === this.ndim) return flat[at]!;
      const step = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, at + i * step));
    };
    return build(0, 0);
  }
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

  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return mv.view(this, shape); }
  permute(dims: readonly number[]): Tensor { return mv.permute(this, dims); }
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  get T(): Tensor { return this.permute(this.shape.map((_, i) => this.ndim - 1 - i)); }
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor { return mv.slice(this, dim, start, end, step); }
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  squeeze(dim?: number | number[]): Tensor { return mv.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  expand(shape: readonly number[]): Tensor { return mv.expand(this, shape); }
  expandAs(other: Tensor): Tensor { return mv.expand(this, other.shape); }
  flip(dims: number | number[]): Tensor { return mv.flip(this, dims); }
  flatten(startDim?: number, endDim?: number): Tensor { return mv.flatten(this, startDim, endDim); }
  contiguous(): Tensor { return mv.contiguous(this); }
  clone(): Tensor { return mv.clone(this); }
  split(splitSize: number | number[], dim?: number): Tensor[] { return join.split(this, splitSize, dim); }
  chunk(chunks: number, dim?: number): Tensor[] { return join.chunk(this, chunks, dim); }
  unbind(dim?: number): Tensor[] { return join.unbind(this, dim); }
  to(dtype: DType): Tensor { return pw.cast(this, checkDType(dtype, "to")); }

  // ---- elementwise math (broadcasting) ----

  add(other: Operand): Tensor { return pw.add(this, other); }
  sub(other: Operand): Tensor { return pw.sub(this, other); }
  mul(other: Operand): Tensor { return pw.mul(this, other); }
  div(other: Operand, opts?: bin.DivOptions): Tensor { return bin.div(this, other, opts); }
  pow(exponent: Operand): Tensor { return pw.pow(this, exponent); }
  maximum(other: Operand): Tensor { return pw.maximum(this, other); }
  minimum(other: Operand): Tensor { return pw.minimum(this, other); }
  neg(): Tensor { return pw.neg(this); }
  exp(): Tensor { return pw.exp(this); }
  log(): Tensor { return pw.log(this); }
  sqrt(): Tensor { return pw.sqrt(this); }
  abs(): Tensor { return pw.abs(this); }
  tanh(): Tensor { return pw.tanh(this); }
  sigmoid(): Tensor { return pw.sigmoid(this); }
  relu(): Tensor { return pw.relu(this); }
  sign(): Tensor { return un.sign(this); }
  clamp(min?: number, max?: number): Tensor { return pw.clamp(this, min, max); }
  /** this where cond is non-zero, else other (PyTorch's Tensor.where). */
  where(cond: Tensor, other: Operand): Tensor { return pw.where(cond, this, other); }
  gt(other: Operand): Tensor { return pw.gt(this, other); }
  lt(other: Operand): Tensor { return pw.lt(this, other); }
  ge(other: Operand): Tensor { return pw.ge(this, other); }
  le(other: Operand): Tensor { return pw.le(this, other); }
  eq(other: Operand): Tensor { return pw.eq(this, other); }
  ne(other: Operand): Tensor { return pw.ne(this, other); }
  matmul(other: Tensor): Tensor { return matmul(this, other); }

  sin(): Tensor { return un.sin(this); }
  cos(): Tensor { return un.cos(this); }
  tan(): Tensor { return un.tan(this); }
  asin(): Tensor { return un.asin(this); }
  acos(): Tensor { return un.acos(this); }
  atan(): Tensor { return un.atan(this); }
  sinh(): Tensor { return un.sinh(this); }
  cosh(): Tensor { return un.cosh(this); }
  asinh(): Tensor { return un.asinh(this); }
  acosh(): Tensor { return un.acosh(this); }
  atanh(): Tensor { return un.atanh(this); }
  log1p(): Tensor { return un.log1p(this); }
  expm1(): Tensor { return un.expm1(this); }
  log2(): Tensor { return un.log2(this); }
  log10(): Tensor { return un.log10(this); }
  exp2(): Tensor { return un.exp2(this); }
  erf(): Tensor { return un.erf(this); }
  erfc(): Tensor { return un.erfc(this); }
  erfinv(): Tensor { return un.erfinv(this); }
  floor(): Tensor { return un.floor(this); }
  ceil(): Tensor { return un.ceil(this); }
  round(): Tensor { return un.round(this); }
  trunc(): Tensor { return un.trunc(this); }
  logit(eps?: number): Tensor { return un.logit(this, eps); }
  reciprocal(): Tensor { return ar.reciprocal(this); }
  rsqrt(): Tensor { return ar.rsqrt(this); }
  square(): Tensor { return ar.square(this); }
  frac(): Tensor { return ar.frac(this); }
  nanToNum(opts?: ar.NanToNumOptions): Tensor { return ar.nanToNum(this, opts); }
  lerp(end: Tensor, weight: Operand): Tensor { return ar.lerp(this, end, weight); }
  addcmul(t1: Tensor, t2: Tensor, opts?: ar.AddcOptions): Tensor { return ar.addcmul(this, t1, t2, opts); }
  addcdiv(t1: Tensor, t2: Tensor, opts?: ar.AddcOptions): Tensor { return ar.addcdiv(this, t1, t2, opts); }
  logsigmoid(): Tensor { return act.logsigmoid(this); }
  softplus(opts?: act.SoftplusOptions): Tensor { return act.softplus(this, opts); }
  silu(): Tensor { return act.silu(this); }
  gelu(opts?: act.GeluOptions): Tensor { return act.gelu(this, opts); }
  mish(): Tensor { return act.mish(this); }
  elu(alpha?: number): Tensor { return act.elu(this, alpha); }
  selu(): Tensor { return act.selu(this); }
  celu(alpha?: number): Tensor { return act.celu(this, alpha); }
  leakyRelu(negativeSlope?: number): Tensor { return act.leakyRelu(this, negativeSlope); }
  hardtanh(minVal?: number, maxVal?: number): Tensor { return act.hardtanh(this, minVal, maxVal); }
  hardsigmoid(): Tensor { return act.hardsigmoid(this); }
  hardswish(): Tensor { return act.hardswish(this); }
  relu6(): Tensor { return act.relu6(this); }
  softsign(): Tensor { return act.softsign(this); }
  atan2(other: Operand): Tensor { return bin.atan2(this, other); }
  fmod(other: Operand): Tensor { return bin.fmod(this, other); }
  remainder(other: Operand): Tensor { return bin.remainder(this, other); }
  hypot(other: Operand): Tensor { return bin.hypot(this, other); }
  xlogy(other: Operand): Tensor { return bin.xlogy(this, other); }
  copysign(other: Operand): Tensor { return bin.copysign(this, other); }
  logaddexp(other: Operand): Tensor { return bin.logaddexp(this, other); }
  logaddexp2(other: Operand): Tensor { return bin.logaddexp2(this, other); }
  isnan(): Tensor { return pred.isnan(this); }
  isinf(): Tensor { return pred.isinf(this); }
  isfinite(): Tensor { return pred.isfinite(this); }
  isclose(other: Operand, opts?: pred.IscloseOptions): Tensor { return pred.isclose(this, other, opts); }
  allclose(other: Operand, opts?: pred.IscloseOptions): boolean { return pred.allclose(this, other, opts); }
  equal(other: Tensor): boolean { return pred.equal(this, other); }
  bitwiseAnd(other: Operand): Tensor { return int.bitwiseAnd(this, other); }
  bitwiseOr(other: Operand): Tensor { return int.bitwiseOr(this, other); }
  bitwiseXor(other: Operand): Tensor { return int.bitwiseXor(this, other); }
  bitwiseNot(): Tensor { return int.bitwiseNot(this); }
  bitwiseLeftShift(other: Operand): Tensor { return int.bitwiseLeftShift(this, other); }
  bitwiseRightShift(other: Operand): Tensor { return int.bitwiseRightShift(this, other); }

  // ---- reductions ----

  sum(dim?: number | number[], keepdim?: boolean): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim?: boolean): Tensor { return red.mean(this, dim, keepdim); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(dim?: number, keepdim?: boolean): Tensor | [Tensor, Tensor] { return dim === undefined ? red.max(this) : red.max(this, dim, keepdim); }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(dim?: number, keepdim?: boolean): Tensor | [Tensor, Tensor] { return dim === undefined ? red.min(this) : red.min(this, dim, keepdim); }
  amax(dim?: number | number[], keepdim?: boolean): Tensor { return red.amax(this, dim, keepdim); }
  amin(dim?: number | number[], keepdim?: boolean): Tensor { return amin(this, dim, keepdim); }
  argmax(dim?: number, keepdim?: boolean): Tensor { return red.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim?: boolean): Tensor { return red.argmin(this, dim, keepdim); }
  logSumExp(dim?: number | number[], keepdim?: boolean): Tensor { return red.logSumExp(this, dim, keepdim); }
  softmax(dim: number): Tensor { return red.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return red.logSoftmax(this, dim); }
  prod(dim?: number | number[], keepdim?: boolean): Tensor { return stats.prod(this, dim, keepdim); }
  var(dim?: number | number[], opts?: stats.VarOptions): Tensor { return stats.variance(this, dim, opts); }
  std(dim?: number | number[], opts?: stats.VarOptions): Tensor { return stats.std(this, dim, opts); }
  norm(p?: number | "fro", dim?: number | number[], keepdim?: boolean): Tensor { return norm(this, p, dim, keepdim); }
  nansum(dim?: number | number[], keepdim?: boolean): Tensor { return stats.nansum(this, dim, keepdim); }
  nanmean(dim?: number | number[], keepdim?: boolean): Tensor { return stats.nanmean(this, dim, keepdim); }
  all(dim?: number | number[], keepdim?: boolean): Tensor { return stats.all(this, dim, keepdim); }
  any(dim?: number | number[], keepdim?: boolean): Tensor { return stats.any(this, dim, keepdim); }
  countNonzero(dim?: number | number[]): Tensor { return stats.countNonzero(this, dim); }
  cumsum(dim: number): Tensor { return scan.cumsum(this, dim); }
  cumprod(dim: number): Tensor { return scan.cumprod(this, dim); }
  logcumsumexp(dim: number): Tensor { return scan.logcumsumexp(this, dim); }
  cummax(dim: number): [Tensor, Tensor] { return scan.cummax(this, dim); }
  cummin(dim: number): [Tensor, Tensor] { return scan.cummin(this, dim); }
  sort(dim?: number, opts?: order.SortOptions): [Tensor, Tensor] { return order.sort(this, dim, opts); }
  argsort(dim?: number, opts?: order.SortOptions): Tensor { return order.argsort(this, dim, opts); }
  topk(k: number, dim?: number, opts?: { largest?: boolean; sorted?: boolean }): [Tensor, Tensor] { return order.topk(this, k, dim, opts); }
  kthvalue(k: number, dim?: number, keepdim?: boolean): [Tensor, Tensor] { return order.kthvalue(this, k, dim, keepdim); }
  mode(dim?: number, keepdim?: boolean): [Tensor, Tensor] { return order.mode(this, dim, keepdim); }
  median(): Tensor;
  median(dim: number, keepdim?: boolean): [Tensor, Tensor];
  median(dim?: number, keepdim?: boolean): Tensor | [Tensor, Tensor] { return dim === undefined ? order.median(this) : order.median(this, dim, keepdim); }

  // ---- indexing ----

  gather(dim: number, index: Tensor): Tensor { return idx.gather(this, dim, index); }
  indexSelect(dim: number, index: Tensor): Tensor { return idx.indexSelect(this, dim, index); }
  index(indices: adv.Indices): Tensor { return adv.index(this, indices); }
  indexPut(indices: adv.Indices, values: Tensor | number, opts?: { accumulate?: boolean }): Tensor { return adv.indexPut(this, indices, values, opts); }
  scatter(dim: number, index: Tensor, src: Tensor | number, opts?: { reduce?: "add" | "multiply" }): Tensor { return sc.scatter(this, dim, index, src, opts); }
  scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: sc.ScatterReduction, opts?: { includeSelf?: boolean }): Tensor { return sc.scatterReduce(this, dim, index, src, reduce, opts); }
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return mask_.maskedFill(this, mask, value); }
  maskedSelect(mask: Tensor): Tensor { return mask_.maskedSelect(this, mask); }
  take(index: Tensor): Tensor { return mask_.take(this, index); }
  takeAlongDim(indices: Tensor, dim?: number): Tensor { return mask_.takeAlongDim(this, indices, dim); }
  nonzero(): Tensor;
  nonzero(opts: { asTuple: true }): Tensor[];
  nonzero(opts?: nz.NonzeroOptions): Tensor | Tensor[];
  nonzero(opts?: nz.NonzeroOptions): Tensor | Tensor[] { return nz.nonzero(this, opts); }
  argwhere(): Tensor { return nz.argwhere(this); }

  // ---- rearranging and products ----

  repeat(sizes: readonly number[]): Tensor { return re.repeat(this, sizes); }
  tile(dims: readonly number[]): Tensor { return re.tile(this, dims); }
  repeatInterleave(repeats: number | Tensor, dim?: number): Tensor { return re.repeatInterleave(this, repeats, dim); }
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor { return re.roll(this, shifts, dims); }
  movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor { return re.movedim(this, source, destination); }
  swapaxes(axis0: number, axis1: number): Tensor { return re.swapaxes(this, axis0, axis1); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return re.unflatten(this, dim, sizes); }
  tril(diagonal?: number): Tensor { return re.tril(this, diagonal); }
  triu(diagonal?: number): Tensor { return re.triu(this, diagonal); }
  diag(diagonal?: number): Tensor { return views.diag(this, diagonal); }
  diagonal(offset?: number, dim1?: number, dim2?: number): Tensor { return views.diagonal(this, offset, dim1, dim2); }
  diagEmbed(offset?: number, dim1?: number, dim2?: number): Tensor { return views.diagEmbed(this, offset, dim1, dim2); }
  trace(): Tensor { return views.trace(this); }
  unfold(dimension: number, size: number, step: number): Tensor { return views.unfold(this, dimension, size, step); }
  outer(other: Tensor): Tensor { return prods.outer(this, other); }
  bmm(other: Tensor): Tensor { return prods.bmm(this, other); }
  addmm(m1: Tensor, m2: Tensor, opts?: prods.ScaleOptions): Tensor { return prods.addmm(this, m1, m2, opts); }
  baddbmm(b1: Tensor, b2: Tensor, opts?: prods.ScaleOptions): Tensor { return prods.baddbmm(this, b1, b2, opts); }
  kron(other: Tensor): Tensor { return prods.kron(this, other); }
  cross(other: Tensor, dim?: number): Tensor { return prods.cross(this, other, dim); }

  // ---- in place (not recorded; bump the version counter) ----

  add_(other: Operand, alpha?: number): this { inplace.add_(this, other, alpha); return this; }
  sub_(other: Operand, alpha?: number): this { inplace.sub_(this, other, alpha); return this; }
  mul_(other: Operand): this { inplace.mul_(this, other); return this; }
  div_(other: Operand): this { inplace.div_(this, other); return this; }
  copy_(src: Operand): this { inplace.copy_(this, src); return this; }
  fill_(value: number): this { inplace.fill_(this, value); return this; }
  zero_(): this { inplace.zero_(this); return this; }
  clamp_(min?: number, max?: number): this { inplace.clamp_(this, min, max); return this; }
  addcmul_(a: Tensor, b: Tensor, value?: number): this { inplace.addcmul_(this, a, b, value); return this; }
  addcdiv_(a: Tensor, b: Tensor, value?: number): this { inplace.addcdiv_(this, a, b, value); return this; }
  sqrt_(): this { inplace.sqrt_(this); return this; }
  maximum_(other: Operand): this { inplace.maximum_(this, other); return this; }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
