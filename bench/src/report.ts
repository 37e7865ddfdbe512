import type { Impl } from "./impls";

export interface Result {
  medianMs: number;
  steps: number;
  peakRssMB: number;
  /** The run was stopped at the time limit: medianMs is only a lower bound. */
  overLimit?: boolean;
  /** The peer cannot run on this machine (torch: no python3 or no torch); shown as n/a. */
  unavailable?: boolean;
  /** With --rounds: each run's median; medianMs is the median of these. */
  rounds?: number[];
}

export interface Row {
  id: string;
  group: string;
  results: Partial<Record<Impl, Result | undefined>>;
  throughput?: { unit: string; tapegrad: number };
  peerThroughput?: Partial<Record<Impl, number>>;
}

const ms = (r: Result | undefined) => (!r ? "—" : r.unavailable ? "n/a" : r.overLimit ? `> ${(r.medianMs / 1000).toFixed(0)} s` : r.medianMs < 10 ? r.medianMs.toFixed(2) : r.medianMs.toFixed(1));
/** Peer time over tapegrad time: how many times faster tapegrad is (> 1 is faster). */
const speedup = (tg: Result | undefined, peer: Result | undefined) => (peer?.unavailable ? "n/a" : tg && peer ? `${peer.overLimit ? "> " : ""}${(peer.medianMs / tg.medianMs).toFixed(2)}x` : "—");

const HEADER = ["workload", "tapegrad ms", "torch ms", "tfjs-wasm ms", "tfjs-cpu ms", "vs torch", "vs wasm", "vs cpu", "throughput (tg / wasm)", "tg peak RSS MB"];

export function printTable(rows: readonly Row[], header: boolean): void {
  for (const l of tableLines(rows, header)) console.log(l);
}

/** The rows as Markdown table lines (with the header row first when asked). */
export function tableLines(rows: readonly Row[], header: boolean): string[] {
  const lines: string[][] = header ? [HEADER, HEADER.map((h) => "-".repeat(h.length))] : [];
  for (const row of rows) {
    const tg = row.results.tapegrad;
    const wasm = row.results["tfjs-wasm"];
    const tp = row.throughput && !tg?.overLimit
      ? `${row.throughput.tapegrad.toFixed(1)} / ${row.peerThroughput?.["tfjs-wasm"]?.toFixed(1) ?? "—"} ${row.throughput.unit}`
      : "";
    const torch = row.results.torch;
    const cpu = row.results["tfjs-cpu"];
    lines.push([row.id, ms(tg), ms(torch), ms(wasm), ms(cpu), speedup(tg, torch), speedup(tg, wasm), speedup(tg, cpu), tp, tg ? tg.peakRssMB.toFixed(0) : "—"]);
  }
  return lines.map((l) => `| ${l.join(" | ")} |`);
}
