import type { Tensor } from "./tensor";

/** One op a forward ran: its name (a primitive's, or an untaped kernel's), its arguments as passed, and its outputs. */
export interface OpCall {
  /** The op's name. */
  readonly op: string;
  /** Its arguments as passed. */
  readonly args: readonly unknown[];
  /** Its outputs. */
  readonly outputs: readonly Tensor[];
}

/** What recordCalls listens with, or null: primitive() and the untaped elementwise kernels report to it. */
export const calls: { listener: ((call: OpCall) => void) | null } = { listener: null };

/**
 * Runs fn and calls onCall after every primitive op and untaped elementwise kernel it runs,
 * including ops on tensors that do not require grad and ops nested in other ops. An output that
 * is one of the op's inputs is reported as (and becomes) an alias of it, so every output is a
 * tensor of its own. Tracers (exportOnnx) build on this; calls do not nest.
 */
export function recordCalls<T>(fn: () => T, onCall: (call: OpCall) => void): T {
  if (calls.listener) throw new Error("recordCalls: already recording (calls do not nest)");
  calls.listener = onCall;
  try {
    return fn();
  } finally {
    calls.listener = null;
  }
}
