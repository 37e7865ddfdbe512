import { readFileSync } from "node:fs";

/** A JSON file written by ../fixtures/data/gen_data_fixtures.py (PyTorch 1.13, float64). */
export function dataFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/data/${name}.json`, import.meta.url), "utf8")) as T;
}

export { toTensor, expectClose, type FixtureTensor } from "../../../../test/helpers/fixtures";
