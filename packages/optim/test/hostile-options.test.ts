import { ones, type Tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { Adam, CosineAnnealingLR, ExponentialLR, SGD, StepLR, clipGradNorm, clipGradValue } from "../src/index";

const params = (): Tensor[] => [ones([2], { requiresGrad: true })];

// PyTorch 1.13: torch.optim.SGD(p, lr="0.1") fails comparing str and float ("'<' not supported");
// Adam betas=(0.9, 1.5) "Invalid beta parameter at index 1: 1.5"; StepLR(step_size=0.5) runs with a
// fractional step. We raise naming the option and the value (a string shown quoted).
describe("optimizer, clipping and scheduler options refuse the wrong type or range, naming the value", () => {
  const sgd = () => new SGD(params(), { lr: 0.1 });
  it.each<[string, () => unknown, string]>([
    ['SGD lr "0.1"', () => new SGD(params(), { lr: "0.1" as unknown as number }), 'SGD: lr must be a finite number, got "0.1"'],
    ["SGD lr NaN", () => new SGD(params(), { lr: NaN }), "SGD: lr must be a finite number, got NaN"],
    ["SGD nesterov 1", () => new SGD(params(), { lr: 0.1, momentum: 0.9, nesterov: 1 as unknown as boolean }), "SGD: nesterov must be true or false, got 1"],
    ["Adam betas [0.9, 1.5]", () => new Adam(params(), { betas: [0.9, 1.5] }), "Adam: betas[1] must be in [0, 1), got 1.5"],
    ['Adam eps "1e-8"', () => new Adam(params(), { eps: "1e-8" as unknown as number }), 'Adam: eps must be a finite number, got "1e-8"'],
    ["SGD params a string", () => new SGD("w" as unknown as Tensor[], { lr: 0.1 }), "SGD: expected a non-empty list of parameters or of parameter groups, got string"],
    ["clipGradNorm maxNorm NaN", () => clipGradNorm(params(), NaN), "clipGradNorm: maxNorm must be a finite number, got NaN"],
    ['clipGradNorm maxNorm "1"', () => clipGradNorm(params(), "1" as unknown as number), 'clipGradNorm: maxNorm must be a finite number, got "1"'],
    ['clipGradNorm normType "two"', () => clipGradNorm(params(), 1, "two" as unknown as number), 'clipGradNorm: normType must be a positive number or "inf", got two'],
    ["clipGradValue Infinity", () => clipGradValue(params(), Infinity), "clipGradValue: clipValue must be a finite number, got Infinity"],
    ["StepLR stepSize 0.5", () => new StepLR(sgd(), { stepSize: 0.5 }), "StepLR: stepSize must be a positive integer, got 0.5"],
    ['StepLR gamma "0.1"', () => new StepLR(sgd(), { stepSize: 1, gamma: "0.1" as unknown as number }), 'StepLR: gamma must be a finite number, got "0.1"'],
    ["ExponentialLR gamma NaN", () => new ExponentialLR(sgd(), { gamma: NaN }), "ExponentialLR: gamma must be a finite number, got NaN"],
    ["CosineAnnealingLR tMax 0", () => new CosineAnnealingLR(sgd(), { tMax: 0 }), "CosineAnnealingLR: tMax must be > 0, got 0"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));
});
