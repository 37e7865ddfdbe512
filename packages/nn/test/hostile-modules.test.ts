import { Generator, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { Dropout, Embedding, Linear, Module, ModuleDict, ModuleList, Parameter, binaryCrossEntropyWithLogits, dropout, init } from "../src/index";

// PyTorch 1.13 registers nn.ModuleList and nn.ModuleDict children under their index or key
// (state_dict keys "layers.0.weight", "heads.a.weight") and silently ignores modules in a plain
// list or dict. Arrays of modules are registered here already; plain objects, Maps, Sets and
// nested arrays holding modules or parameters are refused (README, Differences from PyTorch).
describe("ModuleList and ModuleDict register their modules like PyTorch's", () => {
  class Net extends Module {
    layers = new ModuleList([new Linear(2, 3), new Linear(3, 1)]);
    heads = new ModuleDict({ a: new Linear(1, 1), b: new Linear(1, 2) });
    forward(x: Tensor) {
      let h = x;
      for (const layer of this.layers) h = (layer as Linear).forward(h);
      return (this.heads.get("b") as Linear).forward(h);
    }
  }

  it("names parameters by index and key, in order, and loads them back", () => {
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual([
      "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
      "heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias",
    ]);
    expect(net.parameters()).toHaveLength(8);
    const other = new Net();
    other.loadStateDict(net.stateDict());
    expect(other.layers.get(-1) instanceof Linear).toBe(true);
    expect((other.layers.get(0) as Linear).weight.tolist()).toEqual((net.layers.get(0) as Linear).weight.tolist());
    expect(net.forward(zeros([4, 2])).shape).toEqual([4, 2]);
  });

  it("appends, inserts and replaces", () => {
    const list = new ModuleList().append(new Linear(1, 1)).insert(0, new Linear(2, 2));
    expect(list.length).toBe(2);
    expect(Object.keys(list.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect((list.get(0) as Linear).inFeatures).toBe(2);
    const dict = new ModuleDict([["x", new Linear(1, 1)]]);
    dict.set("x", new Linear(3, 1));
    expect(dict.keys()).toEqual(["x"]);
    expect((dict.get("x") as Linear).inFeatures).toBe(3);
  });

  it.each<[string, () => unknown, string]>([
    ["a non-module in a ModuleList", () => new ModuleList([new Linear(1, 1), 3 as unknown as Module]), "ModuleList: module 1 must be a Module, got 3"],
    ["an index out of range", () => new ModuleList([new Linear(1, 1)]).get(1.5), "ModuleList.get: index 1.5 is out of range for 1 module(s)"],
    ["a dotted key", () => new ModuleDict({ "a.b": new Linear(1, 1) }), 'ModuleDict: key "a.b" must be a non-empty string without "."'],
    ["a missing key", () => new ModuleDict({ a: new Linear(1, 1) }).get("b"), 'ModuleDict.get: no module under "b" (keys: a)'],
    ["forward of a container", () => new ModuleList().forward(), "ModuleList: a ModuleList has no forward"],
  ])("refuses %s", (_name, fn, message) => expect(fn).toThrow(message));

  class Holder extends Module {
    forward(x: Tensor) {
      return x;
    }
  }
  it.each<[string, () => Module, string]>([
    ["modules in a plain object", () => Object.assign(new Holder(), { heads: { a: new Linear(1, 1) } }), "Holder: property 'heads' holds modules inside a plain object, where parameters() and stateDict() cannot see them; use ModuleList or ModuleDict"],
    ["modules in a Map", () => Object.assign(new Holder(), { heads: new Map([["a", new Linear(1, 1)]]) }), "property 'heads' holds modules inside a Map"],
    ["modules in a nested array", () => Object.assign(new Holder(), { grid: [[new Linear(1, 1)]] }), "property 'grid.0' holds modules inside a nested array"],
    ["parameters in an array", () => Object.assign(new Holder(), { weights: [new Parameter(zeros([2]))] }), "property 'weights.0' holds a Parameter inside the array 'weights'"],
    ["parameters in a plain object", () => Object.assign(new Holder(), { weights: { w: new Parameter(zeros([2])) } }), "property 'weights' holds parameters inside a plain object"],
  ])("a module with %s is an error, not a silent omission", (_name, make, message) => {
    const m = make();
    expect(() => m.parameters()).toThrow(message);
    expect(() => m.stateDict()).toThrow(message);
  });
});

describe("layer options are checked by type", () => {
  // PyTorch 1.13: nn.Dropout(p=1.5) "dropout probability has to be between 0 and 1, but got 1.5"
  it.each<[string, () => unknown, string]>([
    ['Dropout("0.5")', () => new Dropout("0.5" as unknown as number), 'Dropout: probability p must be a number in [0, 1], got "0.5"'],
    ["Dropout(true)", () => new Dropout(true as unknown as number), "Dropout: probability p must be a number in [0, 1], got true"],
    ["dropout(x, NaN)", () => dropout(zeros([2]), NaN), "dropout: probability p must be a number in [0, 1], got NaN"],
    ["Embedding(-1, 3)", () => new Embedding(-1, 3), "Embedding: numEmbeddings must be a positive integer, got -1"],
    ["Embedding(4, 2.5)", () => new Embedding(4, 2.5), "Embedding: embeddingDim must be a positive integer, got 2.5"],
    ['init.uniform_(t, "0", 1)', () => init.uniform_(zeros([2]), "0" as unknown as number, 1), 'uniform_: expected numbers a <= b, got a="0", b=1'],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});

describe("numeric edges of nn", () => {
  // PyTorch 1.13 float64: binary_cross_entropy_with_logits at x = [inf, -inf, inf, -inf], t = [1, 0, .3, .3]
  // gives the loss [nan, nan, inf, nan] and the gradient σ(x) - t = [0, 0, 0.7, -0.3]
  it("the BCE-with-logits gradient at ±∞ logits is σ(x) - t, the loss PyTorch's", () => {
    const x = tensor([Infinity, -Infinity, Infinity, -Infinity, 0], { dtype: "float64", requiresGrad: true });
    const t = tensor([1, 0, 0.3, 0.3, 0.5], { dtype: "float64" });
    const loss = binaryCrossEntropyWithLogits(x, t, { reduction: "none" });
    expect(loss.tolist()).toEqual([NaN, NaN, Infinity, NaN, Math.LN2]);
    loss.sum().backward();
    const g = x.grad!.tolist() as number[];
    expect(g.slice(0, 2)).toEqual([0, 0]);
    expect(g[2]).toBeCloseTo(0.7, 15);
    expect(g[3]).toBeCloseTo(-0.3, 15);
    expect(g[4]).toBe(0);
  });

  // torch.nn.init.uniform_ draws from [a, b); float32 rounding of a draw close to b must not reach b
  it("init.uniform_ stays below b in float32 and float64, even for draws that round up to it", () => {
    const nearOne = { random: () => 1 - 2 ** -40, normal: () => 0 } as unknown as Generator;
    const f32 = init.uniform_(zeros([3]), 0, 1, { generator: nearOne });
    expect(Array.from(f32.data())).toEqual([1 - 2 ** -24, 1 - 2 ** -24, 1 - 2 ** -24]);
    const f64 = init.uniform_(zeros([2], { dtype: "float64" }), -3, 7, { generator: { random: () => 1 - 2 ** -60 } as unknown as Generator });
    expect(Math.max(...f64.data())).toBeLessThan(7);
    const negative = init.uniform_(zeros([1]), -2, -1, { generator: nearOne });
    expect(negative.item()).toBeLessThan(-1);
  });
});
