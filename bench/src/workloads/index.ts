import type { Runnable } from "../harness";
import type { Impl } from "../impls";
import { gflops, w6 } from "./w6-matmul";

export interface Workload {
  /** Row id, e.g. "W6 n=512"; `group` is the BENCH.md id ("W6"). */
  id: string;
  group: string;
  impls: readonly Impl[];
  setup(impl: Impl): Promise<Runnable>;
  /** A throughput figure derived from the median step time. */
  throughput?: { unit: string; of(ms: number): number };
}

const ALL: Impl[] = ["tapegrad", "tfjs-wasm", "tfjs-cpu"];

export const WORKLOADS: Workload[] = [
  ...[128, 256, 512, 1024].map((n): Workload => ({
    id: `W6 n=${n}`,
    group: "W6",
    impls: ALL,
    setup: (impl) => w6(impl, n),
    throughput: { unit: "GFLOP/s", of: (ms) => gflops(n, ms) },
  })),
];
