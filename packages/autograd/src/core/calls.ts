import type { AnyRule } from "./op";
import { Tensor } from "./tensor";

/** One op a forward ran: its name (a primitive's, or an untaped kernel's), its arguments as passed, and its outputs. */
export interface OpCall {
  /** The op's name. */
  readonly op: string;
  /** Its arguments as passed. */
  readonly args: readonly unknown[];
  /** Its outputs. */
  readonly outputs: readonly Tensor[];
}

const tables: Record<string, AnyRule>[] = [];
let listener: ((call: OpCall) => void) | null = null;

/** Makes a family's rule table visible to recordCalls. */
export function registerRules<T extends Record<string, AnyRule>>(table: T): T {
  tables.push(table);
  return table;
}

/** Reports an op that runs without a rule (a comparison, an integer kernel) to recordCalls. */
export function noteCall(op: string, args: readonly unknown[], output: Tensor): void {
  listener?.({ op, args, outputs: [output] });
}

/**
 * Runs fn and calls onCall after every primitive op and untaped elementwise kernel it runs,
 * including ops on tensors that do not require grad and ops nested in other ops. An output that
 * is one of the op's inputs is reported as (and becomes) an alias of it, so every output is a
 * tensor of its own. Tracers (exportOnnx) build on this; calls do not nest.
 */
export function recordCalls<T>(fn: () => T, onCall: (call: OpCall) => void): T {
  if (listener) throw new Error("recordCalls: already recording (calls do not nest)");
  const restore: [AnyRule, AnyRule["forward"]][] = [];
  for (const table of tables) {
    for (const [op, r] of Object.entries(table)) {
      const forward = r.forward;
      restore.push([r, forward]);
      r.forward = (...args: unknown[]) => {
        const [out, saved] = forward.apply(r, args) as [Tensor | Tensor[], unknown];
        const inputs = new Set(args.flatMap((a) => (a instanceof Tensor ? [a] : Array.isArray(a) ? a.filter((t) => t instanceof Tensor) : [])));
        const own = (t: Tensor) => (inputs.has(t) ? t.alias() : t);
        const result = Array.isArray(out) ? out.map(own) : own(out);
        listener?.({ op, args, outputs: Array.isArray(result) ? result : [result] });
        return [result, saved];
      };
    }
  }
  listener = onCall;
  try {
    return fn();
  } finally {
    listener = null;
    for (const [r, forward] of restore) r.forward = forward;
  }
}
