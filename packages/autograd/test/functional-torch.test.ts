import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { functional, ones, outer, tensor, type Tensor } from "../src/index";
import { expectAllClose } from "./helpers";

interface Enc {
  shape: number[];
  data: number[];
}
type Nested = Enc | Nested[];
interface FunctionalFixture {
  name: string;
  function: keyof typeof FUNCTIONS;
  tupleInputs: boolean;
  inputs: Enc[];
  vOut: Nested | null;
  vIn: Enc[] | null;
  results: Record<string, Nested>;
}

/** The functions of fixtures/functional/gen_functional_fixtures.py, written with tapegrad ops. */
const FUNCTIONS = {
  exp_reducer: (x: Tensor) => x.exp().sum(1),
  matmul_tanh_pair: (x: Tensor, w: Tensor) => [x.matmul(w).tanh(), x.mul(x).sum(0)],
  cubic_logsumexp: (x: Tensor) => x.pow(3).sum().add(x.logSumExp(0)),
  two_input_energy: (x: Tensor, w: Tensor) => w.matmul(x).sigmoid().pow(2).sum().add(x.exp().mul(x).sum()),
  tall_mixed: (x: Tensor, w: Tensor) => [outer(x, x).sin(), w.mul(x.select(0, 0)).exp(), ones([2], { dtype: "float64" })],
} as const;

const dir = fileURLToPath(new URL("./fixtures/functional/", import.meta.url));
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as FunctionalFixture);

const dec = (e: Enc): Tensor => tensor(new Float64Array(e.data), { shape: e.shape });
const decode = (n: Nested): Tensor | Tensor[] => (Array.isArray(n) ? (n as Enc[]).map(dec) : dec(n));

/** Compares a result with PyTorch's, nesting included (an array where PyTorch has a tuple). */
function expectNested(actual: unknown, expected: Nested, label: string): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${label} is an array`).toBe(true);
    expect((actual as unknown[]).length, `${label} length`).toBe(expected.length);
    expected.forEach((e, i) => expectNested((actual as unknown[])[i], e, `${label}[${i}]`));
    return;
  }
  expect(Array.isArray(actual), `${label} is a Tensor`).toBe(false);
  expect((actual as Tensor).requiresGrad, `${label} is detached`).toBe(false);
  expectAllClose(actual as Tensor, dec(expected), 1e-12, 1e-10);
}

describe("functional transforms against PyTorch 1.13 (float64)", () => {
  it("has the fixtures", () => expect(fixtures.map((f) => f.name)).toEqual(["cubic_logsumexp", "exp_reducer", "matmul_tanh_pair", "tall_mixed", "two_input_energy"]));

  for (const f of fixtures) {
    describe(f.name, () => {
      const fn = FUNCTIONS[f.function] as (...xs: Tensor[]) => Tensor | Tensor[];
      const inputs = () => (f.tupleInputs ? f.inputs.map(dec) : dec(f.inputs[0]!));
      const vIn = () => (f.tupleInputs ? f.vIn!.map(dec) : dec(f.vIn![0]!));
      const r = f.results;

      it("jacobian", () => expectNested(functional.jacobian(fn, inputs()), r.jacobian!, "jacobian"));
      it("jacobian, vectorized", () => expectNested(functional.jacobian(fn, inputs(), { vectorize: true }), r.jacobianVectorized!, "jacobian"));
      it("jacobian, forward-mode (by columns)", () => expectNested(functional.jacobian(fn, inputs(), { vectorize: true, strategy: "forward-mode" }), r.jacobianForward!, "jacobian"));
      if (r.vjp) {
        it("vjp", () => {
          const [out, vjp] = functional.vjp(fn, inputs(), decode(f.vOut!));
          expectNested(out, r.output!, "output");
          expectNested(vjp, r.vjp!, "vjp");
        });
      }
      if (r.jvp) it("jvp", () => expectNested(functional.jvp(fn, inputs(), vIn())[1], r.jvp!, "jvp"));
      if (r.hessian) {
        it("hessian", () => expectNested(functional.hessian(fn, inputs()), r.hessian!, "hessian"));
        it("hessian, vectorized", () => expectNested(functional.hessian(fn, inputs(), { vectorize: true }), r.hessianVectorized!, "hessian"));
        it("hessian, forward-over-reverse", () => {
          const hess = functional.hessian(fn, inputs(), { vectorize: true, outerJacobianStrategy: "forward-mode" });
          expectNested(hess, r.hessianForwardOverReverse!, "hessian");
        });
        it("hvp", () => expectNested(functional.hvp(fn, inputs(), vIn())[1], r.hvp!, "hvp"));
        it("vhp", () => expectNested(functional.vhp(fn, inputs(), vIn())[1], r.vhp!, "vhp"));
      }
    });
  }
});
