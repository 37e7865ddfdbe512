import { describeValue, Generator, isTensor, type Tensor } from "@tapegrad/autograd";

/** A Tensor argument, or an error naming op, the argument and what was given instead. */
export function tensorArgument(op: string, name: string, value: unknown): Tensor {
  if (!isTensor(value)) throw new Error(`${op}: ${name} must be a Tensor, got ${describeValue(value)}`);
  return value as Tensor;
}

/** An optional boolean option: `fallback` when absent. */
export function booleanOption(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new Error(`${op}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

/** An optional Generator argument. */
export function checkGenerator(op: string, generator: unknown): Generator | undefined {
  if (generator !== undefined && !(generator instanceof Generator)) throw new Error(`${op}: generator must be a Generator, got ${describeValue(generator)}`);
  return generator;
}
