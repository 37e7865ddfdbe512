import { describe, it } from "vitest";
import { CONV_CHECKS } from "./cases/conv";
import { checkGrad, checkGradGrad, checkLayouts } from "./helpers";

describe("convolution, pooling and resampling: gradcheck (float64) over generated options and layouts", () => {
  for (const [op, check] of Object.entries(CONV_CHECKS)) it(op, () => [check].flat().forEach(checkGrad));
});

describe("convolution, pooling and resampling: second-order gradcheck", () => {
  for (const [op, check] of Object.entries(CONV_CHECKS)) it(op, () => [check].flat().forEach(checkGradGrad));
});

describe("convolution, pooling and resampling: permuted, offset, flipped and expanded inputs give the results of contiguous copies", () => {
  for (const [op, check] of Object.entries(CONV_CHECKS)) it(op, () => [check].flat().forEach(checkLayouts));
});
