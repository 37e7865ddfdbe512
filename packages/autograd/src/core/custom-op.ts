import { customOp as recordCustomOp, type OpContext, type OpDefinition } from "./op";
import { Tensor } from "./tensor";
import { show } from "./validate";

/** What a user's forward returned, as an error message shows it. */
function describeOutput(out: unknown): string {
  return out instanceof Tensor ? `a ${out.dtype} tensor` : show(out);
}

/** A forward must return a Tensor, or a non-empty array of Tensors (one per output). */
function checkForwardResult(name: string, out: unknown): void {
  if (out instanceof Tensor) return;
  if (Array.isArray(out) && out.length > 0 && out.every((t) => t instanceof Tensor)) return;
  const bad = Array.isArray(out) ? out.findIndex((t) => !(t instanceof Tensor)) : -1;
  const what = bad >= 0 ? `${show(out)}, whose output ${bad} is ${describeOutput((out as unknown[])[bad])}` : show(out);
  throw new Error(`forward of '${name}' returned ${what}; expected a Tensor or a non-empty array of Tensors (one per output)`);
}

/**
 * Declares an op of one's own with its forward and backward; the returned function records it on
 * the tape. What forward returns is checked (a Tensor or an array of them), and so is each
 * gradient backward returns (one per tensor input, of its shape and dtype, or null).
 */
export function customOp<Args extends unknown[], Out extends Tensor | Tensor[]>(def: OpDefinition<Args, Out>): (...args: Args) => Out {
  if (def === null || typeof def !== "object") throw new Error(`customOp: expected { name, forward, backward }, got ${show(def)}`);
  if (typeof def.name !== "string" || def.name === "") throw new Error(`customOp: name must be a non-empty string, got ${show(def.name)}`);
  for (const fn of ["forward", "backward"] as const) {
    if (typeof def[fn] !== "function") throw new Error(`customOp '${def.name}': ${fn} must be a function, got ${show(def[fn])}`);
  }
  return recordCustomOp<Args, Out>({
    name: def.name,
    materializeGrads: def.materializeGrads,
    forward(ctx: OpContext, ...args: Args): Out {
      const out = def.forward(ctx, ...args);
      checkForwardResult(def.name, out);
      return out;
    },
    backward: (ctx, ...grads) => def.backward(ctx, ...grads),
  });
}
