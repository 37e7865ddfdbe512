import { describe, it } from "vitest";
import { checkGrad } from "./helpers";
import { POINTWISE_CHECKS } from "./cases/pointwise";

describe("gradcheck (float64, central differences) over generated shapes and layouts", () => {
  for (const [op, check] of Object.entries(POINTWISE_CHECKS)) it(op, () => [check].flat().forEach(checkGrad));
});
