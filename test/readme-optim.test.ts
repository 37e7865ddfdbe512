import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The training loop shown in packages/optim/README.md runs as written and trains.
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tapegrad-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("packages/optim/README.md", () => {
  it("its training loop is under 20 lines, runs, and brings the loss down", () => {
    const readme = readFileSync(join(root, "packages/optim/README.md"), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code, "a ```ts block in the README").toBeDefined();
    expect(code!.trim().split("\n").length).toBeLessThan(20);
    const file = join(dir, "readme-loop.ts");
    writeFileSync(file, code!);
    const run = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const losses = [...run.stdout.matchAll(/loss (\S+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]! / 10);
  });
});
