// Entry of the WebAssembly kernels (AssemblyScript). Exported functions take byte pointers
// into the module's own memory; src/kernels/wasm/ moves tensors in and out.
export { gemmF32, gemmF64, gemmWorkBytes } from "./gemm";
export { negF32, expF32, tanhF32, sigmoidF32, reluF32, sqrtF32 } from "./elementwise";
export { addF32, subF32, mulF32, divF32, addScaledF32, tanhGradF32, sigmoidGradF32 } from "./elementwise";
export { addcmulF32, addcdivF32, whereF32 } from "./elementwise";
export { sumRowsF32, sumColumnsF32 } from "./reduce";
export { gemvF32, gemvFitsF32 } from "./gemv";
export { lstmForwardF32, lstmBackwardF32, gruForwardF32, gruBackwardF32 } from "./cells";
export { softmaxRowsF32, softmaxBackwardRowsF32 } from "./softmax";
