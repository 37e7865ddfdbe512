import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d,
  type AvgPoolOptions, type MaxPoolOptions, type Tensor,
} from "@tapegrad/autograd";
import { Module } from "../module";
import { rejectUnknownKeys } from "../unknown-keys";

type Size2 = number | [number, number];
const MAX_KEYS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"];
const AVG_KEYS = ["stride", "padding", "ceilMode", "countIncludePad"];

/** torch.nn.MaxPool1d; with returnIndices, forward gives [values, indices]. */
export class MaxPool1d extends Module {
  /**
   * @param kernelSize - the window's size
   * @param opts - stride (the kernel size by default), padding, dilation, ceilMode, returnIndices
   */
  constructor(readonly kernelSize: number | [number], readonly opts: MaxPoolOptions<1> = {}) {
    super();
    rejectUnknownKeys("MaxPool1d", opts, MAX_KEYS);
  }
  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return maxPool1d(x, this.kernelSize, this.opts as never);
  }
}

/** torch.nn.MaxPool2d; with returnIndices, forward gives [values, indices]. */
export class MaxPool2d extends Module {
  /**
   * @param kernelSize - the window's size, one number or (height, width)
   * @param opts - stride (the kernel size by default), padding, dilation, ceilMode, returnIndices
   */
  constructor(readonly kernelSize: Size2, readonly opts: MaxPoolOptions<2> = {}) {
    super();
    rejectUnknownKeys("MaxPool2d", opts, MAX_KEYS);
  }
  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    return maxPool2d(x, this.kernelSize, this.opts as never);
  }
}

/** torch.nn.AvgPool1d. */
export class AvgPool1d extends Module {
  /**
   * @param kernelSize - the window's size
   * @param opts - stride (the kernel size by default), padding, ceilMode, countIncludePad
   */
  constructor(readonly kernelSize: number | [number], readonly opts: AvgPoolOptions<1> = {}) {
    super();
    rejectUnknownKeys("AvgPool1d", opts, AVG_KEYS);
  }
  forward(x: Tensor): Tensor {
    return avgPool1d(x, this.kernelSize, this.opts);
  }
}

/** torch.nn.AvgPool2d. */
export class AvgPool2d extends Module {
  /**
   * @param kernelSize - the window's size, one number or (height, width)
   * @param opts - stride (the kernel size by default), padding, ceilMode, countIncludePad, divisorOverride
   */
  constructor(
    readonly kernelSize: Size2,
    readonly opts: AvgPoolOptions<2> & {
      /** Divide every window's sum by this instead of its size. */
      divisorOverride?: number | null;
    } = {},
  ) {
    super();
    rejectUnknownKeys("AvgPool2d", opts, [...AVG_KEYS, "divisorOverride"]);
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
}

/** torch.nn.AdaptiveAvgPool1d. */
export class AdaptiveAvgPool1d extends Module {
  /** @param outputSize - the output's length */
  constructor(readonly outputSize: number | [number]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }
}

/** torch.nn.AdaptiveAvgPool2d; null in outputSize keeps that dim's size. */
export class AdaptiveAvgPool2d extends Module {
  /** @param outputSize - the output's (height, width), one number for both, null to keep a dim */
  constructor(readonly outputSize: number | [number | null, number | null]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
