import type { Runnable } from "../harness";
import type { Impl, NodeImpl } from "../impls";
import { W8_TOKENS, w1, w2, w3, w4, w5, w7, w8 } from "./tapegrad-rnn";
import { tfW1, tfW2, tfW3, tfW4, tfW5, tfW8 } from "./tfjs-rnn";
import { gflops, w6 } from "./w6-matmul";

export interface Workload {
  /** Row id, e.g. "W6 n=512"; `group` is the BENCH.md id ("W6"). */
  id: string;
  group: string;
  impls: readonly Impl[];
  /** Builds the step for an implementation that runs in Node (torch: bench/torch/workloads.py). */
  setup(impl: NodeImpl): Promise<Runnable>;
  /** A throughput figure derived from the median step time. */
  throughput?: { unit: string; of(ms: number): number };
}

const ALL: Impl[] = ["tapegrad", "torch", "tfjs-wasm", "tfjs-cpu"];
const W8_RATE: Workload["throughput"] = { unit: "tok/s", of: (ms) => (W8_TOKENS * 1000) / ms };

function recurrent(group: string, what: string, tapegrad: () => Runnable, tfjs: ((impl: NodeImpl) => Promise<Runnable>) | null, throughput?: Workload["throughput"]): Workload {
  return {
    id: `${group} ${what}`,
    group,
    impls: tfjs ? ALL : ["tapegrad"],
    setup: async (impl) => (impl === "tapegrad" ? tapegrad() : tfjs!(impl)),
    ...(throughput ? { throughput } : {}),
  };
}

export const WORKLOADS: Workload[] = [
  recurrent("W1", "LSTM train", w1, tfW1, { unit: "seq/s", of: (ms) => (32 * 1000) / ms }),
  recurrent("W2", "biGRU x2 train", w2, tfW2),
  recurrent("W3", "char-LM train", w3, tfW3, { unit: "tok/s", of: (ms) => (32 * 64 * 1000) / ms }),
  recurrent("W4", "tiny RNN train", w4, tfW4),
  recurrent("W5", "LSTM infer", () => w5(), tfW5),
  ...[128, 256, 512, 1024].map((n): Workload => ({
    id: `W6 n=${n}`,
    group: "W6",
    impls: ALL,
    setup: (impl) => w6(impl, n),
    throughput: { unit: "GFLOP/s", of: (ms) => gflops(n, ms) },
  })),
  recurrent("W7", "user LSTM cell", () => w7(), null),
  recurrent("W8", "greedy generation", () => w8(), (impl) => tfW8(impl, W8_TOKENS), W8_RATE),
  recurrent("W5", "user LSTM cell", () => w5(true), null),
  recurrent("W8", "user LSTM cell", () => w8(true), null, W8_RATE),
  recurrent("W7", "user cell, plain ops", () => w7(true), null),
];
