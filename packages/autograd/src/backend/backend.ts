import type { DType, TypedArray } from "../core/dtype";
import type { Tensor } from "../core/tensor";
import type { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from "./js/cells";
import type { elementwise } from "./js/elementwise";
import type { gather, indexAdd, indexSelect, scatterAdd } from "./js/indexing";
import type { matmul, matmulSum, ProductAccumulator } from "./js/matmul";
import type { cumsum, cumulativeExtremeIndices, modeIndices, sortIndices } from "./js/order";
import type { reduce } from "./js/reduce";
import type { softmaxBackward, softmaxForward } from "./js/softmax";

export type { ElementwiseOp } from "./js/elementwise";
export type { ReduceOp } from "./js/reduce";
export type { StridedView } from "./js/strided";
export type { ProductAccumulator } from "./js/matmul";

/** The loops every op runs through. They read and write typed arrays; they know nothing of tensors. */
export interface Kernels {
  elementwise: typeof elementwise;
  reduce: typeof reduce;
  softmaxForward: typeof softmaxForward;
  softmaxBackward: typeof softmaxBackward;
  matmul: typeof matmul;
  matmulSum: typeof matmulSum;
  gather: typeof gather;
  scatterAdd: typeof scatterAdd;
  indexSelect: typeof indexSelect;
  indexAdd: typeof indexAdd;
  sortIndices: typeof sortIndices;
  cumulativeExtremeIndices: typeof cumulativeExtremeIndices;
  modeIndices: typeof modeIndices;
  cumsum: typeof cumsum;
  lstmCellForward: typeof lstmCellForward;
  lstmCellBackward: typeof lstmCellBackward;
  gruCellForward: typeof gruCellForward;
  gruCellBackward: typeof gruCellBackward;
}

/** How long a buffer lives: for one op's result, or as long as a model (a Parameter). */
export type Lifetime = "temporary" | "persistent";

/**
 * A gradient a fast backward leaves as the product a·b (linear's weight gradient Gᵀx), for the
 * slot's GradSum to add up with the other products reaching the same tensor.
 */
export class ProductGrad {
  /** `shape`: the gradient's shape, when it is not the product's (a bias row: 1×N as N). */
  constructor(
    readonly a: Tensor,
    readonly b: Tensor,
    readonly shape: number[] = [a.shape[0]!, b.shape[1]!],
  ) {}
}

/** The gradients reaching one slot of the tape, summed. */
export interface GradSum {
  add(grad: Tensor | ProductGrad): void;
  /** The sum; `owned` when its buffer is held by nothing else (it may become a .grad as it is). */
  take(): { grad: Tensor; owned: boolean };
}

/**
 * A backward's claim on the temporaries it allocates. `end(kept)` when it is over: buffers no
 * tensor in `kept` views may be reused; `end(null)` when code outside the library may hold any
 * of them (hooks, a custom op's backward, createGraph).
 */
export interface BackwardScope {
  end(kept: Iterable<Tensor> | null): void;
}

/** Everything about where bytes live and how loops and gradient sums run. */
export interface Backend {
  readonly name: "js" | "wasm";
  readonly kernels: Kernels;
  /** A zero-filled buffer of `size` elements. */
  allocate(dtype: DType, size: number, lifetime: Lifetime): TypedArray;
  /** An empty sum for one tape slot. */
  gradSum(): GradSum;
  /** Where a backend reuses a backward's temporaries: the scope of one backward. */
  beginBackward?(): BackwardScope;
}

/** The backend ops run on (see ./select for the choice) and its kernels. */
export let backend: Backend;
export let kernels: Kernels;

/** @internal Makes `next` the backend every op runs on. */
export function useBackend(next: Backend): void {
  backend = next;
  kernels = next.kernels;
}
