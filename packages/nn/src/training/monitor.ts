import type { Logs } from "./types";

export type MonitorMode = "min" | "max" | "auto";

/** "auto" as Keras: "max" for a monitor whose name contains "acc" (accuracy), else "min". */
export function resolveMode(fn: string, monitor: string, mode: unknown): "min" | "max" {
  if (mode === undefined || mode === "auto") return monitor.includes("acc") ? "max" : "min";
  if (mode !== "min" && mode !== "max") throw new Error(`${fn}: mode must be "min", "max" or "auto", got ${JSON.stringify(mode)}`);
  return mode;
}

export function monitorOption(fn: string, monitor: unknown, fallback: string): string {
  if (monitor === undefined) return fallback;
  if (typeof monitor !== "string" || monitor === "") throw new Error(`${fn}: monitor must be the name of a logged value ("val_loss", "accuracy", ...), got ${JSON.stringify(monitor)}`);
  return monitor;
}

/** The monitored value of an epoch's logs; throws naming the values there are. */
export function monitored(fn: string, monitor: string, logs: Logs): number {
  const value = logs[monitor];
  if (value === undefined) {
    const hint = monitor.startsWith("val_") ? "; give fit validationData or validationSplit" : "";
    throw new Error(`${fn}: monitor "${monitor}" is not among the logged values (${Object.keys(logs).join(", ")})${hint}`);
  }
  return value;
}

/** Whether current beats best by more than minDelta in the mode's direction. */
export function improves(mode: "min" | "max", current: number, best: number, minDelta = 0): boolean {
  return mode === "min" ? current + minDelta < best : current - minDelta > best;
}
