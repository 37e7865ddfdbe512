import * as tg from "@tapegrad/autograd";
import type { DType, Tensor } from "@tapegrad/autograd";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { toTensor, type Fixture, type FixtureTensor } from "./helpers/fixtures";

// The reductions, shape, indexing and creation ops against PyTorch 1.13: fixtures written by
// fixtures/torch-ops/gen_op_fixtures.py. Each fixture's expression, written with tapegrad.

type Inputs = Record<string, Tensor>;
type Out = Tensor | Tensor[];
const i32 = (t: Tensor) => t;

const EXPRESSIONS: Record<string, (x: Inputs, dtype: DType) => Out> = {
  "torch.prod(a, 1)": ({ a }) => tg.prod(a!, 1),
  "torch.prod(a)": ({ a }) => a!.prod(),
  "torch.prod(a, -1, keepdim=True)": ({ a }) => a!.prod(-1, true),
  "torch.var(a, dim=1)": ({ a }) => a!.var(1),
  "torch.var(a, dim=(0, 2), correction=0, keepdim=True)": ({ a }) => tg.variance(a!, [0, 2], { correction: 0, keepdim: true }),
  "torch.var(a)": ({ a }) => a!.var(),
  "torch.std(a)": ({ a }) => a!.std(),
  "torch.std(a, dim=0, correction=2)": ({ a }) => tg.std(a!, 0, { correction: 2 }),
  "torch.var_mean(a, dim=1)": ({ a }) => tg.varMean(a!, 1),
  "torch.std_mean(a, dim=(0, 1), keepdim=True)": ({ a }) => tg.stdMean(a!, [0, 1], { keepdim: true }),
  "torch.norm(a)": ({ a }) => a!.norm(),
  "torch.norm(a, dim=1)": ({ a }) => tg.norm(a!, 2, 1),
  "torch.norm(a, p=1, dim=1)": ({ a }) => a!.norm(1, 1),
  "torch.norm(a, p=float('inf'), dim=0)": ({ a }) => a!.norm(Infinity, 0),
  "torch.norm(a, p=float('-inf'), dim=1, keepdim=True)": ({ a }) => a!.norm(-Infinity, 1, true),
  "torch.norm(a, p=3, dim=(0, 2))": ({ a }) => a!.norm(3, [0, 2]),
  "torch.norm(a, p=0.5)": ({ a }) => a!.norm(0.5),
  "torch.norm(a, p='fro', dim=(1, 2))": ({ a }) => a!.norm("fro", [1, 2]),
  "torch.norm(a, p=0, dim=1)": ({ a }) => a!.norm(0, 1),
  "torch.cumsum(a, dim=1)": ({ a }) => a!.cumsum(1),
  "torch.cumsum(a, dim=0)": ({ a }) => tg.cumsum(a!, 0),
  "torch.cumprod(a, dim=1)": ({ a }) => a!.cumprod(1),
  "torch.cumprod(a, dim=0)": ({ a }) => tg.cumprod(a!, 0),
  "torch.logcumsumexp(a, dim=-1)": ({ a }) => a!.logcumsumexp(-1),
  "torch.cummax(a, dim=1)": ({ a }) => a!.cummax(1),
  "torch.cummin(a, dim=0)": ({ a }) => tg.cummin(a!, 0),
  "torch.all(a, dim=1)": ({ a }) => a!.all(1),
  "torch.any(a)": ({ a }) => tg.any(a!),
  "torch.count_nonzero(a, dim=0)": ({ a }) => a!.countNonzero(0),
  "torch.median(a, dim=1)": ({ a }) => a!.median(1),
  "torch.median(a)": ({ a }) => a!.median(),
  "torch.kthvalue(a, 2, dim=0)": ({ a }) => a!.kthvalue(2, 0),
  "torch.kthvalue(a, 4, dim=-1, keepdim=True)": ({ a }) => tg.kthvalue(a!, 4, -1, true),
  "torch.topk(a, 3, dim=1)": ({ a }) => a!.topk(3, 1),
  "torch.topk(a, 2, dim=0, largest=False)": ({ a }) => tg.topk(a!, 2, 0, { largest: false }),
  "torch.sort(a, dim=1, descending=True)": ({ a }) => a!.sort(1, { descending: true }),
  "torch.sort(a, dim=1, stable=True)": ({ a }) => tg.sort(a!, 1, { stable: true }),
  "torch.sort(a, dim=1, descending=True, stable=True)": ({ a }) => a!.sort(1, { descending: true, stable: true }),
  "torch.sort(a, dim=1)": ({ a }) => a!.sort(1),
  "torch.argsort(a, dim=0)": ({ a }) => a!.argsort(0),
  "torch.mode(a, 1)": ({ a }) => a!.mode(1),
  "torch.mode(a, 0, keepdim=True)": ({ a }) => tg.mode(a!, 0, true),
  "torch.nansum(a, dim=1)": ({ a }) => a!.nansum(1),
  "torch.nanmean(a)": ({ a }) => tg.nanmean(a!),

  "a.repeat(2, 1, 3)": ({ a }) => a!.repeat([2, 1, 3]),
  "torch.tile(a, (2,))": ({ a }) => tg.tile(a!, [2]),
  "torch.repeat_interleave(a, 2, dim=1)": ({ a }) => a!.repeatInterleave(2, 1),
  "torch.repeat_interleave(a, r, dim=0)": ({ a, r }) => tg.repeatInterleave(a!, r!, 0),
  "torch.repeat_interleave(a, 3)": ({ a }) => a!.repeatInterleave(3),
  "F.pad(a, (1, 2))": ({ a }) => tg.pad(a!, [1, 2]),
  "F.pad(a, (1, 2, 0, 1), value=0.5)": ({ a }) => tg.pad(a!, [1, 2, 0, 1], { value: 0.5 }),
  "F.pad(a, (-1, 1, 2, -1))": ({ a }) => tg.pad(a!, [-1, 1, 2, -1]),
  "F.pad(a, (2, 1, 1, 2), mode='reflect')": ({ a }) => tg.pad(a!, [2, 1, 1, 2], { mode: "reflect" }),
  "F.pad(a, (3, 1), mode='reflect')": ({ a }) => tg.pad(a!, [3, 1], { mode: "reflect" }),
  "F.pad(a, (1, 2, 2, 0), mode='replicate')": ({ a }) => tg.pad(a!, [1, 2, 2, 0], { mode: "replicate" }),
  "F.pad(a, (1, 0, 0, 2, 1, 1), mode='replicate')": ({ a }) => tg.pad(a!, [1, 0, 0, 2, 1, 1], { mode: "replicate" }),
  "F.pad(a, (1, 2, 1, 1), mode='circular')": ({ a }) => tg.pad(a!, [1, 2, 1, 1], { mode: "circular" }),
  "F.pad(a, (2, 4), mode='circular')": ({ a }) => tg.pad(a!, [2, 4], { mode: "circular" }),
  "torch.roll(a, 1, 0)": ({ a }) => a!.roll(1, 0),
  "torch.roll(a, (2, -1), (1, 0))": ({ a }) => tg.roll(a!, [2, -1], [1, 0]),
  "torch.roll(a, 3)": ({ a }) => a!.roll(3),
  "torch.tril(a)": ({ a }) => a!.tril(),
  "torch.triu(a, diagonal=1)": ({ a }) => tg.triu(a!, 1),
  "torch.tril(a, -1)": ({ a }) => tg.tril(a!, -1),
  "torch.diag(v)": ({ v }) => v!.diag(),
  "torch.diag(v, -1)": ({ v }) => tg.diag(v!, -1),
  "torch.diag(a, 1)": ({ a }) => a!.diag(1),
  "torch.diagonal(a, offset=1, dim1=0, dim2=2)": ({ a }) => a!.diagonal(1, 0, 2),
  "torch.diagonal(a, -1, 2, 1)": ({ a }) => tg.diagonal(a!, -1, 2, 1),
  "torch.diag_embed(a, offset=1, dim1=0, dim2=2)": ({ a }) => a!.diagEmbed(1, 0, 2),
  "torch.trace(a)": ({ a }) => a!.trace(),
  "a.masked_fill(m, -1.5)": ({ a, m }) => a!.maskedFill(m!, -1.5),
  "torch.masked_select(a, m)": ({ a, m }) => tg.maskedSelect(a!, m!),
  "torch.nonzero(a)": ({ a }) => tg.nonzero(a!),
  "torch.nonzero(m)": ({ m }) => m!.nonzero(),
  "torch.nonzero(a, as_tuple=True)": ({ a }) => a!.nonzero({ asTuple: true }),
  "torch.argwhere(a)": ({ a }) => tg.argwhere(a!),
  "F.normalize(a)": ({ a }) => tg.normalize(a!),
  "F.normalize(a, p=1.0, dim=0)": ({ a }) => tg.normalize(a!, { p: 1, dim: 0 }),
  "F.normalize(a, dim=1)": ({ a }) => tg.normalize(a!, { dim: 1 }),
  "F.normalize(a, p=float('inf'), dim=-1)": ({ a }) => tg.normalize(a!, { p: Infinity, dim: -1 }),
  "F.normalize(a, p=3.0, dim=1, eps=0.8)": ({ a }) => tg.normalize(a!, { p: 3, dim: 1, eps: 0.8 }),
  "torch.take(a, i)": ({ a, i }) => a!.take(i!),
  "torch.take_along_dim(a, i, dim=1)": ({ a, i }) => a!.takeAlongDim(i!, 1),
  "torch.take_along_dim(a, i, dim=2)": ({ a, i }) => tg.takeAlongDim(a!, i!, 2),
  "torch.take_along_dim(a, i)": ({ a, i }) => tg.takeAlongDim(a!, i!),
  "torch.scatter(a, 1, i, b)": ({ a, i, b }) => a!.scatter(1, i!, b!),
  "torch.scatter(a, 0, i, 2.5)": ({ a, i }) => tg.scatter(a!, 0, i!, 2.5),
  "torch.scatter(a, 1, i, b, reduce='add')": ({ a, i, b }) => a!.scatter(1, i!, b!, { reduce: "add" }),
  "torch.scatter(a, 0, i, b, reduce='multiply')": ({ a, i, b }) => tg.scatter(a!, 0, i!, b!, { reduce: "multiply" }),
  ...Object.fromEntries(
    (["sum", "prod", "mean", "amax", "amin"] as const).flatMap((r) =>
      [true, false].map((self) => [
        `torch.scatter_reduce(a, 0, i, b, '${r}', include_self=${self ? "True" : "False"})`,
        ({ a, i, b }: Inputs) => a!.scatterReduce(0, i!, b!, r, { includeSelf: self }),
      ]),
    ),
  ),
  "a[i, j]": ({ a, i, j }) => a!.index([i!, j!]),
  "a[:, i]": ({ a, i }) => tg.index(a!, [null, i!]),
  "a[i, :, j]": ({ a, i, j }) => a!.index([i!, null, j!]),
  "a[:, i, j]": ({ a, i, j }) => a!.index([null, i!, j!]),
  "a.index_put((i, j), v)": ({ a, i, j, v }) => a!.indexPut([i!, j!], v!),
  "a.index_put((i,), v, accumulate=True)": ({ a, i, v }) => tg.indexPut(a!, [i!], v!, { accumulate: true }),
  "torch.movedim(a, (0, 1), (2, 0))": ({ a }) => a!.movedim([0, 1], [2, 0]),
  "torch.swapaxes(a, 0, 2)": ({ a }) => tg.swapaxes(a!, 0, 2),
  "a.unflatten(1, (2, -1))": ({ a }) => a!.unflatten(1, [2, -1]),
  "torch.meshgrid(x, y, z, indexing='ij')": ({ x, y, z }) => tg.meshgrid([x!, y!, z!], { indexing: "ij" }),
  "torch.meshgrid(x, y, indexing='xy')": ({ x, y }) => tg.meshgrid([x!, y!], { indexing: "xy" }),
  "torch.outer(a, b)": ({ a, b }) => a!.outer(b!),
  "torch.bmm(a, b)": ({ a, b }) => tg.bmm(a!, b!),
  "torch.baddbmm(c, a, b, beta=0.5, alpha=2.0)": ({ a, b, c }) => c!.baddbmm(a!, b!, { beta: 0.5, alpha: 2 }),
  "torch.addmm(c, a, b)": ({ a, b, c }) => tg.addmm(c!, a!, b!),
  "torch.addmm(c, a, b, beta=0.0, alpha=-1.5)": ({ a, b, c }) => c!.addmm(a!, b!, { beta: 0, alpha: -1.5 }),
  "torch.einsum('ij,jk->ik', a, b)": ({ a, b }) => tg.einsum("ij,jk->ik", a!, b!),
  "torch.einsum('ii->i', a)": ({ a }) => tg.einsum("ii->i", a!),
  "torch.einsum('ii', a)": ({ a }) => tg.einsum("ii", a!),
  "torch.einsum('bij,bjk->bik', a, b)": ({ a, b }) => tg.einsum("bij,bjk->bik", a!, b!),
  "torch.einsum('...ij,...jk', a, b)": ({ a, b }) => tg.einsum("...ij,...jk", a!, b!),
  "torch.einsum('i,i->', a, b)": ({ a, b }) => tg.einsum("i,i->", a!, b!),
  "torch.einsum('ijk,kj->i', a, b)": ({ a, b }) => tg.einsum("ijk,kj->i", a!, b!),
  "torch.einsum('ij,jk,kl->il', a, b, c)": ({ a, b, c }) => tg.einsum("ij,jk,kl->il", a!, b!, c!),
  "torch.einsum('bn,anm,bm->ba', l, w, r)": ({ l, w, r }) => tg.einsum("bn,anm,bm->ba", l!, w!, r!),
  "torch.einsum('j,i', a, b)": ({ a, b }) => tg.einsum("j,i", a!, b!),
  "torch.einsum('iij,jk->ik', a, b)": ({ a, b }) => tg.einsum("iij,jk->ik", a!, b!),
  "torch.einsum('ijk->k', a)": ({ a }) => tg.einsum("ijk->k", a!),
  "torch.tensordot(a, b, dims=2)": ({ a, b }) => tg.tensordot(a!, b!, 2),
  "torch.tensordot(a, b, dims=([1, 0], [0, 2]))": ({ a, b }) => tg.tensordot(a!, b!, [[1, 0], [0, 2]]),
  "torch.kron(a, b)": ({ a, b }) => a!.kron(b!),
  "a.unfold(1, 3, 2)": ({ a }) => a!.unfold(1, 3, 2),
  "a.unfold(0, 2, 1)": ({ a }) => tg.unfold(a!, 0, 2, 1),
  "torch.cross(a, b, dim=1)": ({ a, b }) => a!.cross(b!, 1),
  "torch.cross(a, b)": ({ a, b }) => tg.cross(a!, b!),

  "torch.linspace(-1.5, 2.25, 7)": (_, dtype) => tg.linspace(-1.5, 2.25, 7, { dtype }),
  "torch.linspace(3, 5, 1)": (_, dtype) => tg.linspace(3, 5, 1, { dtype }),
  "torch.logspace(-1, 2, 5, base=2)": (_, dtype) => tg.logspace(-1, 2, 5, 2, { dtype }),
  "torch.logspace(0, 3, 4)": (_, dtype) => tg.logspace(0, 3, 4, 10, { dtype }),
  "torch.triu_indices(4, 5, 1)": () => i32(tg.triuIndices(4, 5, 1)),
  "torch.tril_indices(4, 3, -1)": () => i32(tg.trilIndices(4, 3, -1)),
};

const dir = fileURLToPath(new URL("./fixtures/torch-ops/", import.meta.url));
const FIXTURES = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(dir + f, "utf8")) as Fixture);

/** The fixture's numbers, with the strings standing for NaN and ±Infinity read back. */
const finite = (t: FixtureTensor): FixtureTensor => ({ ...t, data: t.data.map((v) => (typeof v === "string" ? Number(v) : v)) });

/** |actual - expected| <= atol + rtol |expected| everywhere, NaN matching NaN. */
function expectClose(actual: Tensor | undefined, expected: FixtureTensor, label: string, rtol: number, atol: number): void {
  if (!actual) throw new Error(`${label}: no tensor`);
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  const got = actual.data();
  finite(expected).data.forEach((e, k) => {
    const v = got[k]!;
    const want = Number(e);
    if (Number.isNaN(want) && Number.isNaN(v)) return;
    if (!(Math.abs(v - want) <= atol + rtol * Math.abs(want))) throw new Error(`${label}: element ${k} is ${v} but expected ${want} (rtol ${rtol})`);
  });
}

function run(fixture: Fixture, dtype: DType, rtol: number, atol: number): void {
  const expr = fixture.config.expr as string;
  const build = EXPRESSIONS[expr];
  if (!build) throw new Error(`${fixture.name}: no tapegrad expression for ${expr}`);
  const inputs: Inputs = {};
  for (const [name, t] of Object.entries(fixture.inputs) as [string, FixtureTensor][]) {
    const x = toTensor(finite(t), "float64");
    inputs[name] = x.dtype === "int32" ? x : x.to(dtype).detach().requiresGrad_(name in fixture.grads!);
  }
  const result = build(inputs, dtype);
  const outputs: Record<string, Tensor> = Array.isArray(result)
    ? Object.fromEntries(result.map((t, i) => [("values" in fixture.outputs ? ["values", "indices"][i] : `out${i}`)!, t]))
    : { out: result };
  expect(Object.keys(outputs).sort()).toEqual(Object.keys(fixture.outputs).sort());
  let loss: Tensor | null = null;
  for (const [name, expected] of Object.entries(fixture.outputs) as [string, FixtureTensor][]) {
    const actual = outputs[name]!;
    expectClose(actual, expected, `${fixture.name} output ${name}`, rtol, atol);
    const g = fixture.loss![`g_${name}`] as FixtureTensor | undefined;
    if (!g || !actual.requiresGrad) continue;
    const term = actual.where(actual.eq(actual), 0).mul(toTensor(g).to(dtype)).sum();
    loss = loss ? loss.add(term) : term;
  }
  const grads = Object.entries(fixture.grads!);
  if (grads.length === 0) return;
  if (!loss) {
    // an output without a gradient (norm with p = 0): PyTorch's gradient must be zero there
    grads.forEach(([name, expected]) => expect(finite(expected).data.every((v) => v === 0), `${fixture.name} grad ${name}`).toBe(true));
    return;
  }
  const got = tg.grad(loss!, grads.map(([name]) => inputs[name]!), { allowUnused: true });
  grads.forEach(([name, expected], k) => expectClose(got[k] ?? tg.zerosLike(inputs[name]!), expected, `${fixture.name} grad ${name}`, rtol, atol));
}

describe("golden reduction, shape, indexing and creation fixtures (PyTorch 1.13)", () => {
  it("finds every fixture and has an expression for each", () => {
    expect(FIXTURES.length).toBe(146);
    expect(FIXTURES.filter((f) => !EXPRESSIONS[f.config.expr as string]).map((f) => f.name)).toEqual([]);
  });
  for (const fixture of FIXTURES) {
    it(`${fixture.name} (float64, rtol 1e-9)`, () => run(fixture, "float64", 1e-9, 1e-12));
    it(`${fixture.name} (float32, rtol 1e-4)`, () => run(fixture, "float32", 1e-4, 1e-5));
  }
});
