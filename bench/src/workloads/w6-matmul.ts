import { matmul, noGrad, randn, manualSeed } from "@tapegrad/autograd";
import type { Runnable } from "../harness";
import { loadTF, type NodeImpl } from "../impls";

/** W6: C = A·B for square float32 matrices of size n. */
export async function w6(impl: NodeImpl, n: number): Promise<Runnable> {
  if (impl === "tapegrad") {
    manualSeed(6);
    const a = randn([n, n]);
    const b = randn([n, n]);
    return { step: () => void noGrad(() => matmul(a, b)) };
  }
  const tf = await loadTF(impl);
  const a = tf.randomNormal([n, n], 0, 1, "float32", 6);
  const b = tf.randomNormal([n, n], 0, 1, "float32", 7);
  return {
    step: () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

export const gflops = (n: number, ms: number) => (2 * n ** 3) / (ms * 1e6);
