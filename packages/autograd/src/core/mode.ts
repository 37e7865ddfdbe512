/** Global switches: whether ops record on the tape, and whether NaN/Inf checks run. */
export const mode = { grad: true, anomaly: false };

/** Whether ops are being recorded for backward (false inside {@link noGrad}). */
export function isGradEnabled(): boolean {
  return mode.grad;
}

function withMode<T>(key: "grad" | "anomaly", value: boolean, fn: () => T): T {
  const previous = mode[key];
  mode[key] = value;
  try {
    return fn();
  } finally {
    mode[key] = previous;
  }
}

/** Runs fn without recording anything on the tape (like torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  return withMode("grad", false, fn);
}

/** Runs fn with recording switched back on, inside a noGrad block. */
export function enableGrad<T>(fn: () => T): T {
  return withMode("grad", true, fn);
}

/**
 * Runs fn with anomaly detection: the first op whose forward or backward produces NaN or Inf
 * throws an error that names it.
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withMode("anomaly", true, fn);
}
