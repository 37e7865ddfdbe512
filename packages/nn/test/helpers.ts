import { expect } from "vitest";
import { Generator, randn, type Tensor } from "@tapegrad/autograd";
import { GRU, LSTM, RNN, type Recurrent, type RNNOptions } from "@tapegrad/nn";

export type Kind = "RNN" | "LSTM" | "GRU";
export const KINDS: Kind[] = ["RNN", "LSTM", "GRU"];

/** A float64 recurrent layer of the given kind with weights drawn from a seeded generator. */
export function makeLayer(kind: Kind, opts: Omit<RNNOptions, "dtype" | "generator">, seed = 1): Recurrent {
  const o = { ...opts, dtype: "float64" as const, generator: new Generator(seed) };
  return kind === "RNN" ? new RNN(o) : kind === "LSTM" ? new LSTM(o) : new GRU(o);
}

export function randn64(shape: number[], seed: number, requiresGrad = false): Tensor {
  return randn(shape, { dtype: "float64", generator: new Generator(seed), requiresGrad });
}

/** The state tensors of a layer kind: h, or [h, c]. */
export function stateTensors(state: Tensor | readonly unknown[]): Tensor[] {
  return (Array.isArray(state) ? state : [state]) as Tensor[];
}

export function expectAllClose(actual: Tensor, expected: Tensor, tol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.data();
  const e = expected.data();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / (1 + Math.abs(e[i]!)));
  expect(worst).toBeLessThanOrEqual(tol);
}
