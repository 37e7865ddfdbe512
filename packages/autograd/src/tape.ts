import { endRecording, recordAllocations } from "./buffers";
import { kernels, type ProductAccumulator } from "./kernels";
import { mode } from "./mode";
import { fmt, sameShape } from "./shape";
import { Tensor } from "./tensor";

export type BackwardFn = (grads: (Tensor | null)[]) => readonly (Tensor | ProductGrad | null | undefined)[];

/**
 * A gradient a backward leaves as the product A·B (linear's weight gradient, Gᵀx), only without
 * createGraph. The tape collects the products reaching one tensor (a weight used at every step
 * of a sequence) and sums them in one kernel call when it reads the slot (ProductSum), instead
 * of computing each into a buffer of its own and adding those.
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
}

/**
 * The products that reached one slot (a weight's gradient from every step of a sequence), plus
 * what arrived as a tensor. When the slot is read they are summed by one kernel call
 * (kernels.matmulSum: Σ Aᵢ·Bᵢ = [A₁ … Aₙ]·[B₁; …; Bₙ], one large product over the
 * concatenated inner dims instead of n thin ones each read and written back into the sum), or
 * fed as they arrive to kernels.productSum, which may compute the sum on another thread while
 * the backward goes on.
 */
class ProductSum {
  readonly shape: number[];
  private readonly dtype: Tensor["dtype"];
  private readonly terms: ProductGrad[] = [];
  private readonly accumulator: ProductAccumulator | null;

  constructor(
    readonly base: Tensor | null,
    first: ProductGrad,
  ) {
    const dtype = first.a.dtype;
    this.shape = first.shape;
    this.dtype = dtype;
    this.accumulator = dtype === "int32" ? null : (kernels.productSum?.(this.shape[0]!, this.shape[1]!, dtype) ?? null);
    this.push(first);
  }

  push(term: ProductGrad): void {
    if (this.accumulator) this.accumulator.add(term.a, term.b);
    else this.terms.push(term);
  }

  /** The sum, in a buffer only the tape holds (the base's own when the tape owns it). */
  resolve(owned: ReadonlySet<Tensor>): Tensor {
    const base = this.base;
    const into = base && owned.has(base) && base.offset === 0 && base.isContiguous() ? base : null;
    const result = into ?? Tensor.empty(this.shape, this.dtype);
    if (this.accumulator) this.accumulator.finish(result.buf, into !== null);
    else kernels.matmulSum(this.terms.map((t) => [t.a, t.b] as const), result.buf, into !== null);
    if (base && !into) kernels.elementwise("add", result, [result, base]);
    return result;
  }
}

type Slot = Tensor | ProductSum;
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
    /** A user's op (defineOp from the public API): its backward may keep the gradients it gets. */
    readonly custom = false,
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
function accumulate(current: Slot | null | undefined, incoming: Tensor | ProductGrad, owned: Set<Tensor>): Slot {
  if (incoming instanceof ProductGrad) {
    if (!current) return new ProductSum(null, incoming);
    if (current instanceof ProductSum) current.push(incoming);
    else current = new ProductSum(current, incoming);
    return current;
  }
  const grad = incoming;
  if (current instanceof ProductSum) current = read(current, owned);
  if (!current) return grad;
  if (!mode.grad && owned.has(current)) {
    kernels.elementwise("add", current, [current, grad]);
    return current;
  }
  const sum = current.add(grad);
  owned.add(sum);
  return sum;
}

/** A slot's gradient as a tensor (summing the products waiting in it). */
function read(slot: Slot, owned: Set<Tensor>): Tensor {
  if (!(slot instanceof ProductSum)) return slot;
  const sum = slot.resolve(owned);
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

/**
 * The reverse sweep shared by tensor.backward() and grad(). The large gradient buffers it
 * allocates are released for reuse when it is over, except those that became a .grad; not when
 * user code saw gradients on the way (hooks, custom ops, grad(), createGraph) or it failed.
 */
export function runBackward(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: RunOptions): (Tensor | null)[] {
  const leafGrads = new Map<Tensor, Slot>();
  const recycle = !opts.createGraph && !opts.inputs && recordAllocations();
  let reusable = false;
  try {
    const result = sweep(roots, rootGrads, opts, leafGrads);
    reusable = !result.userCodeSawGradients;
    return result.grads;
  } finally {
    if (recycle) {
      const kept = new Set<ArrayBufferLike>();
      for (const leaf of leafGrads.keys()) if (leaf.grad) kept.add(leaf.grad.buf.buffer);
      endRecording(reusable, kept);
    }
  }
}

function sweep(
  roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: RunOptions, leafGrads: Map<Tensor, Slot>,
): { grads: (Tensor | null)[]; userCodeSawGradients: boolean } {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const previousGrad = mode.grad;
  mode.grad = createGraph;
  try {
    const nodeGrads = new Map<Node, (Slot | null)[]>();
    let userCodeSawGradients = false;
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
      const slots = nodeGrads.get(node);
      if (!slots) continue;
      nodeGrads.delete(node);
      const grads = slots.map((slot) => slot && read(slot, owned));
      for (const g of grads) if (g) owned.delete(g); // handed to backward, which may pass it on
      const isWanted = wantedOutputs.has(node);
      if (node.hooks || node.custom) userCodeSawGradients = true;
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
      const grads = wanted.map((t, i) => {
        // a leaf's hooks run for grad() too, as in PyTorch (a non-leaf's ran when it was captured)
        const slot = t.gradFn ? undefined : leafGrads.get(t);
        const leafGrad = slot && read(slot, owned);
        const g = t.gradFn ? captured.get(t.gradFn)?.get(t.outputIndex) : leafGrad && runHooks(t.leafHooks, leafGrad);
        if (g) return g;
        if (!opts.allowUnused) {
          throw new Error(`grad: input ${i} (shape ${fmt(t.shape)}) was not used in computing the outputs; pass { allowUnused: true } to get null for it`);
        }
        return null;
      });
      return { grads, userCodeSawGradients: true };
    }
    for (const [leaf, slot] of leafGrads) {
      const g = read(slot, owned);
      if (leaf.leafHooks) userCodeSawGradients = true;
      // a sum only the tape holds becomes .grad as it is; anything else is copied first
      if (!createGraph && !leaf.leafHooks && owned.has(g)) leaf.accumulateGrad(g, false, true);
      else leaf.accumulateGrad(runHooks(leaf.leafHooks, g), createGraph);
    }
    return { grads: [], userCodeSawGradients };
  } finally {
    mode.grad = previousGrad;
  }
}
