import { defineOp, type GradList, type OpContext } from "../function";
import { kernels } from "../kernels";
import { broadcastShapes, fmt } from "../shape";
import { Tensor } from "../tensor";

/** Whether the last two dims are stored column-major (a transposed view of a row-major matrix). */
function isTransposed(x: Tensor): boolean {
  const nd = x.ndim;
  return x.strides[nd - 2] === 1 && x.shape[nd - 2]! > 1 && x.strides[nd - 1] !== 1;
}

/** Batched matrix product of (..., M, K) and (..., K, N) with equal batch dims. */
const bmm = defineOp({
  name: "matmul",
  forward(ctx: OpContext, a: Tensor, b: Tensor) {
    ctx.save(a, b);
    const out = Tensor.empty([...a.shape.slice(0, -1), b.shape[b.ndim - 1]!], a.dtype);
    kernels.matmul(a, b, out.buf);
    return out;
  },
  backward(ctx, g): GradList {
    const [a, b] = ctx.saved;
    // Each gradient is laid out like its input: for a transposed operand (a weight used as Wᵀ)
    // compute (dBᵀ)ᵀ, so the gradient reaching the weight itself is contiguous.
    return [
      ctx.needsInputGrad[0] ? (isTransposed(a!) ? bmm(b!, g.transpose(-1, -2)).transpose(-1, -2) : bmm(g, b!.transpose(-1, -2))) : null, // dA = G Bᵀ
      ctx.needsInputGrad[1] ? (isTransposed(b!) ? bmm(g.transpose(-1, -2), a!).transpose(-1, -2) : bmm(a!.transpose(-1, -2), g)) : null, // dB = Aᵀ G
    ];
  },
});

/** torch.matmul: 1-D operands are promoted and squeezed back; batch dims broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtype mismatch: ${a.dtype} (shape ${fmt(a.shape)}) and ${b.dtype} (shape ${fmt(b.shape)})`);
  if (a.dtype === "int32") throw new Error(`matmul: expected float tensors, got int32 (shapes ${fmt(a.shape)} and ${fmt(b.shape)})`);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both operands need at least 1 dim, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const k1 = a.shape[a.ndim - 1]!;
  const k2 = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (k1 !== k2) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${k1} != ${k2})`);
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
