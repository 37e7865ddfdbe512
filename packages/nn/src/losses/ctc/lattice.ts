/**
 * The CTC alignment lattice of one sequence, in log space and float64: forward variables
 * log α, backward variables log β and the gradient, each one pass over steps × (2L + 1) cells.
 * Lattice position s is the blank for even s and label (s - 1) / 2 for odd s.
 */
export interface Sequence {
  /** log-probabilities: step t, class c at lp[t * stride + offset + c]. */
  lp: ArrayLike<number>;
  stride: number;
  offset: number;
  steps: number;
  labels: ArrayLike<number>;
  blank: number;
}

export function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

const labelAt = (q: Sequence, s: number): number => (s % 2 === 1 ? q.labels[(s - 1) >> 1]! : q.blank);

/** Whether a path may jump from position s - 2 to s: s is a label that differs from the previous one. */
const canSkip = (q: Sequence, s: number): boolean => s % 2 === 1 && s >= 3 && q.labels[(s - 1) >> 1] !== q.labels[(s - 3) >> 1];

const logProb = (q: Sequence, t: number, s: number): number => q.lp[t * q.stride + q.offset + labelAt(q, s)]!;

/** log α[t][s]: log-probability of the paths of steps 0..t that end at position s (row-major, steps × S). */
export function logAlpha(q: Sequence): Float64Array {
  const S = 2 * q.labels.length + 1;
  const alpha = new Float64Array(q.steps * S).fill(-Infinity);
  if (q.steps === 0) return alpha;
  alpha[0] = logProb(q, 0, 0);
  if (S > 1) alpha[1] = logProb(q, 0, 1);
  for (let t = 1; t < q.steps; t++) {
    const row = t * S;
    const prev = row - S;
    for (let s = 0; s < S; s++) {
      let v = alpha[prev + s]!;
      if (s > 0) v = logAdd(v, alpha[prev + s - 1]!);
      if (canSkip(q, s)) v = logAdd(v, alpha[prev + s - 2]!);
      if (v !== -Infinity) alpha[row + s] = v + logProb(q, t, s);
    }
  }
  return alpha;
}

/** log β[t][s]: log-probability of the paths of steps t..end that start at position s (includes step t). */
export function logBeta(q: Sequence): Float64Array {
  const S = 2 * q.labels.length + 1;
  const beta = new Float64Array(q.steps * S).fill(-Infinity);
  if (q.steps === 0) return beta;
  const last = (q.steps - 1) * S;
  beta[last + S - 1] = logProb(q, q.steps - 1, S - 1);
  if (S > 1) beta[last + S - 2] = logProb(q, q.steps - 1, S - 2);
  for (let t = q.steps - 2; t >= 0; t--) {
    const row = t * S;
    const next = row + S;
    for (let s = 0; s < S; s++) {
      let v = beta[next + s]!;
      if (s + 1 < S) v = logAdd(v, beta[next + s + 1]!);
      if (s + 2 < S && canSkip(q, s + 2)) v = logAdd(v, beta[next + s + 2]!);
      if (v !== -Infinity) beta[row + s] = v + logProb(q, t, s);
    }
  }
  return beta;
}

/** -log p(labels | lp): +Infinity when no alignment fits in the steps. */
export function negLogLikelihood(q: Sequence, alpha: Float64Array): number {
  const S = 2 * q.labels.length + 1;
  if (q.steps === 0) return S === 1 ? 0 : Infinity;
  const last = (q.steps - 1) * S;
  return -logAdd(alpha[last + S - 1]!, S > 1 ? alpha[last + S - 2]! : -Infinity);
}

/**
 * Writes PyTorch's gradient of the loss with respect to lp for steps t < steps into grad (laid out
 * like lp): exp(lp[t][c]) - exp(log Σ_{s: label s = c} α[t][s] β[t][s] + nll - lp[t][c]).
 * The second term is the posterior occupancy γ[t][c]; -γ alone is the gradient with respect to lp.
 */
export function writeGradient(q: Sequence, alpha: Float64Array, beta: Float64Array, nll: number, grad: Float64Array, classes: number): void {
  const S = 2 * q.labels.length + 1;
  const occupancy = new Float64Array(classes);
  for (let t = 0; t < q.steps; t++) {
    occupancy.fill(-Infinity);
    for (let s = 0; s < S; s++) {
      const c = labelAt(q, s);
      occupancy[c] = logAdd(occupancy[c]!, alpha[t * S + s]! + beta[t * S + s]!);
    }
    const base = t * q.stride + q.offset;
    for (let c = 0; c < classes; c++) {
      const lp = q.lp[base + c]!;
      grad[base + c] = Math.exp(lp) - Math.exp(occupancy[c]! + nll - lp);
    }
  }
}
