import { describe, it } from "vitest";
import { JOIN_INDEX_CHECKS } from "./cases/join-index";
import { MOVEMENT_CHECKS } from "./cases/movement";
import { POINTWISE_CHECKS } from "./cases/pointwise";
import { REDUCE_CHECKS } from "./cases/reduce";
import { CELL_CHECKS } from "./cases/cells";
import { checkGradGrad } from "./helpers";

const ALL = { ...POINTWISE_CHECKS, ...REDUCE_CHECKS, ...MOVEMENT_CHECKS, ...JOIN_INDEX_CHECKS, ...CELL_CHECKS };

describe("second-order gradcheck: every backward rule is differentiable and right (createGraph)", () => {
  for (const [op, specs] of Object.entries(ALL)) it(op, () => [specs].flat().forEach(checkGradGrad));
});
