import type { TypedArray } from "../../core/dtype";
import type { StridedView } from "../js/strided";
import type { Arena, ProductExports } from "./instance";
import { copyIn, forEachBatch, startC } from "./operands";
import { GEMV_MAX_ROWS } from "../tuning";

/**
 * C (+)= A·B (float32 or float64, C contiguous (..., M, N)) on the calling thread, in `arena`'s
 * memory: operands already there are read in place, the rest copied in. With `init` (2-D),
 * C = init + A·B.
 */
export function productHere(arena: Arena<ProductExports>, a: StridedView, b: StridedView, c: TypedArray, accumulate: boolean, init?: StridedView): void {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const float32 = c instanceof Float32Array;
  const bytes = float32 ? 4 : 8;
  arena.reset();
  const A = copyIn(arena, a, bytes);
  const B = copyIn(arena, b, bytes);
  const out = arena.take(c.length * bytes);
  const Typed = c.constructor as Float32ArrayConstructor;
  const exports = arena.exports;
  // one or two rows of A (a batch-1 recurrent step): products straight from B's layout, no panels
  const few = float32 && M <= GEMV_MAX_ROWS && exports.gemvFitsF32(B.strides[nd - 2]!, B.strides[nd - 1]!);
  const start = startC(arena, out, c, accumulate, init, M, N, !few);
  accumulate = start.accumulate;
  const work = arena.take(arena.exports.gemmWorkBytes(bytes));
  const gemm = float32 ? exports.gemmF32 : exports.gemmF64;
  const aRow = A.strides[nd - 2]!, aCol = A.strides[nd - 1]!, bRow = B.strides[nd - 2]!, bCol = B.strides[nd - 1]!;
  forEachBatch(a.shape.slice(0, nd - 2), A, B, bytes, (q, pa, pb) => {
    const pc = out + q * M * N * bytes;
    if (few) exports.gemvF32(M, N, K, pa, aRow, aCol, pb, bRow, bCol, pc, accumulate ? 1 : 0, work);
    else gemm(M, N, K, pa, aRow, aCol, pb, bRow, bCol, pc, N, accumulate ? 1 : 0, work, start.bias);
  });
  (c as Float32Array).set(new Typed(arena.buffer, out, c.length));
}
