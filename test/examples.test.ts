import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// Every notebook in examples/ runs top to bottom in --quick mode (tiny sizes, a few steps)
// and must exit cleanly and write its figure; the default and --full runs are not tested here.
const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "tapegrad-examples-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const notebooks: { name: string; figures: string[] }[] = [
  { name: "bptt-by-hand", figures: ["bptt-by-hand.svg"] },
];

describe("example notebooks (quick mode)", () => {
  for (const { name, figures } of notebooks) {
    it(`${name} runs and writes ${figures.join(", ")}`, () => {
      const run = spawnSync(process.execPath, ["--import", "tsx", `examples/${name}.ts`, "--quick"], {
        cwd: root,
        env: { ...process.env, EXAMPLES_OUT_DIR: outDir },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.status, `examples/${name}.ts --quick failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
      for (const figure of figures) {
        const svg = readFileSync(join(outDir, figure), "utf8");
        expect(svg.startsWith("<svg")).toBe(true);
        expect(svg).toMatch(/<(polyline|circle|rect) /);
        expect(svg).not.toMatch(/NaN/);
      }
    }, 90_000);
  }
});
