import type { Tensor } from "../src/index";
import type { ElementwiseOp } from "../src/kernels";
import { wasmElementwise } from "../src/kernels/wasm/elementwise";
import { Arena, instantiate, type WasmExports } from "../src/kernels/wasm/instance";

/** wasm elementwise over an arena of its own whose exports count the calls of each kernel (mulF32, tanhF32, ...). */
export function counting(): { run: (op: ElementwiseOp, out: Tensor, inputs: Tensor[], s0?: number) => void; calls: Record<string, number> } {
  const exports = instantiate()!.exports;
  const calls: Record<string, number> = {};
  const counted = { ...exports, memory: exports.memory } as Record<string, unknown>;
  for (const [name, f] of Object.entries(exports)) {
    if (typeof f === "function") counted[name] = (...a: unknown[]) => ((calls[name] = (calls[name] ?? 0) + 1), (f as (...b: unknown[]) => unknown)(...a));
  }
  const arena = new Arena(counted as unknown as WasmExports);
  return { run: (op, out, inputs, s0) => wasmElementwise(arena, op, out, inputs.map((t) => t.broadcastView(out.shape)), s0), calls };
}
