import { describe, expect, it } from "vitest";
import { Generator, tensor } from "@tapegrad/autograd";
import { GRU, LSTM, Linear, Sequential, removeSpectralNorm, removeWeightNorm, spectralNorm, weightNorm } from "@tapegrad/nn";
import { randn64 } from "./helpers";

const dtype = "float64" as const;

describe("weightNorm", () => {
  it("computes weight = g · v / ‖v‖ per output row (dim 0) before every forward", () => {
    const lin = weightNorm(new Linear(2, 2, { dtype, bias: false }));
    lin.loadStateDict({ weight_g: tensor([[10], [1]], { dtype }), weight_v: tensor([[3, 4], [0, -2]], { dtype }) });
    expect(lin.forward(tensor([[1, 0], [0, 1]], { dtype })).tolist()).toEqual([[6, 0], [8, -1]]);
    expect(lin.weight.tolist()).toEqual([[6, 8], [0, -1]]);
  });

  it("names the recurrent weight's parts as PyTorch (weight_hh_l0_g, weight_hh_l0_v) and round-trips its own state dict", () => {
    const lstm = weightNorm(new LSTM({ inputSize: 2, hiddenSize: 3, dtype, generator: new Generator(1) }), "weight_hh_l0");
    expect(Object.keys(lstm.stateDict())).toEqual(["weight_ih_l0", "bias_ih_l0", "bias_hh_l0", "weight_hh_l0_g", "weight_hh_l0_v"]);
    const copy = weightNorm(new LSTM({ inputSize: 2, hiddenSize: 3, dtype, generator: new Generator(2) }), "weight_hh_l0");
    copy.loadStateDict(lstm.stateDict());
    const x = randn64([4, 1, 2], 3);
    expect(copy.forward(x)[0].tolist()).toEqual(lstm.forward(x)[0].tolist());
  });

  it("is undone by removeWeightNorm (the same weight, as one Parameter) and follows .to()", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, generator: new Generator(4) });
    const before = gru.stateDict().weight_ih_l0!.tolist();
    weightNorm(gru, "weight_ih_l0").to("float64");
    expect(gru.forward(randn64([2, 1, 2], 5))[0].dtype).toBe("float64");
    removeWeightNorm(gru, "weight_ih_l0");
    expect(Object.keys(gru.stateDict())).toEqual(["weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0"]);
    (gru.stateDict().weight_ih_l0!.tolist() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo((before as number[][])[i]![j]!, 6)));
  });

  it("rejects unknown parameters, a second registration, a bad dim, and removal without one", () => {
    expect(() => weightNorm(new Linear(2, 2), "wieght")).toThrow(/weightNorm: Linear has no parameter "wieght"; its parameters are weight, bias/);
    const lin = weightNorm(new Linear(2, 2));
    expect(() => weightNorm(lin)).toThrow(/weightNorm: Linear has no parameter "weight"/);
    expect(() => weightNorm(new Linear(2, 2), "weight", 2)).toThrow(/weightNorm: dim must be null or an integer in \[-2, 2\) for "weight" of shape \[2, 2\], got 2/);
    expect(() => weightNorm(new Sequential(new Linear(2, 2)), "0.weight")).toThrow(/weightNorm: "0.weight" belongs to a submodule; apply weightNorm to that module/);
    expect(() => removeWeightNorm(new Linear(2, 2))).toThrow(/removeWeightNorm: Linear has no weightNorm parametrization of "weight"/);
  });
});

describe("spectralNorm", () => {
  it("divides the weight by its largest singular value once power iteration has converged", () => {
    const lin = spectralNorm(new Linear(2, 2, { dtype, bias: false }), "weight", 30);
    lin.loadStateDict({ weight_orig: tensor([[3, 0], [0, -1]], { dtype }), weight_u: tensor([0.6, 0.8], { dtype }), weight_v: tensor([0.8, 0.6], { dtype }) });
    const y = lin.forward(tensor([[1, 1]], { dtype })).data();
    expect(y[0]).toBeCloseTo(1, 12);
    expect(y[1]).toBeCloseTo(-1 / 3, 12);
  });

  it("updates u and v only while training, and keeps PyTorch's names on a recurrent weight", () => {
    const gru = spectralNorm(new GRU({ inputSize: 2, hiddenSize: 3, dtype, generator: new Generator(6) }), "weight_hh_l0");
    expect(Object.keys(gru.stateDict())).toEqual(["weight_ih_l0", "bias_ih_l0", "bias_hh_l0", "weight_hh_l0_orig", "weight_hh_l0_u", "weight_hh_l0_v"]);
    expect(gru.parameters().length).toBe(4);
    const u0 = gru.stateDict().weight_hh_l0_u!.tolist();
    gru.eval().forward(randn64([2, 1, 2], 7));
    expect(gru.stateDict().weight_hh_l0_u!.tolist()).toEqual(u0);
    gru.train().forward(randn64([2, 1, 2], 7));
    expect(gru.stateDict().weight_hh_l0_u!.tolist()).not.toEqual(u0);
    removeSpectralNorm(gru, "weight_hh_l0");
    expect(Object.keys(gru.stateDict())).toEqual(["weight_ih_l0", "bias_ih_l0", "bias_hh_l0", "weight_hh_l0"]);
  });

  it("rejects a non-positive number of power iterations and a bad dim", () => {
    expect(() => spectralNorm(new Linear(2, 2), "weight", 0)).toThrow(/spectralNorm: nPowerIterations must be a positive integer, got 0/);
    expect(() => spectralNorm(new Linear(2, 2), "bias", 1, 1e-12, 1)).toThrow(/spectralNorm: dim must be an integer in \[-1, 1\) for "bias" of shape \[2\], got 1/);
  });
});
