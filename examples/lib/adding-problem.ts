import { tensor, type Generator, type Tensor } from "@tapegrad/autograd";

/**
 * A batch of the adding problem (Hochreiter & Schmidhuber, 1997): x is (T, batch, 2) with a
 * random value in [0, 1) and a marker bit at each step, exactly one marked step in each half;
 * y is (batch, 1), the sum of the two marked values. Predicting the mean, 1, gives MSE 1/6.
 */
export function addingBatch(T: number, batch: number, gen: Generator): { x: Tensor; y: Tensor } {
  const x = new Float32Array(T * batch * 2);
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) x[(t * batch + b) * 2] = gen.random();
    for (const t of [gen.integer(0, T / 2), gen.integer(T / 2, T)]) {
      x[(t * batch + b) * 2 + 1] = 1;
      y[b]! += x[(t * batch + b) * 2]!;
    }
  }
  return { x: tensor(x, { shape: [T, batch, 2] }), y: tensor(y, { shape: [batch, 1] }) };
}
