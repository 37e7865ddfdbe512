// Entry of the matmul module for worker threads (AssemblyScript): the same gemm and gemv, built against an
// imported shared memory so every thread instantiates it over the same operands.
export { gemmF32, gemmF64, gemmWorkBytes } from "./gemm";
// a batch-1 product whose weight already lives in the shared memory runs on the calling thread without a copy
export { gemvF32, gemvFitsF32 } from "./gemv";
