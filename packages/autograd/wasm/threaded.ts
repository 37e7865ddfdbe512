// Entry of the matmul module for worker threads (AssemblyScript): the same gemm, built against an
// imported shared memory so every thread instantiates it over the same operands.
export { gemmF32, gemmF64, gemmWorkBytes } from "./gemm";
