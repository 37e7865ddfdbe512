import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { Accuracy, ConfusionMatrix, F1Score, Perplexity } from "@tapegrad/nn";

const never = (v: unknown) => v as never;
const labels = (xs: number[]) => tensor(xs, { dtype: "int32" });

// torchmetrics raises for a target outside [0, num_classes) ("Detected more unique values in
// `target` than `num_classes`") before it updates its state; a NaN score it takes as a
// prediction. Here a NaN score is an error, and a batch is counted only once all of it is valid.
describe("classification metrics", () => {
  it.each<[string, () => unknown, string]>([
    ["no options", () => new (Accuracy as unknown as new () => Accuracy)(), "Accuracy: options must be an object, got undefined"],
    ["a string threshold", () => new Accuracy({ task: "binary", threshold: never("0.5") }), 'Accuracy: threshold must be a number in [0, 1], got "0.5"'],
    ["a fractional ignoreIndex", () => new F1Score({ task: "multiclass", numClasses: 3, ignoreIndex: 1.5 }), "F1Score: ignoreIndex must be an integer, got 1.5"],
    ["a string ignoreIndex", () => new ConfusionMatrix({ task: "multiclass", numClasses: 3, ignoreIndex: never("1") }), 'ConfusionMatrix: ignoreIndex must be an integer, got "1"'],
    ["a string numClasses", () => new Accuracy({ task: "multiclass", numClasses: never("3") }), 'Accuracy: multiclass needs numClasses, an integer >= 2, got "3"'],
    ["a fractional Perplexity ignoreIndex", () => new Perplexity({ ignoreIndex: 1.5 }), "Perplexity: ignoreIndex must be an integer, got 1.5"],
  ])("%s", (_name, fn, message) => expect(fn).toThrow(message));

  it.each<[string, () => [unknown, unknown], string]>([
    ["a target out of range after valid positions", () => [labels([0, 1, 2]), labels([0, 1, 5])], "Accuracy.update: target 5 at position 2 is not a class in [0, 3)"],
    ["a predicted label out of range after valid positions", () => [labels([0, 7]), labels([0, 1])], "Accuracy.update: predicted label 7 at position 1 is not a class in [0, 3)"],
    ["NaN scores", () => [tensor([[0.1, 0.2, 0.7], [NaN, 0, 0]]), labels([2, 0])], "Accuracy.update: preds [2, 3] hold NaN at flat index 3; a NaN score predicts no class"],
  ])("%s changes nothing", (_name, args, message) => {
    const acc = new Accuracy({ task: "multiclass", numClasses: 3 });
    acc.update(labels([0, 1]), labels([0, 2]));
    const [preds, target] = args();
    expect(() => acc.update(never(preds), never(target))).toThrow(message);
    expect(acc.compute()).toBe(0.5);
  });

  it("binary NaN probabilities are an error, not a prediction of 0", () => {
    const acc = new Accuracy({ task: "binary" });
    expect(() => acc.update(tensor([NaN, 0.7]), labels([0, 1]))).toThrow("Accuracy.update: preds [2] hold NaN at flat index 0; a NaN score predicts no class");
    expect(() => acc.compute()).toThrow("Accuracy.compute: no samples counted yet");
  });
});
