import { backend, type GradSum, type ProductGrad } from "../backend/backend";
import { mode } from "./mode";
import { checkFinite, fmt, sameShape } from "./shape";
import type { Tensor } from "./tensor";
import { show } from "./validate";

/** A recorded op's backward: output gradients in, one gradient per input out. `fast`: nothing records or inspects it. */
export type BackwardFn = (grads: (Tensor | null)[], fast: boolean) => readonly (Tensor | ProductGrad | null | undefined)[];
/** A gradient hook ({@link Tensor.registerHook}): sees the gradient and may return a replacement. */
export type Hook = (grad: Tensor) => Tensor | void;

/** Where a gradient goes: an output of an earlier node, or a leaf tensor. */
export interface Edge {
  node: Node | null;
  index: number;
  leaf: Tensor | null;
}

let recorded = 0;

/** @internal How many nodes have been recorded so far: a node's serial tells what was recorded after a point. */
export function nodesRecorded(): number {
  return recorded;
}

/** @internal One recorded op on the tape. Holds what its backward needs until it is released. */
export class Node {
  hooks: Hook[][] | null = null;
  readonly serial = recorded++;

  constructor(
    readonly name: string,
    public backwardFn: BackwardFn | null,
    readonly edges: readonly (Edge | null)[],
    readonly outputs: readonly { shape: readonly number[]; dtype: Tensor["dtype"] }[],
    /** Its backward runs code from outside the library (a custom op's), which may keep what it is given. */
    readonly external = false,
  ) {}
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /** Keep the graph's saved tensors for another backward pass (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

interface RunOptions extends BackwardOptions {
  /** When given, gradients of these tensors are returned instead of accumulated into .grad. */
  inputs?: readonly Tensor[];
  allowUnused?: boolean;
}

/** Nodes reachable from the roots, in an order where every node comes after all its consumers. */
function topologicalOrder(roots: Node[]): Node[] {
  // roots are entered one at a time, not marked visited up front: one root may consume another
  const visited = new Set<Node>();
  const postorder: Node[] = [];
  const stack: [Node, number][] = [];
  let nextRoot = 0;
  while (stack.length > 0 || nextRoot < roots.length) {
    if (stack.length === 0) {
      const root = roots[nextRoot++]!;
      if (!visited.has(root)) stack.push([root, 0]);
      visited.add(root);
      continue;
    }
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
  return postorder.reverse();
}

/** Runs a tensor's hooks in order; each may return a replacement of the same shape and dtype (PyTorch's rule). `owner` names the tensor. */
function applyHooks(hooks: readonly Hook[] | undefined | null, grad: Tensor, owner: () => string): Tensor {
  for (const hook of hooks ?? []) {
    const out: unknown = hook(grad);
    if (out === undefined) continue;
    const name = `hook${hook.name ? ` '${hook.name}'` : ""} on ${owner()}`;
    if (out === null || typeof out !== "object" || !("shape" in out) || !("dtype" in out) || typeof (out as Tensor).data !== "function") {
      throw new Error(`registerHook: ${name} returned ${show(out)}; expected a Tensor or undefined`);
    }
    const t = out as Tensor;
    if (!sameShape(t.shape, grad.shape)) throw new Error(`registerHook: ${name} has changed the size of value: returned shape ${fmt(t.shape)}, expected ${fmt(grad.shape)}`);
    if (t.dtype !== grad.dtype) throw new Error(`registerHook: ${name} has changed the type of value: returned ${t.dtype}, expected ${grad.dtype}`);
    grad = t;
  }
  return grad;
}

const outputName = (node: Node, i: number) => () => `output ${i} of '${node.name}' (${node.outputs[i]!.dtype}, shape ${fmt(node.outputs[i]!.shape)})`;
const leafName = (t: Tensor) => () => `a leaf tensor (${t.dtype}, shape ${fmt(t.shape)})`;

/**
 * The reverse sweep shared by tensor.backward() and grad(): each node's output gradients are
 * summed (the backend's GradSum), passed through hooks, handed to its backward, and the results
 * sent along its edges; at the end leaves accumulate theirs into .grad (or grad() returns them).
 */
export function runBackward(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: RunOptions): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const previousGrad = mode.grad;
  mode.grad = createGraph;
  // the backend may reuse the temporaries of this backward once it is over, unless a hook or a
  // custom op's backward saw them (then `kept` becomes null)
  const scope = createGraph ? undefined : backend.beginBackward?.();
  let kept: Tensor[] | null = scope ? [] : null;
  const runHooks = (hooks: readonly Hook[] | undefined | null, grad: Tensor, owner: () => string): Tensor => {
    if (hooks?.length) kept = null;
    return applyHooks(hooks, grad, owner);
  };
  try {
    const nodeSums = new Map<Node, (GradSum | null)[]>();
    const leafSums = new Map<Tensor, GradSum>();
    const send = (edge: Edge, grad: Tensor | ProductGrad) => {
      let sum: GradSum | undefined | null;
      if (edge.node) {
        let sums = nodeSums.get(edge.node);
        if (!sums) nodeSums.set(edge.node, (sums = edge.node.outputs.map(() => null)));
        sum = sums[edge.index] ??= backend.gradSum();
      } else {
        sum = leafSums.get(edge.leaf!);
        if (!sum) leafSums.set(edge.leaf!, (sum = backend.gradSum()));
      }
      sum.add(grad);
    };
    const rootNodes: Node[] = [];
    roots.forEach((root, i) => {
      const edge = root.edge();
      if (!edge) throw new Error(`backward: output ${i} (shape ${fmt(root.shape)}) does not require grad and has no grad_fn`);
      send(edge, rootGrads[i]!);
      if (edge.node) rootNodes.push(edge.node);
    });

    // grad(): a wanted non-leaf's gradient is captured when its node is reached
    const wanted = opts.inputs;
    const captured = new Map<Tensor, Tensor>();
    const wantedOf = new Map<Node, Tensor[]>();
    for (const t of wanted ?? []) if (t.gradFn) wantedOf.set(t.gradFn, [...(wantedOf.get(t.gradFn) ?? []), t]);

    for (const node of topologicalOrder(rootNodes)) {
      const sums = nodeSums.get(node);
      if (!sums) continue;
      nodeSums.delete(node);
      const grads = sums.map((sum, i) => sum && (node.hooks?.[i]?.length ? runHooks(node.hooks[i], sum.take().grad, outputName(node, i)) : sum.take().grad));
      for (const t of wantedOf.get(node) ?? []) if (grads[t.outputIndex]) captured.set(t, grads[t.outputIndex]!);
      if (!node.backwardFn) {
        throw new Error(
          `backward: trying to backward through the graph a second time (through '${node.name}'): its saved tensors were released after the first backward. Pass { retainGraph: true } to the first backward to keep them.`,
        );
      }
      // ops run by a backward are checked as that backward's result, not as forwards of their own
      if (node.external) kept = null;
      const anomaly = mode.anomaly;
      mode.anomaly = false;
      let inputGrads: readonly (Tensor | ProductGrad | null | undefined)[];
      try {
        inputGrads = node.backwardFn(grads, !createGraph && !anomaly);
      } finally {
        mode.anomaly = anomaly;
      }
      if (!retainGraph) node.backwardFn = null;
      node.edges.forEach((edge, i) => {
        const g = inputGrads[i];
        if (!edge || !g) return;
        const expected = edge.node ? edge.node.outputs[edge.index]!.shape : edge.leaf!.shape;
        if (!sameShape(g.shape, expected)) {
          throw new Error(`backward of '${node.name}': gradient for input ${i} has shape ${fmt(g.shape)}, expected ${fmt(expected)}`);
        }
        if (anomaly) checkFinite(g as Tensor, `the backward of '${node.name}' (gradient for input ${i})`);
        send(edge, g);
      });
    }

    if (wanted) {
      const result = wanted.map((t, i) => {
        // a leaf's hooks run for grad() too, as in PyTorch (a non-leaf's ran when it was captured)
        const sum = t.gradFn ? undefined : leafSums.get(t);
        const g = t.gradFn ? captured.get(t) : sum && runHooks(t.leafHooks, sum.take().grad, leafName(t));
        if (g) return g;
        if (!opts.allowUnused) {
          throw new Error(`grad: input ${i} (shape ${fmt(t.shape)}) was not used in computing the outputs; pass { allowUnused: true } to get null for it`);
        }
        return null;
      });
      for (const g of result) if (g) kept?.push(g);
      scope?.end(kept);
      return result;
    }
    for (const [leaf, sum] of leafSums) {
      const { grad, owned } = sum.take();
      // a sum only the tape holds becomes .grad as it is; anything else is copied first
      if (!createGraph && !leaf.leafHooks && owned) leaf.accumulateGrad(grad, false, true);
      else leaf.accumulateGrad(runHooks(leaf.leafHooks, grad, leafName(leaf)), createGraph);
      if (leaf.grad) kept?.push(leaf.grad);
    }
    scope?.end(kept);
    return [];
  } catch (e) {
    scope?.end(null);
    throw e;
  } finally {
    mode.grad = previousGrad;
  }
}
