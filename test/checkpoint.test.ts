import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultGenerator, Generator, isTensor, tensor, type Tensor } from "@tapegrad/autograd";
import { CHECKPOINT_KEY, decodeCheckpoint, decodeSafetensors, Dropout, encodeCheckpoint, encodeSafetensors, Linear, Module, Sequential, Tanh } from "@tapegrad/nn";
import { loadCheckpoint, saveCheckpoint } from "@tapegrad/nn/node";
import { SGD } from "@tapegrad/optim";
import { build, train, type Run } from "./helpers/resume";

/** Any nested state with its tensors replaced by { dtype, shape, data }, for exact comparison. */
function plain(v: unknown): unknown {
  if (isTensor(v)) return { dtype: v.dtype, shape: v.shape, data: Array.from(v.data()) };
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The dotted paths of every tensor in a nested state, found without knowing its key names. */
function tensorPaths(v: unknown, path: string[] = []): string[] {
  if (isTensor(v)) return [path.join(".")];
  if (typeof v === "object" && v !== null) return Object.entries(v).flatMap(([k, x]) => tensorPaths(x, [...path, k]));
  return [];
}

function everything(run: Run): unknown {
  return plain({ model: run.model.stateDict(), optimizer: run.optimizer.stateDict(), scheduler: run.scheduler.stateDict(), generator: run.generator.getState(), defaultGenerator: defaultGenerator.getState() });
}

function trained(): Run {
  const run = build("Adam", "StepLR", 1);
  train(run, 3);
  return run;
}

describe("checkpoints", () => {
  it("stores every tensor under its dotted path and the rest as JSON metadata", () => {
    const run = trained();
    const { tensors, metadata } = decodeSafetensors(encodeCheckpoint({ ...run, epoch: 3 }));
    const expected = [...tensorPaths(run.model.stateDict(), ["model"]), ...tensorPaths(run.optimizer.stateDict(), ["optimizer"]), ...tensorPaths(run.scheduler.stateDict(), ["scheduler"])];
    expect(expected).toContain("model.0.weight");
    expect(expected.filter((p) => p.startsWith("optimizer.state.0.")).length).toBeGreaterThan(0);
    expect(Object.keys(tensors).sort()).toEqual(expected.sort());
    expect(Object.keys(metadata!)).toEqual([CHECKPOINT_KEY]);
  });

  it("restores model, optimizer, scheduler and both generators, and returns the plain values", () => {
    const run = trained();
    const values = { epoch: 3, history: [1.5, NaN, -Infinity, -0], best: Infinity, note: "ünïcode ✓", flags: { ["__proto__"]: true, "a.b": null }, extra: tensor([1, 2], { dtype: "int32" }) };
    const bytes = encodeCheckpoint({ ...run, ...values });
    const saved = everything(run);
    const fresh = build("Adam", "StepLR", 7);
    defaultGenerator.manualSeed(99);
    const back = decodeCheckpoint(bytes, fresh);
    expect(everything(fresh)).toEqual(saved);
    expect(Object.keys(back)).toEqual(Object.keys(values));
    expect(back.history).toEqual([1.5, NaN, -Infinity, -0]);
    expect(Object.is((back.history as number[])[3], -0)).toBe(true);
    expect([back.epoch, back.best, back.note]).toEqual([3, Infinity, "ünïcode ✓"]);
    expect(Object.entries(back.flags as object)).toEqual([["__proto__", true], ["a.b", null]]);
    expect(plain(back.extra)).toEqual(plain(values.extra));
  });

  it("leaves the default generator alone with defaultGenerator: false, and needs no optimizer to load a model", () => {
    const run = trained();
    const bytes = encodeCheckpoint({ model: run.model, optimizer: run.optimizer });
    const model = build("Adam", "StepLR", 5).model;
    defaultGenerator.manualSeed(42);
    const before = defaultGenerator.getState();
    decodeCheckpoint(bytes, { model, defaultGenerator: false });
    expect(defaultGenerator.getState()).toEqual(before);
    expect(plain(model.stateDict())).toEqual(plain(run.model.stateDict()));
  });

  describe("a failing load changes nothing", () => {
    const good = trained();
    const bytes = encodeCheckpoint({ ...good, epoch: 1 });
    const truncated = bytes.subarray(0, bytes.length - 4);
    const notCheckpoint = encodeSafetensors({ w: tensor([1]) });
    const badGenerator = (() => {
      const { tensors, metadata } = decodeSafetensors(bytes);
      const meta = JSON.parse(metadata![CHECKPOINT_KEY]!);
      meta.json.defaultGenerator.s = [0, 0, 0, 0];
      return encodeSafetensors(tensors, { [CHECKPOINT_KEY]: JSON.stringify(meta) });
    })();
    const withoutOptimizer = encodeCheckpoint({ model: good.model });
    const linear = new Linear(3, 8);
    const ofLinear = encodeCheckpoint({ ...good, model: linear });
    const ofNarrow = encodeCheckpoint({ model: new Sequential(new Linear(3, 4), new Tanh(), new Dropout(0.25), new Linear(4, 2)) });

    it.each<[string, (run: Run) => unknown, RegExp]>([
      ["a model of other shapes", (run) => decodeCheckpoint(ofNarrow, { model: run.model }), /does not fit this Sequential, nothing was changed: size mismatch for 0.weight: the model has shape \[8, 3\], the state dict has \[4, 3\]/],
      ["another model", (run) => decodeCheckpoint(bytes, { ...run, model: linear }), /does not fit this Linear, nothing was changed: missing keys: weight, bias; unexpected keys: 0.weight/],
      ["a missing key", (run) => decodeCheckpoint(ofLinear, run), /does not fit this Sequential.*missing keys: 0.weight, 0.bias, 3.weight, 3.bias/],
      ["a truncated file", (run) => decodeCheckpoint(truncated, run), /^decodeCheckpoint: decodeSafetensors: .*beyond the/],
      ["a safetensors file that is not a checkpoint", (run) => decodeCheckpoint(notCheckpoint, run), /not a checkpoint \(its __metadata__ has no "tapegrad.checkpoint" entry\)/],
      ["a damaged generator state", (run) => decodeCheckpoint(badGenerator, run), /the stored defaultGenerator state .* is not a generator state/],
      ["no optimizer in the file", (run) => decodeCheckpoint(withoutOptimizer, run), /the checkpoint has no optimizer state, but a optimizer was given/],
      ["an optimizer of another shape (fails after the model loaded)", (run) => decodeCheckpoint(bytes, { ...run, optimizer: new SGD([...run.model.parameters(), tensor([1], { requiresGrad: true })], { lr: 1 }) }), /the optimizer state does not load, nothing was changed: SGD.loadStateDict/],
      ["an unknown option", (run) => decodeCheckpoint(bytes, { ...run, modle: run.model } as Run), /decodeCheckpoint: unknown option "modle"/],
    ])("%s", (_name, load, message) => {
      const run = build("Adam", "StepLR", 3);
      train(run, 2);
      const before = everything(run);
      expect(() => load(run)).toThrow(message);
      expect(everything(run)).toEqual(before);
    });

    it("a corrupt file on disk: loadCheckpoint names the path, and saveCheckpoint replaces files atomically", () => {
      const dir = mkdtempSync(join(tmpdir(), "tapegrad-ckpt-"));
      const path = join(dir, "run.ckpt");
      saveCheckpoint(path, { ...good, epoch: 1 });
      saveCheckpoint(path, { ...good, epoch: 2 });
      expect(readdirSync(dir)).toEqual(["run.ckpt"]);
      const run = build("Adam", "StepLR", 3);
      expect(loadCheckpoint(path, run)).toEqual({ epoch: 2 });
      const file = readFileSync(path);
      file[20] ^= 0xff;
      writeFileSync(path, file);
      const before = everything(run);
      expect(() => loadCheckpoint(path, run)).toThrow(/^loadCheckpoint\(".*run.ckpt"\): decodeCheckpoint: decodeSafetensors: the header is not valid UTF-8 JSON/);
      expect(everything(run)).toEqual(before);
    });
  });

  it("refuses what is not data, and two values stored under one name", () => {
    const model = new Linear(1, 1);
    expect(() => encodeCheckpoint({ model, log: { fn: () => 1 } })).toThrow(/encodeCheckpoint: the value at "log" → "fn" is function; a checkpoint holds plain objects, arrays, numbers, strings, booleans, null and Tensors/);
    expect(() => encodeCheckpoint({ model, seen: new Set([1]) })).toThrow(/the value at "seen" is a Set/);
    expect(() => encodeCheckpoint({ model, a: { b: tensor([1]) }, ["a.b"]: tensor([2]) })).toThrow(/two tensors would both be stored as "a.b"/);
    expect(() => encodeCheckpoint({ model: {} as Module })).toThrow(/encodeCheckpoint: model must be a Module, got Object/);
    expect(() => encodeCheckpoint({ model, defaultGenerator: 1 })).toThrow(/"defaultGenerator" is reserved/);
    expect(() => encodeCheckpoint({ model, generator: new Generator(1), xs: [undefined] })).toThrow(/the value at "xs" → 0 is undefined/);
  });
});

describe("Module.to keeps Parameter identity (as PyTorch's module.to)", () => {
  it("an optimizer created before the conversion still updates the model", () => {
    const model = new Linear(2, 1, { generator: new Generator(3) });
    const opt = new SGD(model.parameters(), { lr: 0.5 });
    const params = model.parameters();
    model.to("float64");
    expect(model.parameters()).toEqual(params);
    expect(model.parameters().every((p, i) => p === params[i] && p.dtype === "float64")).toBe(true);
    const [w0, b0] = [Array.from(model.weight.data()), model.bias!.data()[0]!];
    // loss = w·x + b with x = [1, 2]: dw = x, db = 1, so one step moves w by -lr·x and b by -lr.
    model.forward(tensor([[1, 2]], { dtype: "float64" })).sum().backward();
    opt.step();
    expect(Array.from(model.weight.data())).toEqual([w0[0]! - 0.5, w0[1]! - 1]);
    expect(model.bias!.data()[0]).toBe(b0 - 0.5);
  });
});
