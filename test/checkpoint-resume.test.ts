import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSafetensors, saveCheckpoint } from "@tapegrad/nn/node";
import { build, OPTIMIZERS, SCHEDULERS, train, type OptimizerName, type SchedulerName } from "./helpers/resume";

// Train N steps, save, resume in a new process from fresh objects, train M more: the result must
// be bit-identical to N + M steps without the break (dropout masks, input noise and all).
const N = 4;
const M = 5;
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tapegrad-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = (Object.keys(OPTIMIZERS) as OptimizerName[]).flatMap((o) => (Object.keys(SCHEDULERS) as SchedulerName[]).map((s): [OptimizerName, SchedulerName] => [o, s]));
const file = (o: string, s: string, kind: string) => join(dir, `${o}-${s}-${kind}.safetensors`.replace(/[()]/g, "_"));

describe("checkpoint resume in a new process is exact", () => {
  beforeAll(() => {
    const jobs = cases.map(([optimizer, scheduler]) => {
      const run = build(optimizer, scheduler, 1);
      train(run, N);
      const checkpoint = file(optimizer, scheduler, "ckpt");
      saveCheckpoint(checkpoint, { ...run, done: N });
      return { optimizer, scheduler, checkpoint, out: file(optimizer, scheduler, "resumed"), steps: M };
    });
    const result = spawnSync(process.execPath, ["--import", pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href, join(root, "test/helpers/resume-child.ts"), JSON.stringify(jobs)], {
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, "tsconfig.json") },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  }, 150_000); // a child process under tsx: slow to start on a busy machine

  it.each(cases)("%s with %s", (optimizer, scheduler) => {
    const reference = build(optimizer, scheduler, 1);
    train(reference, N + M);
    const { tensors, metadata } = readSafetensors(file(optimizer, scheduler, "resumed"));
    expect(metadata).toEqual({ done: String(N + M), lr: String(reference.optimizer.paramGroups[0]!.lr) });
    const expected = reference.model.stateDict();
    expect(Object.keys(tensors)).toEqual(Object.keys(expected));
    for (const [name, t] of Object.entries(expected)) expect(Array.from(tensors[name]!.data()), name).toEqual(Array.from(t.data()));
    // The resumed run differs from a run that did not restore the generators or the optimizer.
    const fresh = build(optimizer, scheduler, 1);
    train(fresh, N);
    const detour = build(optimizer, scheduler, 1);
    detour.model.loadStateDict(fresh.model.stateDict());
    train(detour, M);
    expect(Array.from(detour.model.stateDict()["3.weight"]!.data())).not.toEqual(Array.from(expected["3.weight"]!.data()));
  });
});
