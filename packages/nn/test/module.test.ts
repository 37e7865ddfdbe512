import { describe, expect, it } from "vitest";
import { Generator, tensor, zeros, type Tensor } from "@tapegrad/autograd";
import { Dropout, Embedding, LSTM, LayerNorm, Linear, Module, Parameter, ReLU, Sequential } from "@tapegrad/nn";

class Tagger extends Module {
  embed = new Embedding(10, 4, { dtype: "float64", generator: new Generator(1) });
  lstm = new LSTM({ inputSize: 4, hiddenSize: 3, bidirectional: true, dtype: "float64", generator: new Generator(2) });
  norm = new LayerNorm(6, { dtype: "float64" });
  head = new Sequential(new Linear(6, 5, { dtype: "float64", generator: new Generator(3) }), new ReLU(), new Dropout(0.5));
  scale = new Parameter(tensor([2], { dtype: "float64" }));

  forward(ids: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(ids));
    return this.head.forward(this.norm.forward(out)).mul(this.scale);
  }
}

describe("Module", () => {
  it("finds parameters and children by property, with PyTorch's dotted names in assignment order", () => {
    const names = new Tagger().namedParameters().map(([n]) => n);
    expect(names).toEqual([
      "scale",
      "embed.weight",
      "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
      "lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse", "lstm.bias_hh_l0_reverse",
      "norm.weight", "norm.bias",
      "head.0.weight", "head.0.bias",
    ]);
    expect(new Tagger().parameters().every((p) => p instanceof Parameter && p.requiresGrad && p.isLeaf)).toBe(true);
  });

  it("round-trips a state dict into a fresh model and gives the same outputs", () => {
    const a = new Tagger().eval();
    const b = new Tagger().eval();
    b.embed.weight.detach().mul_(0);
    const ids = tensor([[1, 2], [3, 4], [5, 6]], { dtype: "int32" });
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.forward(ids).data())).toEqual(Array.from(a.forward(ids).data()));
  });

  it("stateDict shares storage but is detached", () => {
    const m = new Linear(2, 2);
    const sd = m.stateDict();
    expect(sd.weight!.requiresGrad).toBe(false);
    sd.weight!.fill_(3);
    expect(Array.from(m.weight.data())).toEqual([3, 3, 3, 3]);
  });

  it("names every missing key, unexpected key and shape mismatch in one error, and loads nothing", () => {
    const m = new Tagger();
    const before = Array.from(m.scale.data());
    const sd = { ...m.stateDict() };
    delete sd["norm.bias"];
    delete sd["lstm.weight_hh_l0"];
    sd["extra.weight"] = zeros([1]);
    sd["head.0.weight"] = zeros([6, 5], { dtype: "float64" });
    sd.scale = tensor([5], { dtype: "float64" });
    let message = "";
    try {
      m.loadStateDict(sd);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("size mismatch for head.0.weight: the model has shape [5, 6], the state dict has [6, 5]");
    expect(message).toContain("missing keys: lstm.weight_hh_l0, norm.bias");
    expect(message).toContain("unexpected keys: extra.weight");
    expect(Array.from(m.scale.data())).toEqual(before);
  });

  it("non-strict loading skips missing and unexpected keys and reports them", () => {
    const m = new Linear(2, 3, { dtype: "float64" });
    const result = m.loadStateDict({ weight: zeros([3, 2], { dtype: "float64" }), other: zeros([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["other"] });
    expect(Array.from(m.weight.data())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => m.loadStateDict({ weight: zeros([2, 2]) }, { strict: false })).toThrow(/size mismatch for weight/);
  });

  it("converts values to the parameters' dtype when loading, and .to() converts the model", () => {
    const m = new Linear(2, 1);
    m.loadStateDict({ weight: tensor([[0.1, 0.2]], { dtype: "float64" }), bias: tensor([0.3], { dtype: "float64" }) });
    expect(m.weight.dtype).toBe("float32");
    expect(m.weight.data()[0]).toBe(Math.fround(0.1));
    m.to("float64");
    expect(m.weight.dtype).toBe("float64");
    expect(m.weight).toBeInstanceOf(Parameter);
    expect(m.parameters().map((p) => p.dtype)).toEqual(["float64", "float64"]);
  });

  it("train() and eval() reach every module below", () => {
    const m = new Tagger();
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    expect(m.lstm.cells[1]!.training).toBe(false);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
  });

  it("zeroGrad clears every gradient", () => {
    const m = new Tagger();
    m.forward(tensor([[1], [2]], { dtype: "int32" })).sum().backward();
    expect(m.parameters().filter((p) => p.grad !== null).length).toBeGreaterThan(10);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("rejects an int32 trainable parameter", () => {
    expect(() => new Parameter(zeros([2], { dtype: "int32" }))).toThrow(/Parameter: a trainable parameter must be float32 or float64, got int32/);
  });
});

describe("Module: shared parameters", () => {
  it("lists a parameter used in two places once, under its first name", () => {
    class Tied extends Module {
      encoder = new Linear(3, 3);
      decoder = new Linear(3, 3);
      constructor() {
        super();
        this.decoder.weight = this.encoder.weight;
      }
      forward(x: Tensor): Tensor {
        return this.decoder.forward(this.encoder.forward(x));
      }
    }
    expect(new Tied().namedParameters().map(([n]) => n)).toEqual(["encoder.weight", "encoder.bias", "decoder.bias"]);
  });
});

describe("Module: tied modules and parameters in state dicts (PyTorch's state_dict rules)", () => {
  class TiedModules extends Module {
    a: Linear;
    b: Linear;
    constructor() {
      super();
      this.a = this.b = new Linear(2, 2, { dtype: "float64", generator: new Generator(4) });
    }
    forward(x: Tensor): Tensor {
      return this.b.forward(this.a.forward(x));
    }
  }
  class TwiceRegistered extends Module {
    w1: Parameter;
    w2: Parameter;
    constructor() {
      super();
      this.w1 = this.w2 = new Parameter(tensor([1, 2], { dtype: "float64" }));
    }
    forward(x: Tensor): Tensor {
      return x.mul(this.w1).mul(this.w2);
    }
  }

  it("stateDict has every name, parameters() each Parameter once", () => {
    const m = new TiedModules();
    expect(Object.keys(m.stateDict())).toEqual(["a.weight", "a.bias", "b.weight", "b.bias"]);
    expect(m.parameters()).toEqual([m.a.weight, m.a.bias]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["a.weight", "a.bias"]);
    const t = new TwiceRegistered();
    expect(Object.keys(t.stateDict())).toEqual(["w1", "w2"]);
    expect(t.parameters()).toHaveLength(1);
  });

  it("loads a dict with both key sets, and strict loading wants both", () => {
    const m = new TiedModules();
    const w = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    const bias = tensor([5, 6], { dtype: "float64" });
    m.loadStateDict({ "a.weight": w, "a.bias": bias, "b.weight": w, "b.bias": bias });
    expect(Array.from(m.b.weight.data())).toEqual([1, 2, 3, 4]);
    expect(m.a.weight).toBe(m.b.weight);
    expect(() => m.loadStateDict({ "a.weight": w, "a.bias": bias })).toThrow(/missing keys: b.weight, b.bias/);
    const t = new TwiceRegistered();
    t.loadStateDict({ w1: tensor([7, 8], { dtype: "float64" }), w2: tensor([7, 8], { dtype: "float64" }) });
    expect(Array.from(t.w1.data())).toEqual([7, 8]);
  });

  it("to() converts each shared Parameter once, in place, with its gradient", () => {
    const m = new TiedModules();
    const weight = m.a.weight;
    m.forward(tensor([[1, 1]], { dtype: "float64" })).sum().backward();
    const grad = Array.from(weight.grad!.data()).map(Math.fround);
    m.to("float32");
    expect(m.a.weight).toBe(weight);
    expect(m.b.weight).toBe(weight);
    expect(weight.dtype).toBe("float32");
    expect(weight.requiresGrad && weight.isLeaf).toBe(true);
    expect(weight.grad!.dtype).toBe("float32");
    expect(Array.from(weight.grad!.data())).toEqual(grad);
    expect(() => m.to("int32")).toThrow(/TiedModules.to: parameters can be converted to "float32" or "float64", got "int32"/);
  });
});

describe("typing of generic code over modules", () => {
  it("a function taking any Module can call forward, and size(dim) is a number", () => {
    const apply = (model: Module, x: Tensor): unknown => model.forward(x);
    const out = apply(new Linear(3, 2), zeros([4, 3])) as Tensor;
    const rows: number = out.size(0);
    const shape: number[] = out.size();
    expect([rows, shape]).toEqual([4, [4, 2]]);
  });
});
