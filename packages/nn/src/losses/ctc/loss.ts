import { customOp, describeValue, isTensor, tensor, type OpContext, type Tensor } from "@tapegrad/autograd";
import { fmt } from "../../format";
import { booleanOption, lossOptions } from "../arguments";
import { checkNotEmpty, type Reduction } from "../reduction";
import { checkBlank, readLengths, readLogProbs, type Lengths } from "./input";
import { logAlpha, logBeta, negLogLikelihood, writeGradient, type Sequence } from "./lattice";

/** Options of {@link ctcLoss}. */
export interface CtcLossOptions {
  /** The blank class (0 by default). */
  blank?: number;
  /** "mean" (default: each loss divided by its target length, then averaged), "sum" or "none". */
  reduction?: Reduction;
  /** Replace infinite losses (impossible alignments) and their gradients by 0. */
  zeroInfinity?: boolean;
}

/** What the op needs besides the log-probabilities: each item's label sequence and length. */
interface Batch {
  labels: Int32Array[];
  inputLengths: Int32Array;
  blank: number;
  zeroInfinity: boolean;
}

const sequence = (lp: ArrayLike<number>, [, N, C]: readonly number[], batch: Batch, b: number): Sequence => ({
  lp, stride: N! * C!, offset: b * C!, steps: batch.inputLengths[b]!, labels: batch.labels[b]!, blank: batch.blank,
});

interface Lattices {
  batch: Batch;
  alphas: Float64Array[];
  nll: Float64Array;
}

/** PyTorch's gradient of the per-item losses, times gradOutput; like PyTorch's, it has no derivative. */
const ctcGradient = customOp({
  name: "ctcLossBackward",
  forward(ctx: OpContext, logProbs: Tensor, gradOutput: Tensor, { batch, alphas, nll }: Lattices): Tensor {
    const lp = logProbs.data();
    const [, N, C] = logProbs.shape as [number, number, number];
    const grad = new Float64Array(lp.length);
    for (let b = 0; b < N; b++) {
      if (batch.zeroInfinity && nll[b] === Infinity) continue;
      const q = sequence(lp, logProbs.shape, batch, b);
      writeGradient(q, alphas[b]!, logBeta(q), nll[b]!, grad, C);
    }
    return tensor(grad, { shape: logProbs.shape, dtype: logProbs.dtype }).mul(gradOutput.reshape([1, N, 1]));
  },
  backward(): never {
    throw new Error("ctcLoss: the gradient of ctcLoss cannot be differentiated again (no double backward, as in PyTorch)");
  },
});

/** Per-item negative log-likelihood of (T, N, C) log-probabilities; backward is PyTorch's gradient. */
const ctcNll = customOp({
  name: "ctcLoss",
  forward(ctx: OpContext, logProbs: Tensor, batch: Batch): Tensor {
    const lp = logProbs.data();
    const N = logProbs.shape[1]!;
    const nll = new Float64Array(N);
    const alphas: Float64Array[] = [];
    for (let b = 0; b < N; b++) {
      const q = sequence(lp, logProbs.shape, batch, b);
      alphas.push(logAlpha(q));
      nll[b] = negLogLikelihood(q, alphas[b]!);
    }
    if (ctx.recorded) {
      ctx.save(logProbs);
      ctx.lattices = { batch, alphas, nll } satisfies Lattices;
    }
    const out = batch.zeroInfinity ? nll.map((v) => (v === Infinity ? 0 : v)) : nll;
    return tensor(out, { dtype: logProbs.dtype });
  },
  backward(ctx: OpContext, gradOutput: Tensor) {
    const [logProbs] = ctx.saved as [Tensor];
    return [ctcGradient(logProbs, gradOutput, ctx.lattices as Lattices)];
  },
});

/** Splits padded (N, S) or concatenated (Σ targetLengths) targets into label sequences, checking each label. */
function readTargets(targets: Tensor, targetLengths: Lengths, N: number, C: number, blank: number): Int32Array[] {
  const op = "ctcLoss";
  if (!isTensor(targets) || targets.dtype !== "int32") {
    throw new Error(`${op}: targets must be an int32 tensor of class indices, got ${isTensor(targets) ? `${targets.dtype} (shape ${fmt(targets.shape)})` : describeValue(targets)}`);
  }
  const padded = targets.ndim === 2;
  if ((padded && targets.shape[0] !== N) || !(padded || targets.ndim === 1)) {
    throw new Error(`${op}: targets must be padded (${N}, S) or 1-d concatenated (the sum of targetLengths), got ${fmt(targets.shape)}`);
  }
  const S = padded ? targets.shape.at(-1)! : targets.shape[0]!;
  const lengths = readLengths(op, "targetLengths", targetLengths, N, S, padded ? "the padded target length" : "the number of targets");
  const total = lengths.reduce((a, v) => a + v, 0);
  if (!padded && total !== S) throw new Error(`${op}: concatenated targets have ${S} labels but targetLengths sum to ${total}`);
  const data = targets.data() as Int32Array;
  let start = 0;
  return Array.from(lengths, (L, b) => {
    const from = padded ? b * S : start;
    start += L;
    const labels = data.slice(from, from + L);
    labels.forEach((c, i) => {
      if (c < 0 || c >= C || c === blank) {
        throw new Error(`${op}: target ${c} of batch item ${b} (position ${i}) must be a class in [0, ${C - 1}] other than the blank ${blank}`);
      }
    });
    return labels;
  });
}

/**
 * Connectionist temporal classification loss, PyTorch's ctc_loss: logProbs (T, N, C) or (T, C)
 * (log-softmax output), targets padded (N, S) or concatenated 1-d (also for one unbatched
 * sequence), one input and target length per item. "mean" divides each item's loss by its
 * target length (at least 1), then averages over the batch.
 */
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Lengths, targetLengths: Lengths, opts?: CtcLossOptions): Tensor {
  const op = "ctcLoss";
  const { blank = 0, reduction = "mean", zeroInfinity: given } = lossOptions(op, opts, ["blank", "reduction", "zeroInfinity"]);
  const zeroInfinity = booleanOption(op, "zeroInfinity", given, false);
  const { T, N, C, batched } = readLogProbs(op, logProbs);
  checkBlank(op, blank, C);
  const labels = readTargets(targets, targetLengths, N, C, blank);
  const batch: Batch = { labels, inputLengths: readLengths(op, "inputLengths", inputLengths, N, T, "the number of steps T"), blank, zeroInfinity };
  const perItem = ctcNll(batched ? logProbs : logProbs.unsqueeze(1), batch);
  if (reduction === "none") return batched ? perItem : perItem.reshape([]);
  if (reduction === "sum") return perItem.sum();
  checkNotEmpty(op, perItem);
  const divisors = tensor(labels.map((l) => Math.max(l.length, 1)), { dtype: logProbs.dtype });
  return perItem.div(divisors).mean();
}
