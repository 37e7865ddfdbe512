import { describeValue, isTensor, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../../format";

export type Lengths = number[] | Tensor;

/** (T, N, C) log-probabilities, or (T, C) for one unbatched sequence, read as contiguous data. */
export interface LogProbs {
  data: ArrayLike<number>;
  T: number;
  N: number;
  C: number;
  batched: boolean;
}

/** The log-probabilities as data; a decoder (`rejectNaN`) refuses NaN, which has no best class. */
export function readLogProbs(op: string, logProbs: Tensor, rejectNaN = false): LogProbs {
  if (!isTensor(logProbs)) throw new Error(`${op}: logProbs must be a Tensor, got ${describeValue(logProbs)}`);
  if (logProbs.dtype !== "float32" && logProbs.dtype !== "float64") {
    throw new Error(`${op}: logProbs must be a float32 or float64 tensor, got ${logProbs.dtype} (shape ${fmt(logProbs.shape)})`);
  }
  if (logProbs.ndim !== 2 && logProbs.ndim !== 3) {
    throw new Error(`${op}: logProbs must have shape (T, N, C) or (T, C) for one unbatched sequence, got ${fmt(logProbs.shape)}`);
  }
  const batched = logProbs.ndim === 3;
  const [T, N, C] = batched ? logProbs.shape : [logProbs.shape[0]!, 1, logProbs.shape[1]!];
  if (C === 0) throw new Error(`${op}: logProbs ${fmt(logProbs.shape)} has no classes`);
  const data = logProbs.data();
  if (rejectNaN) {
    const i = data.findIndex(Number.isNaN);
    if (i >= 0) throw new Error(`${op}: logProbs ${fmt(logProbs.shape)} holds NaN (at flat index ${i}); NaN has no best class`);
  }
  return { data, T: T!, N: N!, C: C!, batched };
}

/** One non-negative integer per batch item, each at most max; a 0-d or 1-element input for an unbatched sequence. */
export function readLengths(op: string, name: string, lengths: Lengths, N: number, max: number, maxName: string): Int32Array {
  let values: ArrayLike<number>;
  if (Array.isArray(lengths)) values = lengths;
  else {
    if (!isTensor(lengths)) throw new Error(`${op}: ${name} must be a number[] or a 1-d int32 tensor, got ${describeValue(lengths)}`);
    if (lengths.dtype !== "int32" || lengths.ndim > 1) {
      throw new Error(`${op}: ${name} must be a number[] or a 1-d int32 tensor, got ${lengths.dtype} of shape ${fmt(lengths.shape)}`);
    }
    values = lengths.data();
  }
  if (values.length !== N) throw new Error(`${op}: ${name} must have one entry per batch item (${N}), got ${values.length}`);
  const out = new Int32Array(N);
  for (let b = 0; b < N; b++) {
    const v = values[b]!;
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new Error(`${op}: ${name}[${b}] must be an integer in [0, ${max}] (${maxName}), got ${describeValue(v)}`);
    }
    out[b] = v;
  }
  return out;
}

export function checkBlank(op: string, blank: number, C: number): void {
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new Error(`${op}: blank must be a class index in [0, ${C - 1}], got ${describeValue(blank)}`);
}
