import { describe, it } from "vitest";
import { checkGrad } from "./helpers";
import { REDUCE_CHECKS } from "./cases/reduce";

describe("gradcheck (float64, central differences) over generated shapes and layouts", () => {
  for (const [op, check] of Object.entries(REDUCE_CHECKS)) it(op, () => [check].flat().forEach(checkGrad));
});
