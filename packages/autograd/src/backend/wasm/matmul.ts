import type { TypedArray } from "../../core/dtype";
import { matmul as jsMatmul, matmulSum as jsMatmulSum } from "../js/matmul";
import type { StridedView } from "../js/strided";
import type { Arena } from "./instance";
import { placeConcatenated } from "./operands";
import { productHere } from "./product";
import { numel } from "../../core/shape";
import { MatmulPool } from "./pool";
import { BackgroundProductSum } from "./product-sum";
import { isResident } from "./resident";
import { BACKGROUND_SUM_MIN_ELEMENTS, GEMV_MAX_ROWS, THREADED_MIN_WORK, WASM_MATMUL_MIN_WORK } from "../tuning";


let pool: MatmulPool | null | undefined;
/** The worker-thread pool (null where threads are unavailable), created on first use. */
export function threadPool(): MatmulPool | null {
  if (pool === undefined) pool = MatmulPool.create();
  return pool;
}

/** A sum of products computed by a worker thread while its terms arrive, or null (see BackgroundProductSum). */
export function backgroundProductSum(M: number, N: number, dtype: "float32" | "float64"): BackgroundProductSum | null {
  if (M * N < BACKGROUND_SUM_MIN_ELEMENTS) return null;
  const pool = threadPool();
  return pool?.backgroundAvailable ? BackgroundProductSum.create(pool, M, N, dtype === "float64") : null;
}

/**
 * The WebAssembly SIMD matmul; same contract as kernels/matmul.ts (C contiguous (..., M, N)).
 * Large products also run on worker threads when `threaded` and threads are available. With
 * `accumulate`, C += A·B; with `init` (2-D), C = init + A·B.
 */
export function wasmMatmul(arena: Arena, a: StridedView, b: StridedView, c: TypedArray, threaded: boolean, accumulate = false, init?: StridedView): void {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const float32 = c instanceof Float32Array;
  if ((!float32 && !(c instanceof Float64Array)) || M * N * K < WASM_MATMUL_MIN_WORK || M === 0 || N === 0 || K === 0) {
    jsMatmul(a, b, c, accumulate, init);
    return;
  }
  // a batch-1 step against a parameter in the shared memory: gemv there, the weight not copied
  if (threaded && float32 && nd === 2 && M <= GEMV_MAX_ROWS && (isResident(a.buf) || isResident(b.buf)) && threadPool()?.gemv(a, b, c as Float32Array, accumulate, init)) return;
  const batches = numel(a.shape.slice(0, nd - 2));
  if (threaded && M * N * K * batches >= THREADED_MIN_WORK && threadPool()?.matmul(a, b, c as Float32Array, accumulate, init)) return;
  productHere(arena, a, b, c, accumulate, init);
}

/** C (+)= Σ aᵢ·bᵢ (same contract as kernels/matmul.ts matmulSum) as one product over the concatenated inner dim. */
export function wasmMatmulSum(arena: Arena, pairs: readonly (readonly [StridedView, StridedView])[], c: TypedArray, threaded: boolean, accumulate = false): void {
  const M = pairs[0]![0].shape[0]!, N = pairs[0]![1].shape[1]!;
  let K = 0;
  for (const [a] of pairs) K += a.shape[1]!;
  const float32 = c instanceof Float32Array;
  if ((!float32 && !(c instanceof Float64Array)) || M * N * K < WASM_MATMUL_MIN_WORK || M === 0 || N === 0 || K === 0) {
    jsMatmulSum(pairs, c, accumulate);
    return;
  }
  if (threaded && M * N * K >= THREADED_MIN_WORK && threadPool()?.matmulSum(pairs, c as Float32Array, accumulate)) return;
  const bytes = float32 ? 4 : 8;
  arena.reset();
  const [A, B] = placeConcatenated(arena, pairs, M, N, K, bytes);
  const out = arena.take(c.length * bytes);
  const Typed = c.constructor as Float32ArrayConstructor;
  if (accumulate) new Typed(arena.buffer, out, c.length).set(c as Float32Array);
  const work = arena.take(arena.exports.gemmWorkBytes(bytes));
  const gemm = float32 ? arena.exports.gemmF32 : arena.exports.gemmF64;
  gemm(M, N, K, A.base, A.strides[0]!, A.strides[1]!, B.base, B.strides[0]!, B.strides[1]!, out, N, accumulate ? 1 : 0, work, 0);
  (c as Float32Array).set(new Typed(arena.buffer, out, c.length));
}
