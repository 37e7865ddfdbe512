import { grad } from "./grad";
import { enableGrad, isGradEnabled } from "./mode";
import { primitive, rule, type GradList } from "./op";
import { defaultGenerator, type GeneratorState } from "./random";
import { fmt } from "./shape";
import { nodesRecorded, type Edge, type Node } from "./tape";
import { Tensor } from "./tensor";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SegmentFn = (...args: any[]) => Tensor | Tensor[];

/** The tensor arguments in the order a primitive records them: top-level Tensors and Tensors in arrays. */
function tensorsOf(args: readonly unknown[]): Tensor[] {
  return args.flatMap((a) => (a instanceof Tensor ? [a] : Array.isArray(a) ? a.filter((t): t is Tensor => t instanceof Tensor) : []));
}

/** args with their tensors (in tensorsOf order) replaced by `replacement`. */
function withTensors(args: readonly unknown[], replacement: readonly Tensor[]): unknown[] {
  let k = 0;
  return args.map((a) => (a instanceof Tensor ? replacement[k++] : Array.isArray(a) ? a.map((t) => (t instanceof Tensor ? replacement[k++] : t)) : a));
}

function listOf(out: unknown): Tensor[] {
  const list = Array.isArray(out) ? out : [out];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`checkpoint: fn must return a Tensor or an array of Tensors, but ${Array.isArray(out) ? `element ${i}` : "it"} is ${t === null ? "null" : typeof t}`);
  });
  return list as Tensor[];
}

function withRng<T>(state: GeneratorState, fn: () => T): T {
  const outer = defaultGenerator.getState();
  defaultGenerator.setState(state);
  try {
    return fn();
  } finally {
    defaultGenerator.setState(outer);
  }
}

/**
 * Throws when the recomputed graph reaches a tensor fn did not take as an input: a leaf outside
 * `allowed` (its gradient would be lost) or a node recorded before the recompute began (its
 * graph would be walked, and counted, twice).
 */
function checkClosure(outs: readonly Tensor[], start: number, allowed: ReadonlySet<Tensor>): void {
  const visited = new Set<Node>();
  const pending: (Edge | null)[] = outs.map((o) => o.edge());
  while (pending.length > 0) {
    const edge = pending.pop();
    if (!edge) continue;
    if (edge.leaf) {
      if (!allowed.has(edge.leaf)) throw new Error(`checkpoint: fn uses a tensor that requires grad (shape ${fmt(edge.leaf.shape)}) without taking it as an input; pass it among the inputs, or its gradient is lost`);
      continue;
    }
    const node = edge.node!;
    if (visited.has(node)) continue;
    visited.add(node);
    if (node.serial < start) throw new Error(`checkpoint: fn uses a tensor computed outside it (by '${node.name}', shape ${fmt(node.outputs[edge.index]!.shape)}) without taking it as an input; pass it as an input and use the argument`);
    pending.push(...node.edges);
  }
}

/**
 * The function that recomputes fn(args) with grad and returns the gradient of its outputs,
 * weighted by gs, for every input that `needs` one and fn uses (`used` says which those are: the
 * others get no gradient, not a zero tensor). A leaf input fn also reads from its closure
 * (a parameter) gets both contributions. When grad mode is on (a recompute of this very function,
 * for a higher derivative), it runs on its arguments as they are and records.
 */
function vjpOf(fn: SegmentFn, rng: GeneratorState, originals: readonly (Tensor | null)[], needs: readonly boolean[], nArgs: number, used: boolean[]): SegmentFn {
  return (...all: unknown[]): Tensor[] => {
    const args = all.slice(0, nArgs);
    const gs = all.slice(nArgs) as Tensor[];
    const recording = isGradEnabled();
    const tensors = tensorsOf(args);
    const leaves = tensors.map((t, k) => (needs[k] && !recording ? t.detach().requiresGrad_() : t));
    const start = nodesRecorded();
    const outs = listOf(withRng(rng, () => enableGrad(() => fn(...withTensors(args, leaves)))));
    const targets: Tensor[] = [];
    const slots: [number, number | null][] = [];
    const seen = new Set<Tensor>();
    needs.forEach((need, k) => {
      if (!need) return;
      const original = originals[k];
      const closure = original && original !== leaves[k] && !seen.has(original) ? original : null;
      if (closure) seen.add(closure);
      slots.push([targets.push(leaves[k]!) - 1, closure ? targets.push(closure) - 1 : null]);
    });
    checkClosure(outs, start, new Set(targets));
    const keep = outs.map((o) => o.requiresGrad);
    const grads = keep.some(Boolean)
      ? grad(outs.filter((_, i) => keep[i]), targets, { gradOutputs: gs.filter((_, i) => keep[i]), allowUnused: true, createGraph: recording })
      : targets.map(() => null);
    used.length = 0;
    return slots.flatMap(([own, closure]) => {
      const a = grads[own];
      const b = closure === null ? null : grads[closure];
      used.push(a !== null || b !== null);
      return a && b ? [a.add(b)] : a ? [a] : b ? [b] : [];
    });
  };
}

/** fn as an op whose forward keeps no activations and whose backward recomputes them. */
function segment(fn: SegmentFn, rng: GeneratorState, originals: readonly (Tensor | null)[]): SegmentFn {
  return primitive(
    "checkpoint",
    rule({
      forward(...args: unknown[]): [Tensor | Tensor[], Record<string, unknown>] {
        const out = fn(...args);
        const seen = new Set<Tensor>();
        // an output returned twice needs an identity per position for its gradients to arrive apart
        const outs = listOf(out).map((t) => (seen.has(t) ? t.alias() : (seen.add(t), t)));
        const saved: Record<string, unknown> = { args };
        tensorsOf(args).forEach((t, k) => (saved[`input${k}`] = t));
        return [Array.isArray(out) ? outs : outs[0]!, saved];
      },
      backward(saved, g, needs): GradList {
        const gs = (Array.isArray(g) ? g : [g]) as Tensor[];
        const args = saved.args as unknown[];
        const used: boolean[] = [];
        const backward = segment(vjpOf(fn, rng, originals, needs, args.length, used), rng, [...originals, ...gs.map(() => null)]);
        const grads = listOf(backward(...args, ...gs));
        let wanted = 0;
        let next = 0;
        return needs.map((need) => (need && used[wanted++] ? grads[next++]! : null));
      },
      external: true, // it runs the user's function again
    }),
  );
}

/**
 * Runs fn(...args) without keeping its intermediate results, and runs it again (with grad,
 * from the same random-number state of the default generator) when the backward reaches it, as
 * torch.utils.checkpoint does: memory for activations is traded for one more forward. Gradients
 * equal those of fn(...args) itself. Works with createGraph: higher derivatives recompute again.
 *
 * Tensors that need a gradient must be among args (Tensors, or arrays of Tensors); a leaf such as
 * a parameter may be read from fn's closure as long as it is passed too. Without grad, or when no
 * tensor argument requires grad, fn just runs.
 */
export function checkpoint<Args extends unknown[], Out extends Tensor | Tensor[]>(fn: (...args: Args) => Out, ...args: Args): Out {
  const inputs = tensorsOf(args);
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return fn(...args);
  const rng = defaultGenerator.getState();
  const originals = inputs.map((t) => (t.isLeaf && t.requiresGrad ? t : null));
  return segment(fn as SegmentFn, rng, originals)(...args) as Out;
}
