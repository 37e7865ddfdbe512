// PyTorch as a peer: bench/torch/workloads.py, run by Debian's python3 with its python3-torch
// (TAPEGRAD_BENCH_PYTHON names another interpreter).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const python = process.env.TAPEGRAD_BENCH_PYTHON ?? "/usr/bin/python3";
const script = fileURLToPath(new URL("../torch/workloads.py", import.meta.url));

export interface TorchInfo {
  version: string;
  python: string;
  /** The BLAS library torch's matmul calls (OpenBLAS, or Debian's slow reference BLAS). */
  blas: string;
  threads: number;
}

/** torch's version, BLAS and thread count, or why it cannot run here (no python3, no torch). */
export function torchInfo(threads: number): TorchInfo | { unavailable: string } {
  const child = spawnSync(python, [script, "--info", "--threads", String(threads)], { encoding: "utf8", timeout: 60_000 });
  const line = child.stdout?.split("\n").find((l) => l.startsWith("INFO "));
  if (line) return JSON.parse(line.slice(5)) as TorchInfo;
  const reason = child.error?.message ?? child.stderr.trim().split("\n").at(-1);
  return { unavailable: `${python}: ${reason || `exit code ${child.status}`}` };
}

/** The arguments to `python` that time one workload (a bench row id such as "W6 n=512"). */
export const torchArgs = (id: string, quick: boolean, threads: number) => [script, id, "--threads", String(threads), ...(quick ? ["--quick"] : [])];
