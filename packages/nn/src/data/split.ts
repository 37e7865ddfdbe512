import { describeValue, randperm, type Generator } from "@tapegrad/autograd";
import { checkGenerator } from "../arguments";
import { checkDataset, Subset, type Dataset } from "./dataset";

/**
 * The split sizes torch.utils.data.random_split (1.13) uses: fractions summing to 1 (within
 * 1e-9, and not above 1) become floor(n·f) each, then the remainder is handed out one by one
 * from the first split on; otherwise lengths must be integers summing to n.
 */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  if (!Array.isArray(lengths)) throw new Error(`randomSplit: lengths must be an array of lengths or fractions, got ${describeValue(lengths)}`);
  if (lengths.length === 0) throw new Error("randomSplit: expected at least one length or fraction");
  const total = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 * Math.max(Math.abs(total), 1) && total <= 1) {
    const sizes = lengths.map((f, i) => {
      if (!(f >= 0 && f <= 1)) throw new Error(`randomSplit: fraction ${f} at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    return sizes;
  }
  lengths.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0) {
      throw new Error(`randomSplit: length ${describeValue(k)} at index ${i} must be a non-negative integer (or pass fractions that sum to 1)`);
    }
  });
  if (total !== n) throw new Error(`randomSplit: lengths [${lengths.join(", ")}] sum to ${total}, expected the dataset length ${n}`);
  return [...lengths];
}

/**
 * Splits a dataset into non-overlapping Subsets of the given lengths (or fractions), through
 * one random permutation drawn from `generator` (the default generator if none).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator?: Generator): Subset<T>[] {
  const sizes = splitLengths(checkDataset("randomSplit", dataset), lengths);
  checkGenerator("randomSplit", generator);
  const order = Array.from(randperm(dataset.length, { generator }).data());
  let offset = 0;
  return sizes.map((k) => new Subset(dataset, order.slice(offset, (offset += k))));
}
