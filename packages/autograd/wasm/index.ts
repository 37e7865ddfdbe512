// Entry of the WebAssembly kernels (AssemblyScript). Exported functions take byte pointers
// into the module's own memory; src/kernels/wasm/ moves tensors in and out.
export { gemmF32, gemmF64, gemmWorkBytes } from "./gemm";
export { unaryF32, binaryF32, ternaryF32 } from "./elementwise";
export { sumRowsF32, sumColumnsF32 } from "./reduce";
export { gemvF32, gemvFitsF32 } from "./gemv";
