import type { TypedArray } from "../../core/dtype";
import { forEachIndex, type StridedView } from "./strided";

/**
 * C = A · B for A (..., M, K) and B (..., K, N) with equal batch dims (broadcast dims carry
 * stride 0); C is contiguous (..., M, N). Operands are read through their strides: a transposed
 * B (unit stride along K) takes a dot-product loop, a row-major B an i-k-j loop; anything else
 * is packed once. With `accumulate`, C += A · B instead; with `init` (a 2-D product only, a view
 * of C's shape such as a broadcast bias), C = init + A · B.
 */
export function matmul(a: StridedView, b: StridedView, c: TypedArray, accumulate = false, init?: StridedView): void {
  if (init) {
    const [M, N] = [a.shape[0]!, b.shape[1]!];
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c[i * N + j] = init.buf[init.offset + i * init.strides[0]! + j * init.strides[1]!]!;
    accumulate = true;
  }
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const aRow = a.strides[nd - 2]!, aCol = a.strides[nd - 1]!, bRow = b.strides[nd - 2]!, bCol = b.strides[nd - 1]!;
  forEachIndex(a.shape.slice(0, nd - 2), [a.strides.slice(0, nd - 2), b.strides.slice(0, nd - 2)], [a.offset, b.offset], (p, q) => {
    gemm(M, N, K, a.buf, p[0]!, aRow, aCol, b.buf, p[1]!, bRow, bCol, c, q * M * N, accumulate);
  });
}

/** C (+)= Σ aᵢ·bᵢ for 2-D aᵢ (M×kᵢ) and bᵢ (kᵢ×N): the weight gradient summed over the steps of a sequence. */
export function matmulSum(pairs: readonly (readonly [StridedView, StridedView])[], c: TypedArray, accumulate = false): void {
  pairs.forEach(([a, b], i) => matmul(a, b, c, accumulate || i > 0));
}

/**
 * A sum of products Σ aᵢ·bᵢ built up term by term (kernels.productSum), which an implementation
 * may start computing before the last term arrives. finish() writes (or with `accumulate` adds)
 * the sum into c, a contiguous M×N array of the terms' dtype.
 */
export interface ProductAccumulator {
  add(a: StridedView, b: StridedView): void;
  finish(c: TypedArray, accumulate: boolean): void;
}

export function gemm(
  M: number, N: number, K: number,
  A: TypedArray, aOff: number, aRow: number, aCol: number,
  B: TypedArray, bOff: number, bRow: number, bCol: number,
  C: TypedArray, cOff: number, accumulate = false,
): void {
  if (!accumulate) C.fill(0, cOff, cOff + M * N);
  if (M === 0 || N === 0 || K === 0) return;
  if (bRow === 1 && aCol === 1 && N > 1) {
    gemmDot(M, N, K, A, aOff, aRow, B, bOff, bCol, C, cOff);
    return;
  }
  if (bCol !== 1 && N > 1) {
    const packed = new (C.constructor as Float64ArrayConstructor)(K * N);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) packed[k * N + j] = B[bOff + k * bRow + j * bCol]!;
    B = packed;
    bOff = 0;
    bRow = N;
    bCol = 1;
  }
  for (let i = 0; i < M; i++) {
    const cRow = cOff + i * N;
    const aRowStart = aOff + i * aRow;
    for (let k = 0; k < K; k++) {
      const av = A[aRowStart + k * aCol]!;
      const bRowStart = bOff + k * bRow;
      for (let j = 0; j < N; j++) C[cRow + j] += av * B[bRowStart + j]!;
    }
  }
}

/** C[i, j] = sum_k A[i, k] B[k, j] with both operands contiguous along k. */
function gemmDot(
  M: number, N: number, K: number,
  A: TypedArray, aOff: number, aRow: number,
  B: TypedArray, bOff: number, bCol: number,
  C: TypedArray, cOff: number,
): void {
  const K4 = K - (K % 4);
  for (let i = 0; i < M; i++) {
    const ai = aOff + i * aRow;
    for (let j = 0; j < N; j++) {
      const bj = bOff + j * bCol;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k < K4; k += 4) {
        s0 += A[ai + k]! * B[bj + k]!;
        s1 += A[ai + k + 1]! * B[bj + k + 1]!;
        s2 += A[ai + k + 2]! * B[bj + k + 2]!;
        s3 += A[ai + k + 3]! * B[bj + k + 3]!;
      }
      for (; k < K; k++) s0 += A[ai + k]! * B[bj + k]!;
      C[cOff + i * N + j] += s0 + s1 + s2 + s3;
    }
  }
}
