import { Generator, cat, grad, noGrad, randn, type Node, type Tensor } from "@tapegrad/autograd";
import { LSTM, detachState } from "@tapegrad/nn";
import { Adam, clipGradNorm } from "@tapegrad/optim";
import { describe, expect, it } from "vitest";

// Truncated backpropagation through time: a long sequence is fed in chunks; the recurrent
// state is carried from one chunk to the next as values (detachState), so each backward only
// runs through its own chunk and the graph never grows with the length of the sequence.

const INPUT = 3;
const HIDDEN = 5;
const CHUNK = 6;

/** Number of distinct tape nodes reachable from a tensor's gradFn through node.edges. */
function graphSize(t: Tensor): number {
  const seen = new Set<Node>();
  const stack: Node[] = t.gradFn ? [t.gradFn] : [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const edge of node.edges) if (edge?.node) stack.push(edge.node);
  }
  return seen.size;
}

function setup(chunks: number) {
  const g = new Generator(11);
  const lstm = new LSTM({ inputSize: INPUT, hiddenSize: HIDDEN, dtype: "float64", generator: g });
  const xs = Array.from({ length: chunks }, () => randn([CHUNK, 2, INPUT], { dtype: "float64", generator: g }));
  return { lstm, xs };
}

describe("truncated BPTT with detachState", () => {
  it("carries the state's values across chunks: the final state equals a single pass over the whole sequence", () => {
    const { lstm, xs } = setup(5);
    let state: [Tensor, Tensor] | undefined;
    for (const x of xs) state = detachState(lstm.forward(x, state)[1]);
    const [, [hFull, cFull]] = noGrad(() => lstm.forward(cat(xs, 0)));
    const close = (a: Tensor, b: Tensor) => Array.from(a.data()).forEach((v, i) => expect(v).toBeCloseTo(b.data()[i]!, 12));
    close(state![0], hFull);
    close(state![1], cFull);
    expect(state![0].requiresGrad).toBe(false);
    expect(state![0].gradFn).toBeNull();
  });

  it("lets no gradient flow past a chunk boundary", () => {
    const { lstm, xs } = setup(2);
    const x0 = xs[0]!.clone().requiresGrad_();
    const [, state0] = lstm.forward(x0);

    const [out1] = lstm.forward(xs[1]!, detachState(state0));
    const [g] = grad([out1.sum()], [x0], { allowUnused: true, retainGraph: true });
    expect(g).toBeNull();

    // Without detaching, the second chunk's loss does reach the first chunk's inputs.
    const [outAttached] = lstm.forward(xs[1]!, state0);
    const [gAttached] = grad([outAttached.sum()], [x0], { allowUnused: true });
    expect(gAttached).not.toBeNull();
    expect(Array.from(gAttached!.data()).some((v) => Math.abs(v) > 1e-6)).toBe(true);
  });

  it("keeps the graph reachable from each chunk's loss the same size over many chunks, while training", () => {
    const chunks = 40;
    const { lstm, xs } = setup(chunks);
    const opt = new Adam(lstm.parameters(), { lr: 0.01 });
    const sizes: number[] = [];
    let state: [Tensor, Tensor] | undefined;
    for (const x of xs) {
      opt.zeroGrad();
      const [out, next] = lstm.forward(x, state);
      const loss = out.pow(2).mean();
      sizes.push(graphSize(loss));
      loss.backward();
      clipGradNorm(lstm.parameters(), 1);
      opt.step();
      state = detachState(next);
    }
    // Every chunk's loss reaches the same number of nodes (its own CHUNK steps, at least a linear and a cell op each) from the first chunk to the last.
    expect(sizes[0]).toBeGreaterThanOrEqual(CHUNK * 2);
    expect(new Set(sizes)).toEqual(new Set([sizes[0]]));

    // Carrying the graph instead makes it grow with every chunk.
    const attached: number[] = [];
    let carried: [Tensor, Tensor] | undefined;
    for (const x of xs.slice(0, 4)) {
      const [out, next] = lstm.forward(x, carried);
      attached.push(graphSize(out.pow(2).mean()));
      carried = next;
    }
    expect(attached[0]).toBe(sizes[0]);
    const growth = attached[1]! - attached[0]!;
    expect(growth).toBeGreaterThanOrEqual(CHUNK * 2);
    expect([attached[2]! - attached[1]!, attached[3]! - attached[2]!]).toEqual([growth, growth]);
  });
});
