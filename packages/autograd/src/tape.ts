import { kernels } from "./kernels";
import { mode } from "./mode";
import { fmt, sameShape } from "./shape";
import type { Tensor } from "./tensor";

export type BackwardFn = (grads: (Tensor | null)[]) => readonly (Tensor | ProductGrad | null | undefined)[];

/**
 * A gradient a backward leaves as the product A·B (linear's weight gradient, Gᵀx), only without
 * createGraph. Where the tape sums the gradients of one tensor (a weight used at every step of
 * a sequence) it adds the product straight into the sum, C += A·B, instead of computing it into
 * a buffer of its own and adding that.
 */
export class ProductGrad {
  constructor(
    readonly a: Tensor,
    readonly b: Tensor,
  ) {}

  get shape(): number[] {
    return [this.a.shape[0]!, this.b.shape[1]!];
  }

  materialize(): Tensor {
    return this.a.matmul(this.b);
  }

  /** sum += A·B, for a contiguous sum of the product's shape and dtype that only the tape holds. */
  addInto(sum: Tensor): void {
    kernels.matmul(this.a, this.b, sum.buf, true);
  }
}
export type Hook = (grad: Tensor) => Tensor | void;

/** Where a gradient goes: an output of an earlier node, or a leaf tensor. */
export interface Edge {
  node: Node | null;
  index: number;
  leaf: Tensor | null;
}

interface OutputMeta {
  shape: readonly number[];
  dtype: Tensor["dtype"];
}

/** One recorded op on the tape. Holds what its backward needs until it is released. */
export class Node {
  released = false;
  hooks: Hook[][] | null = null;

  constructor(
    readonly name: string,
    public backwardFn: BackwardFn | null,
    readonly edges: readonly (Edge | null)[],
    readonly outputs: readonly OutputMeta[],
  ) {}

  release(): void {
    this.backwardFn = null;
    this.released = true;
  }
}

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

interface RunOptions extends BackwardOptions {
  /** When given, gradients of these tensors are returned instead of accumulated into .grad. */
  inputs?: readonly Tensor[];
  allowUnused?: boolean;
}

/** Nodes reachable from the roots, in an order where every node comes after all its consumers. */
function topologicalOrder(roots: Node[]): Node[] {
  const visited = new Set<Node>();
  const postorder: Node[] = [];
  const stack: [Node, number][] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      if (next < node.edges.length) {
        top[1] = next + 1;
        const child = node.edges[next]?.node;
        if (child && !visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        postorder.push(node);
      }
    }
  }
  return postorder.reverse();
}

/**
 * Sums the gradients arriving at one slot. The first sum is a fresh buffer that only this slot
 * holds (`owned`), so without createGraph the later ones are added into it in place.
 */
function accumulate(current: Tensor | null | undefined, incoming: Tensor | ProductGrad, owned: Set<Tensor>): Tensor {
  let grad: Tensor;
  if (incoming instanceof ProductGrad) {
    if (current && owned.has(current) && current.offset === 0 && current.isContiguous()) {
      incoming.addInto(current);
      return current;
    }
    grad = incoming.materialize();
    if (!current) {
      owned.add(grad);
      return grad;
    }
  } else {
    grad = incoming;
  }
  if (!current) return grad;
  if (!mode.grad && owned.has(current)) {
    kernels.elementwise("add", current, [current, grad]);
    return current;
  }
  const sum = current.add(grad);
  owned.add(sum);
  return sum;
}

function checkFinite(grad: Tensor, what: string): void {
  if (grad.dtype === "int32") return;
  const data = grad.data();
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new Error(`detectAnomaly: ${what} produced ${Number.isNaN(data[i]!) ? "NaN" : "Inf"}`);
  }
}

function runHooks(hooks: readonly Hook[] | undefined | null, grad: Tensor): Tensor {
  if (!hooks) return grad;
  for (const hook of hooks) grad = hook(grad) ?? grad;
  return grad;
}

/** The reverse sweep shared by tensor.backward() and grad(). */
export function runBackward(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: RunOptions): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const previousGrad = mode.grad;
  mode.grad = createGraph;
  try {
    const nodeGrads = new Map<Node, (Tensor | null)[]>();
    const leafGrads = new Map<Tensor, Tensor>();
    const owned = new Set<Tensor>();
    const send = (edge: Edge, grad: Tensor | ProductGrad) => {
      if (edge.node) {
        let slots = nodeGrads.get(edge.node);
        if (!slots) nodeGrads.set(edge.node, (slots = new Array(edge.node.outputs.length).fill(null)));
        slots[edge.index] = accumulate(slots[edge.index], grad, owned);
      } else if (edge.leaf) {
        leafGrads.set(edge.leaf, accumulate(leafGrads.get(edge.leaf), grad, owned));
      }
    };
    const rootNodes: Node[] = [];
    roots.forEach((root, i) => {
      const edge = root.edge();
      if (!edge) throw new Error(`backward: output ${i} (shape ${fmt(root.shape)}) does not require grad and has no grad_fn`);
      send(edge, rootGrads[i]!);
      if (edge.node) rootNodes.push(edge.node);
    });

    const wanted = opts.inputs;
    const captured = new Map<Node | Tensor, Map<number, Tensor>>();
    const capture = (key: Node | Tensor, index: number, grad: Tensor) => {
      let slot = captured.get(key);
      if (!slot) captured.set(key, (slot = new Map()));
      slot.set(index, grad);
    };
    const wantedOutputs = new Set<Node>();
    for (const t of wanted ?? []) if (t.gradFn) wantedOutputs.add(t.gradFn);

    for (const node of topologicalOrder(rootNodes)) {
      const grads = nodeGrads.get(node);
      if (!grads) continue;
      nodeGrads.delete(node);
      for (const g of grads) if (g) owned.delete(g); // handed to backward, which may pass it on
      const isWanted = wantedOutputs.has(node);
      for (let i = 0; i < grads.length; i++) {
        const g = grads[i];
        if (g && node.hooks) grads[i] = runHooks(node.hooks[i], g);
        if (g && isWanted) capture(node, i, grads[i]!);
      }
      if (node.released || !node.backwardFn) {
        throw new Error(
          `backward: trying to backward through the graph a second time (through '${node.name}'): its saved tensors were released after the first backward. Pass { retainGraph: true } to the first backward to keep them.`,
        );
      }
      // ops run by a backward are checked as that backward's result, not as forwards of their own
      const anomaly = mode.anomaly;
      mode.anomaly = false;
      let inputGrads: readonly (Tensor | ProductGrad | null | undefined)[];
      try {
        inputGrads = node.backwardFn(grads);
      } finally {
        mode.anomaly = anomaly;
      }
      if (!retainGraph) node.release();
      for (let i = 0; i < node.edges.length; i++) {
        const edge = node.edges[i];
        let g = inputGrads[i];
        if (!edge || !g) continue;
        const expected = edge.node ? edge.node.outputs[edge.index]!.shape : edge.leaf!.shape;
        if (!sameShape(g.shape, expected)) {
          throw new Error(`backward of '${node.name}': gradient for input ${i} has shape ${fmt(g.shape)}, expected ${fmt(expected)}`);
        }
        if (mode.anomaly) checkFinite((g = g instanceof ProductGrad ? g.materialize() : g), `the backward of '${node.name}' (gradient for input ${i})`);
        send(edge, g);
      }
    }

    if (wanted) {
      return wanted.map((t, i) => {
        // a leaf's hooks run for grad() too, as in PyTorch (a non-leaf's ran when it was captured)
        const leafGrad = t.gradFn ? undefined : leafGrads.get(t);
        const g = t.gradFn ? captured.get(t.gradFn)?.get(t.outputIndex) : leafGrad && runHooks(t.leafHooks, leafGrad);
        if (g) return g;
        if (!opts.allowUnused) {
          throw new Error(`grad: input ${i} (shape ${fmt(t.shape)}) was not used in computing the outputs; pass { allowUnused: true } to get null for it`);
        }
        return null;
      });
    }
    for (const [leaf, g] of leafGrads) {
      // a sum only the tape holds becomes .grad as it is; anything else is copied first
      if (!createGraph && !leaf.leafHooks && owned.has(g)) leaf.accumulateGrad(g, false, true);
      else leaf.accumulateGrad(runHooks(leaf.leafHooks, g), createGraph);
    }
    return [];
  } finally {
    mode.grad = previousGrad;
  }
}
