import { isFloat } from "../core/dtype";
import { primitive, rule } from "../core/op";
import type { RuleTable } from "./primitives";
import { kernels, ProductGrad } from "../backend/backend";
import { broadcastShapes, fmt, sameShape } from "../core/shape";
import { Tensor } from "../core/tensor";
import { checkTensor } from "../core/validate";
import { sumTo } from "./movement";

/** Whether the last two dims are stored column-major (a transposed view of a row-major matrix). */
function isTransposed(x: Tensor): boolean {
  const nd = x.ndim;
  return x.strides[nd - 2] === 1 && x.shape[nd - 2]! > 1 && x.strides[nd - 1] !== 1;
}

const rules = {
  /** Batched matrix product of (..., M, K) and (..., K, N) with equal batch dims. */
  matmul: rule({
    forward(a: Tensor, b: Tensor) {
      const out = Tensor.zeros([...a.shape.slice(0, -1), b.shape[b.ndim - 1]!], a.dtype);
      kernels.matmul(a, b, out.buf);
      return [out, { a, b }];
    },
    // Each gradient is laid out like its input: for a transposed operand (a weight used as Wᵀ)
    // compute (dBᵀ)ᵀ, so the gradient reaching the weight itself is contiguous.
    backward: ({ a, b }, g: Tensor, needs) => [
      needs[0] ? (isTransposed(a) ? bmm(b, g.transpose(-1, -2)).transpose(-1, -2) : bmm(g, b.transpose(-1, -2))) : null, // dA = G Bᵀ
      needs[1] ? (isTransposed(b) ? bmm(g.transpose(-1, -2), a).transpose(-1, -2) : bmm(a.transpose(-1, -2), g)) : null, // dB = Aᵀ G
    ],
  }),
  /**
   * x · Wᵀ + b for x (N, in), W (out, in) and b null, a bias row (out) or anything else that
   * broadcasts to (N, out), such as a recurrent step's input projection: one node per use.
   */
  linear: rule({
    forward(x: Tensor, weight: Tensor, bias: Tensor | null) {
      const [outF, inF] = weight.shape as [number, number];
      const out = Tensor.zeros([x.shape[0]!, outF], x.dtype);
      // with a bias, C starts as the bias and the product is added into it (no separate add pass)
      const init = bias ? bias.broadcastView(out.shape, "linear") : undefined;
      kernels.matmul(x, weight.makeView([inF, outF], [weight.strides[1]!, weight.strides[0]!], weight.offset), out.buf, false, init);
      return [out, { x, weight, biasShape: bias?.shape }];
    },
    backward: ({ x, weight, biasShape }, g: Tensor, needs) => [
      needs[0] ? g.matmul(weight) : null, // dx = G W
      needs[1] ? g.T.matmul(x) : null, // dW = Gᵀ x, laid out like W
      ...(biasShape ? [needs[2] ? sumTo(g, biasShape) : null] : []), // db = G summed over broadcast dims
    ],
    // dW left as a product, for the tape's sum to add up over every use of W in one kernel call;
    // so is a bias row's gradient, as 1ᵀ·G (bench item 35)
    fastBackward: ({ x, weight, biasShape }, g: Tensor, needs) => [
      needs[0] ? g.matmul(weight) : null,
      needs[1] ? new ProductGrad(g.T, x) : null,
      ...(biasShape ? [needs[2] ? biasGrad(g, biasShape) : null] : []),
    ],
  }),
} satisfies RuleTable<"matmul">;

/** A bias row's gradient over the rows of G as the product 1ᵀ·G, any other bias's by sumTo. */
function biasGrad(g: Tensor, biasShape: number[]): Tensor | ProductGrad {
  const [rows, N] = g.shape as [number, number];
  if (biasShape.length !== 1 || biasShape[0] !== N || rows < 2) return sumTo(g, biasShape);
  const ones = Tensor.zeros([1, rows], g.dtype);
  ones.buf.fill(1);
  return new ProductGrad(ones, g, biasShape);
}

const bmm: (a: Tensor, b: Tensor) => Tensor = primitive("matmul", rules.matmul);
const linearPrim: (x: Tensor, weight: Tensor, bias: Tensor | null) => Tensor = primitive("linear", rules.linear);

/** torch.matmul: 1-D operands are promoted and squeezed back; batch dims broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", "input", a);
  checkTensor("matmul", "other", b);
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtype mismatch: ${a.dtype} (shape ${fmt(a.shape)}) and ${b.dtype} (shape ${fmt(b.shape)})`);
  if (!isFloat(a.dtype)) throw new Error(`matmul: expected float tensors, got ${a.dtype} (shapes ${fmt(a.shape)} and ${fmt(b.shape)})`);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both operands need at least 1 dim, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const k1 = a.shape[a.ndim - 1]!;
  const k2 = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (k1 !== k2) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${k1} != ${k2})`);
  if (a.ndim === 2 && b.ndim === 2) return bmm(a, b); // no batch dims to broadcast
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  const batch = broadcastShapes("matmul", a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const ae = a2.expand([...batch, ...a2.shape.slice(-2)]);
  const be = b2.expand([...batch, ...b2.shape.slice(-2)]);
  let out = bmm(ae, be);
  if (a.ndim === 1) out = out.squeeze(-2);
  if (b.ndim === 1) out = out.squeeze(-1);
  return out;
}

/**
 * torch.nn.functional.linear: x Wᵀ + b over the last dim of x (leading dims kept). Beyond
 * PyTorch, b may be any tensor that broadcasts to the output, not only a (out) row.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor("linear", "input", x);
  checkTensor("linear", "weight", weight);
  if (bias !== undefined && bias !== null) checkTensor("linear", "bias", bias);
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D (out, in), got shape ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(`linear: input of shape ${fmt(x.shape)} does not end in ${inF} features (weight shape ${fmt(weight.shape)})`);
  }
  for (const t of bias ? [weight, bias] : [weight]) {
    if (t.dtype !== x.dtype) throw new Error(`linear: dtype mismatch: input ${x.dtype}, parameter ${t.dtype} (shape ${fmt(t.shape)})`);
  }
  if (!isFloat(x.dtype)) throw new Error(`linear: expected float tensors, got ${x.dtype} (input shape ${fmt(x.shape)})`);
  const outShape = [...x.shape.slice(0, -1), outF];
  if (bias && !sameShape(broadcastShapes("linear", outShape, bias.shape), outShape)) {
    throw new Error(`linear: bias of shape ${fmt(bias.shape)} does not broadcast to the output shape ${fmt(outShape)}`);
  }
  if (x.ndim === 2) return linearPrim(x, weight, bias ?? null);
  const flatBias = !bias || bias.ndim <= 1;
  const y = linearPrim(x.reshape([-1, inF]), weight, flatBias ? bias ?? null : null).reshape(outShape);
  return flatBias ? y : y.add(bias!);
}
