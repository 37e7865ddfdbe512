import { describe, expect, it } from "vitest";
import { registeredOps } from "../src/index";
import { JOIN_INDEX_CHECKS } from "./cases/join-index";
import { MOVEMENT_CHECKS } from "./cases/movement";
import { POINTWISE_CHECKS } from "./cases/pointwise";
import { REDUCE_CHECKS } from "./cases/reduce";

/** Every op name with a gradcheck in test/cases (primitives and composites). */
const COVERED = new Set(Object.keys({ ...POINTWISE_CHECKS, ...REDUCE_CHECKS, ...MOVEMENT_CHECKS, ...JOIN_INDEX_CHECKS }));

describe("op coverage", () => {
  it("every op declared with defineOp has a gradcheck", () => {
    expect(registeredOps.size).toBeGreaterThan(30);
    expect([...registeredOps].filter((op) => !COVERED.has(op)).sort()).toEqual([]);
  });
});
