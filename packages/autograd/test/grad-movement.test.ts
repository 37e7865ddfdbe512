import { describe, it } from "vitest";
import { checkGrad } from "./helpers";
import { MOVEMENT_CHECKS } from "./cases/movement";

describe("gradcheck (float64, central differences) over generated shapes and layouts", () => {
  for (const [op, check] of Object.entries(MOVEMENT_CHECKS)) it(op, () => [check].flat().forEach(checkGrad));
});
