import { defaultGenerator, type Generator } from "./random";
import { fmt } from "./shape";
import { Tensor } from "./tensor";

/**
 * numSamples category indices per row of probs (1-d or 2-d, non-negative weights that need not
 * sum to 1), drawn through the generator; without replacement each category is drawn at most
 * once. int32, shape (numSamples) or (rows, numSamples).
 */
export function multinomial(probs: Tensor, numSamples: number, opts: { replacement?: boolean; generator?: Generator } = {}): Tensor {
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error(`multinomial: probs must be 1-d or 2-d, got shape ${fmt(probs.shape)}`);
  if (probs.dtype === "int32") throw new Error(`multinomial: probs must be a float tensor, got int32 (shape ${fmt(probs.shape)})`);
  const replacement = opts.replacement ?? false;
  const g = opts.generator ?? defaultGenerator;
  const n = probs.shape[probs.ndim - 1]!;
  const rows = probs.ndim === 1 ? 1 : probs.shape[0]!;
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new Error(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  const data = probs.data();
  const out = new Int32Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const w = Array.from(data.subarray(r * n, (r + 1) * n));
    if (w.some((p) => !(p >= 0) || p === Infinity)) throw new Error(`multinomial: probabilities must be finite and non-negative, got ${fmt(w)} in row ${r}`);
    const positive = w.filter((p) => p > 0).length;
    if (positive === 0) throw new Error(`multinomial: row ${r} of probs sums to 0`);
    if (!replacement && numSamples > positive) throw new Error(`multinomial: cannot draw ${numSamples} samples without replacement from row ${r}, which has ${positive} non-zero probabilities`);
    for (let s = 0; s < numSamples; s++) {
      const total = w.reduce((a, b) => a + b, 0);
      let u = g.random() * total;
      let k = 0;
      while (k < n - 1 && (w[k] === 0 || u >= w[k]!)) u -= w[k++]!;
      while (w[k] === 0) k--; // rounding carried u past the last positive weight
      out[r * numSamples + s] = k;
      if (!replacement) w[k] = 0;
    }
  }
  return new Tensor(out, probs.ndim === 1 ? [numSamples] : [rows, numSamples]);
}

/** 1 with probability p, else 0, for each element of p (in [0, 1]); the result has p's shape and dtype. */
export function bernoulli(p: Tensor, opts: { generator?: Generator } = {}): Tensor {
  if (p.dtype === "int32") throw new Error(`bernoulli: probabilities must be a float tensor, got int32 (shape ${fmt(p.shape)})`);
  const g = opts.generator ?? defaultGenerator;
  const data = p.data();
  const out = Tensor.zeros(p.shape, p.dtype);
  for (let i = 0; i < data.length; i++) {
    if (!(data[i]! >= 0 && data[i]! <= 1)) throw new Error(`bernoulli: probabilities must lie in [0, 1], got ${data[i]} at element ${i} (shape ${fmt(p.shape)})`);
    out.buf[i] = g.random() < data[i]! ? 1 : 0;
  }
  return out;
}
