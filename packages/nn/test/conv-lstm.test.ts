import { describe, expect, it } from "vitest";
import { Generator, cat, gradcheck, stack, zeros, type Tensor } from "@tapegrad/autograd";
import { Conv2d, Module, Recurrent } from "@tapegrad/nn";
import { expectAllClose, randn64 } from "./helpers";

/**
 * ConvLSTM (Shi et al. 2015): the LSTM gates are one conv2d over [frame, h] instead of a matmul,
 * so h and c are feature maps. The runner steps over feature vectors, so a frame travels as its
 * flattened (C·H·W) view and the cell reshapes it (views, no copies).
 */
class ConvLSTMCell extends Module {
  gates: Conv2d;
  readonly hiddenSize: number;

  constructor(readonly channels: number, readonly hiddenChannels: number, readonly height: number, readonly width: number, generator: Generator) {
    super();
    this.gates = new Conv2d(channels + hiddenChannels, 4 * hiddenChannels, 3, { padding: "same", dtype: "float64", generator });
    this.hiddenSize = hiddenChannels * height * width;
  }

  forward(x: Tensor, state?: Tensor[]): Tensor[] {
    const B = x.shape[0]!;
    const map = (t: Tensor, c: number) => t.reshape([B, c, this.height, this.width]);
    const [h, c] = state ? state.map((s) => map(s, this.hiddenChannels)) : [0, 1].map(() => zeros([B, this.hiddenChannels, this.height, this.width], { dtype: x.dtype }));
    const [i, f, g, o] = this.gates.forward(cat([map(x, this.channels), h!], 1)).chunk(4, 1) as Tensor[];
    const c1 = f!.sigmoid().mul(c!).add(i!.sigmoid().mul(g!.tanh()));
    const h1 = o!.sigmoid().mul(c1.tanh());
    return [h1.reshape([B, -1]), c1.reshape([B, -1])];
  }
}

/** Runs (T, B, C, H, W) frames through a Recurrent of ConvLSTM cells; output (T, B, D·hidden, H, W). */
function runFrames(layer: Recurrent<Tensor[]>, frames: Tensor, hiddenChannels: number): [Tensor, Tensor[]] {
  const [T, B, , H, W] = frames.shape as number[];
  const [out, final] = layer.forward(frames.reshape([T!, B!, -1]));
  return [out.reshape([T!, B!, -1, H!, W!]), final.map((s) => s.reshape([s.shape[0]!, B!, hiddenChannels, H!, W!]))];
}

describe("a ConvLSTM cell written by the user, run by Recurrent over (T, B, C, H, W) frames", () => {
  it("gives outputs (T, B, hidden, H, W) and final maps (L·D, B, hidden, H, W); a step equals the cell alone", () => {
    const g = new Generator(3);
    const layer = new Recurrent((_l, _d, inputSize) => new ConvLSTMCell(inputSize / 20, 3, 4, 5, g), { inputSize: 2 * 4 * 5, numLayers: 2 });
    const frames = randn64([3, 2, 2, 4, 5], 4);
    const [out, [h, c]] = runFrames(layer, frames, 3);
    expect(out.shape).toEqual([3, 2, 3, 4, 5]);
    expect(h!.shape).toEqual([2, 2, 3, 4, 5]);
    expect(c!.shape).toEqual([2, 2, 3, 4, 5]);
    expectAllClose(out.select(0, 2), h!.select(0, 1));
    const first = layer.cells[0]! as ConvLSTMCell;
    const step0 = first.forward(frames.select(0, 0).reshape([2, -1]));
    const second = layer.cells[1]! as ConvLSTMCell;
    expectAllClose(out.select(0, 0).reshape([2, -1]), second.forward(step0[0]!)[0]!);
  });

  it("runs bidirectionally: the reverse direction is the cell over the time-reversed frames, channels concatenated", () => {
    const g = new Generator(5);
    const layer = new Recurrent(() => new ConvLSTMCell(2, 2, 3, 3, g), { inputSize: 18, bidirectional: true });
    const frames = randn64([4, 2, 2, 3, 3], 6);
    const [out, [h]] = runFrames(layer, frames, 2);
    expect(out.shape).toEqual([4, 2, 4, 3, 3]);
    expect(h!.shape).toEqual([2, 2, 2, 3, 3]);
    const backward = layer.cells[1]! as ConvLSTMCell;
    let state: Tensor[] | undefined;
    const reversed: Tensor[] = [];
    for (let t = 3; t >= 0; t--) reversed[t] = (state = backward.forward(frames.select(0, t).reshape([2, -1]), state))[0]!.reshape([2, 2, 3, 3]);
    expectAllClose(out.narrow(2, 2, 2), stack(reversed, 0), 1e-14);
    expectAllClose(h!.select(0, 1), reversed[0]!, 1e-14);
    expect(layer.namedParameters().map(([n]) => n)).toEqual(["gates.weight_l0", "gates.bias_l0", "gates.weight_l0_reverse", "gates.bias_l0_reverse"]);
  });

  it("passes gradcheck on a tiny bidirectional case (frames and every weight)", () => {
    const g = new Generator(7);
    const layer = new Recurrent(() => new ConvLSTMCell(1, 1, 3, 3, g), { inputSize: 9, bidirectional: true });
    const frames = randn64([2, 1, 1, 3, 3], 8, true);
    const result = gradcheck((xs) => {
      const [out, [h, c]] = runFrames(layer, xs!, 1);
      return [out, h!, c!];
    }, [frames, ...layer.parameters()]);
    expect(result.ok).toBe(true);
  });
});
