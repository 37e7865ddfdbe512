import { describe, it } from "vitest";
import { checkGrad } from "./helpers";
import { JOIN_INDEX_CHECKS } from "./cases/join-index";

describe("gradcheck (float64, central differences) over generated shapes and layouts", () => {
  for (const [op, check] of Object.entries(JOIN_INDEX_CHECKS)) it(op, () => [check].flat().forEach(checkGrad));
});
