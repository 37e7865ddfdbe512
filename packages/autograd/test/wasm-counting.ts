import type { Tensor } from "../src/index";
import type { ElementwiseOp } from "../src/backend/backend";
import { wasmElementwise } from "../src/backend/wasm/elementwise";
import { Arena, instantiate, type WasmExports } from "../src/backend/wasm/instance";

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

export type OperandLayout = "contiguous" | "chunk rows" | "bias row" | "per row" | "scalar" | "transposed";

/** An operand that broadcasts to [r, c], its values drawn by `make(shape)`, stored in the given layout. */
export function laidOut(r: number, c: number, layout: OperandLayout, make: (shape: number[]) => Tensor): Tensor {
  switch (layout) {
    case "contiguous":
      return make([r, c]);
    case "chunk rows": // the rows of one gate of a [r, 4c] buffer
      return make([r, 4 * c]).chunk(4, 1)[1]!;
    case "bias row":
      return make([c]);
    case "per row": // e.g. a row's log-sum-exp against the logits, strides [1, 0]
      return make([r, 1]);
    case "scalar":
      return make([]);
    case "transposed":
      return make([c, r]).T;
  }
}
