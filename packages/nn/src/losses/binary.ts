import { type Tensor } from "@tapegrad/autograd";
import { fmt } from "../format";
import { checkSameShape, reduce, type Reduction } from "./reduction";

/**
 * -[posWeight·t·log σ(x) + (1-t)·log(1-σ(x))]·weight, computed as
 * (1-t)·x + (1+(posWeight-1)·t)·softplus(-x) with softplus(-x) = m + log(e^-m + e^(-x-m)),
 * m = max(-x, 0), which never overflows. (The value does not depend on m, so m is a constant.)
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor; posWeight?: Tensor; reduction?: Reduction } = {},
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkSameShape(op, input, target);
  for (const [name, t] of [["weight", opts.weight], ["posWeight", opts.posWeight]] as const) {
    if (t && t.dtype !== input.dtype) throw new Error(`${op}: ${name} must be ${input.dtype}, got ${t.dtype}`);
  }
  const m = input.neg().relu().detach();
  const softplusNeg = m.neg().exp().add(input.neg().sub(m).exp()).log().add(m);
  const logWeight = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(softplusNeg) : softplusNeg);
  if (opts.weight) loss = loss.mul(opts.weight);
  if (loss.shape.join() !== input.shape.join()) {
    throw new Error(`${op}: weight or posWeight (shapes ${fmt(opts.weight?.shape ?? [])}, ${fmt(opts.posWeight?.shape ?? [])}) must broadcast to the input shape ${fmt(input.shape)}`);
  }
  return reduce(op, loss, opts.reduction);
}
