import { cat, gather, indexSelect, stack, where, type Tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { expectClose, fixturesOfKind, toTensor, type Fixture, type FixtureTensor } from "./helpers/fixtures";

type Inputs = Record<string, Tensor>;

/** Each fixture's `config.expr`, written with tapegrad; keyed by the expression itself. */
const EXPRESSIONS: Record<string, (x: Inputs) => Record<string, Tensor>> = {
  "a * b - a / (b * b + 1.0) + b": ({ a, b }) => ({ out: a!.mul(b!).sub(a!.div(b!.mul(b!).add(1))).add(b!) }),
  "torch.cat([a, b], dim=1)": ({ a, b }) => ({ out: cat([a!, b!], 1) }),
  "torch.clamp(a, min=-0.5, max=0.5)": ({ a }) => ({ out: a!.clamp(-0.5, 0.5) }),
  "torch.exp(a)": ({ a }) => ({ out: a!.exp() }),
  "(a.expand(2, 3, 4) * b).sum(dim=-1)": ({ a, b }) => ({ out: a!.expand([2, 3, 4]).mul(b!).sum(-1) }),
  "torch.gather(a, 1, index)": ({ a, index }) => ({ out: gather(a!, 1, index!) }),
  "torch.index_select(a, 0, index)": ({ a, index }) => ({ out: indexSelect(a!, 0, index!) }),
  "torch.log(a)": ({ a }) => ({ out: a!.log() }),
  "F.log_softmax(a, dim=-1)": ({ a }) => ({ out: a!.logSoftmax(-1) }),
  "torch.logsumexp(a, dim=1, keepdim=True)": ({ a }) => ({ out: a!.logSumExp(1, true) }),
  "torch.matmul(a, b)": ({ a, b }) => ({ out: a!.matmul(b!) }),
  "torch.max(a, dim=1)": ({ a }) => {
    const [values, indices] = a!.max(1);
    return { values, indices };
  },
  "a.mean(dim=1)": ({ a }) => ({ out: a!.mean(1) }),
  "torch.mean(a, dim=-1, keepdim=True)": ({ a }) => ({ out: a!.mean(-1, true) }),
  "torch.pow(a, 3)": ({ a }) => ({ out: a!.pow(3) }),
  "torch.pow(a, b)": ({ a, b }) => ({ out: a!.pow(b!) }),
  "torch.relu(a)": ({ a }) => ({ out: a!.relu() }),
  "torch.sigmoid(a)": ({ a }) => ({ out: a!.sigmoid() }),
  "torch.softmax(a, dim=0)": ({ a }) => ({ out: a!.softmax(0) }),
  "torch.sqrt(a)": ({ a }) => ({ out: a!.sqrt() }),
  "torch.stack([a, b, c], dim=1)": ({ a, b, c }) => ({ out: stack([a!, b!, c!], 1) }),
  "a.sum(dim=(0, 2), keepdim=True)": ({ a }) => ({ out: a!.sum([0, 2], true) }),
  "torch.tanh(a)": ({ a }) => ({ out: a!.tanh() }),
  "a.transpose(0, 1) @ b": ({ a, b }) => ({ out: a!.transpose(0, 1).matmul(b!) }),
  "torch.where(cond, a, b)": ({ cond, a, b }) => ({ out: where(cond!, a!, b!) }),
};

function run(fixture: Fixture): void {
  const expr = fixture.config.expr as string;
  const build = EXPRESSIONS[expr];
  if (!build) throw new Error(`${fixture.name}: no tapegrad expression for ${expr}`);
  const inputs: Inputs = {};
  for (const [name, t] of Object.entries(fixture.inputs) as [string, FixtureTensor][]) {
    inputs[name] = toTensor(t, "float64", name in fixture.grads!);
  }
  const outputs = build(inputs);
  let loss: Tensor | null = null;
  for (const [name, expected] of Object.entries(fixture.outputs) as [string, FixtureTensor][]) {
    const actual = outputs[name];
    expectClose(actual, expected, `${fixture.name} output ${name}`);
    if (expected.dtype === "int64") continue;
    const term = actual!.mul(toTensor(fixture.loss![`g_${name}`] as FixtureTensor)).sum();
    loss = loss ? loss.add(term) : term;
  }
  loss!.backward();
  for (const [name, expected] of Object.entries(fixture.grads!)) {
    expectClose(inputs[name]!.grad, expected, `${fixture.name} grad ${name}`);
  }
}

const fixtures = fixturesOfKind("op");

describe("golden op fixtures (PyTorch 1.13, float64, rtol 1e-9)", () => {
  it("finds every op fixture", () => {
    expect(fixtures.length).toBe(25);
  });
  for (const fixture of fixtures) it(fixture.name, () => run(fixture));
});
