import { Generator, manualSeed, randn, tensor, type Tensor } from "@tapegrad/autograd";
import { Dropout, Linear, Sequential, Sigmoid, Tanh } from "@tapegrad/nn";

/**
 * Two Gaussian blobs in 4-d, centred at ±(1, 1, 0, 0) with unit spread: label 1 when the point
 * came from the positive blob; separable enough for a small MLP to reach > 90%.
 */
export function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const labels = Array.from({ length: n }, () => (g.random() < 0.5 ? 1 : 0));
  const noise = randn([n, 4], { dtype: "float64", generator: g });
  const centres = tensor(labels.map((l) => (l ? [1.5, 1.5, 0, 0] : [-1.5, -1.5, 0, 0])), { dtype: "float64" });
  return { x: noise.add(centres), y: tensor(labels, { dtype: "float64", shape: [n, 1] }) };
}

/** Linear -> Tanh -> Dropout -> Linear -> Sigmoid in float64, weights from manualSeed(seed). */
export function classifier(seed: number, p = 0.2): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(4, 8, { dtype: "float64" }), new Tanh(), new Dropout(p), new Linear(8, 1, { dtype: "float64" }), new Sigmoid());
}

/** Every parameter's values, for exact comparison. */
export function weights(model: { parameters(): Tensor[] }): number[][] {
  return model.parameters().map((p) => Array.from(p.data()));
}
