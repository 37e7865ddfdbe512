import type { DType } from "../core/dtype";
import { mode } from "../core/mode";
import { Tensor } from "../core/tensor";
import { kernels, ProductGrad, type GradSum, type ProductAccumulator } from "./backend";

/** A product accumulator for an M×N float sum, or null to collect the terms for one matmulSum. */
export type ProductSumFactory = (M: number, N: number, dtype: "float32" | "float64") => ProductAccumulator | null;

/**
 * Sums the gradients reaching one tape slot. Tensors are added as they come: the first sum is a
 * fresh buffer only this slot holds, so without createGraph later ones are added into it in
 * place. Products (ProductGrad) wait and are summed by one kernel call when the slot is taken
 * (Σ Aᵢ·Bᵢ = [A₁ … Aₙ]·[B₁; …; Bₙ]), or are fed as they arrive to the backend's accumulator,
 * which may compute the sum on another thread while the backward goes on.
 */
export class TensorGradSum implements GradSum {
  private sum: Tensor | null = null;
  private owned = false;
  private terms: ProductGrad[] = [];
  private accumulator: ProductAccumulator | null = null;
  private productShape: number[] | null = null;
  private productDType: DType = "float32";

  constructor(private readonly productSum: ProductSumFactory | null) {}

  add(grad: Tensor | ProductGrad): void {
    if (grad instanceof ProductGrad) return this.addProduct(grad);
    if (!this.sum) {
      this.sum = grad;
    } else if (!mode.grad && this.owned) {
      kernels.elementwise("add", this.sum, [this.sum, grad]);
    } else {
      this.sum = this.sum.add(grad);
      this.owned = true;
    }
  }

  private addProduct(term: ProductGrad): void {
    if (!this.productShape) {
      this.productShape = term.shape;
      this.productDType = term.a.dtype;
      const dtype = term.a.dtype;
      if (dtype === "float32" || dtype === "float64") this.accumulator = this.productSum?.(term.a.shape[0]!, term.b.shape[1]!, dtype) ?? null;
    }
    if (this.accumulator) this.accumulator.add(term.a, term.b);
    else this.terms.push(term);
  }

  take(): { grad: Tensor; owned: boolean } {
    if (this.productShape) {
      const base = this.sum;
      const into = base && this.owned && base.offset === 0 && base.isContiguous() ? base : null;
      const result = into ?? Tensor.zeros(this.productShape, this.productDType);
      if (this.accumulator) this.accumulator.finish(result.buf, into !== null);
      else kernels.matmulSum(this.terms.map((t) => [t.a, t.b] as const), result.buf, into !== null);
      if (base && !into) kernels.elementwise("add", result, [result, base]);
      return { grad: result, owned: true };
    }
    return { grad: this.sum!, owned: this.owned };
  }
}
