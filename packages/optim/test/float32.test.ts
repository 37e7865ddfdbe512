import { backendAvailable, Generator, getBackend, randn, setBackend, type Tensor } from "@tapegrad/autograd";
import { Adam, AdamW } from "@tapegrad/optim";
import { afterEach, describe, expect, it } from "vitest";

// Parameters the size of a layer's weights (64×300), large enough for the WebAssembly float32
// kernels (addcmul_, addcdiv_, sqrt, mul_, add_): the float32 run follows the float64 one to
// float32 rounding, on every backend.

const initial = getBackend();
afterEach(() => setBackend(initial));

const SHAPE = [64, 300];
const STEPS = 25;

/** Runs the optimizer for STEPS steps on gradients drawn in float64, in the given dtype. */
function train(make: (p: Tensor[]) => Adam, dtype: "float32" | "float64"): Float64Array {
  const gen = new Generator(7);
  const w = randn(SHAPE, { dtype: "float64", generator: gen }).to(dtype).requiresGrad_();
  const opt = make([w]);
  for (let t = 0; t < STEPS; t++) {
    // gradients near zero for some coordinates (where m / (sqrt(v) + eps) is most sensitive)
    w.grad = randn(SHAPE, { dtype: "float64", generator: gen }).mul(t % 3 === 0 ? 1e-4 : 1).to(dtype);
    opt.step();
  }
  return Float64Array.from(w.data());
}

const variants: [string, (p: Tensor[]) => Adam][] = [
  ["Adam", (p) => new Adam(p, { lr: 0.01 })],
  ["Adam amsgrad, weight decay", (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ["AdamW", (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.05 })],
];

describe("float32 Adam on large parameters", () => {
  const backends = backendAvailable("wasm") ? (["js", "wasm"] as const) : (["js"] as const);

  it.each(variants)("%s in float32 follows the float64 run on every backend", (_, make) => {
    setBackend("js");
    const want = train(make, "float64");
    const runs: Float64Array[] = [];
    for (const backend of backends) {
      setBackend(backend);
      const got = train(make, "float32");
      // each step rounds p (≤ 6e-8·|p|) and its update (a few ulps of lr): 25 steps stay under 2e-6·(|p| + 1)
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (Math.abs(want[i]!) + 1));
      expect(worst, backend).toBeLessThan(2e-6);
      runs.push(got);
    }
    // the two backends differ by float32 rounding only, far below the distance to float64
    if (runs.length === 2) {
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(runs[0]![i]! - runs[1]![i]!) / (Math.abs(want[i]!) + 1));
      expect(worst).toBeLessThan(5e-7);
    }
  });
});
