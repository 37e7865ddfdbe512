import { fmt, numel } from "../core/shape";
import type { Tensor } from "../core/tensor";
import { matmul } from "./matmul";
import { diagonal } from "./views";

/** A tensor with one label per dim: a letter, or `…k` for the k-th dim an ellipsis stands for. */
interface Labeled {
  t: Tensor;
  labels: string[];
}

const LETTERS = /^[a-zA-Z]*(\.\.\.)?[a-zA-Z]*$/;

function parseTerm(term: string, where: string, equation: string): { letters: string[]; ellipsisAt: number } {
  if (!LETTERS.test(term)) throw new Error(`einsum: invalid subscripts '${term}' for ${where} in '${equation}' (letters a-z, A-Z and at most one '...')`);
  const at = term.indexOf("...");
  return { letters: [...term.replace("...", "")], ellipsisAt: at < 0 ? -1 : [...term.slice(0, at)].length };
}

/** Labels of an operand's dims, ellipsis dims aligned from the right across operands (they broadcast). */
function labelOperand(term: string, t: Tensor, i: number, equation: string, ellipsisDims: number): string[] {
  const { letters, ellipsisAt } = parseTerm(term, `operand ${i}`, equation);
  const e = t.ndim - letters.length;
  if ((ellipsisAt < 0 && e !== 0) || e < 0) {
    throw new Error(`einsum: subscripts '${term}' of operand ${i} name ${letters.length} dims but the operand has shape ${fmt(t.shape)}`);
  }
  if (ellipsisAt < 0) return letters;
  const dots = Array.from({ length: e }, (_, k) => `…${ellipsisDims - e + k}`);
  return [...letters.slice(0, ellipsisAt), ...dots, ...letters.slice(ellipsisAt)];
}

/** Takes the diagonal of every repeated label (a trace when the label is then summed). */
function diagonals(op: Labeled): Labeled {
  let { t, labels } = op;
  for (;;) {
    const j = labels.findIndex((l, k) => labels.indexOf(l) !== k);
    if (j < 0) return { t, labels };
    const first = labels.indexOf(labels[j]!);
    t = diagonal(t, 0, first, j);
    labels = [...labels.filter((_, k) => k !== first && k !== j), labels[j]!];
  }
}

/** Sums out the labels nothing after this point needs. */
function sumUnneeded(op: Labeled, needed: Set<string>): Labeled {
  const dims = op.labels.flatMap((l, d) => (needed.has(l) ? [] : [d]));
  if (dims.length === 0) return op;
  return { t: op.t.sum(dims), labels: op.labels.filter((l) => needed.has(l)) };
}

/** a and b contracted over their shared labels nothing later needs, as one batched matmul. */
function contract(a: Labeled, b: Labeled, needed: Set<string>, sizes: Map<string, number>): Labeled {
  const batch = a.labels.filter((l) => b.labels.includes(l) && needed.has(l));
  const summed = a.labels.filter((l) => b.labels.includes(l) && !needed.has(l));
  const onlyA = a.labels.filter((l) => !b.labels.includes(l));
  const onlyB = b.labels.filter((l) => !a.labels.includes(l));
  const arrange = (x: Labeled, order: string[]) => x.t.permute(order.map((l) => x.labels.indexOf(l))).expand(order.map((l) => sizes.get(l)!));
  const size = (ls: string[]) => numel(ls.map((l) => sizes.get(l)!));
  const left = arrange(a, [...batch, ...onlyA, ...summed]).reshape([size(batch), size(onlyA), size(summed)]);
  const right = arrange(b, [...batch, ...summed, ...onlyB]).reshape([size(batch), size(summed), size(onlyB)]);
  const labels = [...batch, ...onlyA, ...onlyB];
  return { t: matmul(left, right).reshape(labels.map((l) => sizes.get(l)!)), labels };
}

/**
 * Einstein summation as torch.einsum: "ij,jk->ik", implicit output (each label used once, in
 * alphabetical order, after the ellipsis dims), '...' for broadcast dims, repeated labels for
 * diagonals and traces. Composed of diagonal, sum, permute, reshape and matmul.
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const ops = operands.flat();
  const eq = equation.replace(/\s+/g, "");
  const [lhs, rhs, extra] = eq.split("->");
  if (extra !== undefined) throw new Error(`einsum: '${equation}' has more than one '->'`);
  const terms = lhs!.split(",");
  if (terms.length !== ops.length) throw new Error(`einsum: '${equation}' has subscripts for ${terms.length} operand(s), got ${ops.length}`);
  const ellipsisDims = Math.max(0, ...terms.map((term, i) => (term.includes("...") ? ops[i]!.ndim - parseTerm(term, `operand ${i}`, equation).letters.length : 0)));
  let labeled: Labeled[] = terms.map((term, i) => ({ t: ops[i]!, labels: labelOperand(term, ops[i]!, i, equation, ellipsisDims) }));
  const sizes = new Map<string, number>();
  labeled.forEach(({ t, labels }, i) =>
    labels.forEach((l, d) => {
      const seen = sizes.get(l);
      const first = labels.indexOf(l);
      if (first !== d && t.shape[first] !== t.shape[d]) {
        throw new Error(`einsum: subscript '${l}' is repeated in operand ${i} over dims of sizes ${t.shape[first]} and ${t.shape[d]} (shape ${fmt(t.shape)} in '${equation}')`);
      }
      if (seen !== undefined && seen !== t.shape[d] && seen !== 1 && t.shape[d] !== 1) {
        throw new Error(`einsum: subscript '${l.startsWith("…") ? "..." : l}' has size ${seen} in an earlier operand but ${t.shape[d]} in operand ${i} (shape ${fmt(t.shape)}) of '${equation}'`);
      }
      if (seen === undefined || seen === 1) sizes.set(l, t.shape[d]!);
    }),
  );
  const dots = Array.from({ length: ellipsisDims }, (_, k) => `…${k}`);
  let output: string[];
  if (rhs === undefined) {
    const all = labeled.flatMap((o) => o.labels).filter((l) => !l.startsWith("…"));
    output = [...dots, ...[...new Set(all)].filter((l) => all.indexOf(l) === all.lastIndexOf(l)).sort()];
  } else {
    const { letters, ellipsisAt } = parseTerm(rhs, "the output", equation);
    for (const l of letters) {
      if (!sizes.has(l)) throw new Error(`einsum: output subscript '${l}' of '${equation}' does not appear in any operand`);
      if (letters.indexOf(l) !== letters.lastIndexOf(l)) throw new Error(`einsum: output subscript '${l}' appears more than once in '${equation}'`);
    }
    output = ellipsisAt < 0 ? letters : [...letters.slice(0, ellipsisAt), ...dots, ...letters.slice(ellipsisAt)];
  }
  labeled = labeled.map(diagonals);
  const neededAfter = (i: number) => new Set([...output, ...labeled.slice(i + 1).flatMap((o) => o.labels)]);
  let acc = sumUnneeded(labeled[0]!, neededAfter(0));
  for (let i = 1; i < labeled.length; i++) {
    const needed = neededAfter(i);
    acc = contract(acc, sumUnneeded(labeled[i]!, new Set([...needed, ...acc.labels])), needed, sizes);
  }
  acc = sumUnneeded(acc, new Set(output));
  const result = acc.t.permute(output.map((l) => acc.labels.indexOf(l)));
  return result.expand(output.map((l) => sizes.get(l)!));
}
