import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// Every ```ts block of the root README runs as written; its printed results are checked.
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tapegrad-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blocks = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

function run(code: string, name: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, code);
  const result = spawnSync(process.execPath, ["--import", pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href, file], {
    cwd: dir,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, "tsconfig.json") },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const numbers = (s: string) => [...s.matchAll(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)].map((m) => Number(m[0]));

describe("README.md code blocks", () => {
  const training = blocks.find((b) => b.includes("CosineAnnealingLR") && b.includes("clipGradNorm"))!;
  it("has the eleven examples: first screen, autograd, LSTM, custom cell, more layers, data, metrics, CTC, checkpoint, training loop, printing", () => {
    expect(blocks).toHaveLength(11);
    expect(blocks[0]!.trim().split("\n").length).toBeLessThanOrEqual(15);
    expect(blocks[2]!.trim().split("\n").length).toBeLessThan(20);
    expect(blocks[3]!.trim().split("\n").length).toBeLessThan(20);
    expect(training.trim().split("\n").length).toBeLessThan(20);
  });

  it("first screen: prints a finite loss and a [3, 1] gradient", () => {
    const [loss, ...grad] = numbers(run(blocks[0]!, "first-screen"));
    expect(loss).toBeGreaterThan(0);
    expect(grad).toHaveLength(3);
    expect(grad.every(Number.isFinite)).toBe(true);
  });

  it("autograd: gradients, second derivative and a custom op as annotated", () => {
    const out = run(blocks[1]!, "autograd");
    // d/dw sum(tanh(xw)^2) = sum_i 2 tanh(z_i) (1 - tanh²(z_i)) x_i with z = x w
    const x = [[0.5, -1.2], [2.0, 0.3]];
    const w = [1.5, -0.5];
    const expected = [0, 1].map((j) => x.reduce((s, row) => {
      const t = Math.tanh(row[0]! * w[0]! + row[1]! * w[1]!);
      return s + 2 * t * (1 - t * t) * row[j]!;
    }, 0));
    const [g0, g1] = numbers(out.split("\n")[0]!);
    expect(g0).toBeCloseTo(expected[0]!, 12);
    expect(g1).toBeCloseTo(expected[1]!, 12);
    expect(out).toContain("[ [ 2, 2 ], [ 2, 2 ] ]");
    expect(out.trim().split("\n").at(-1)).toBe("true");
  });

  it("LSTM: shapes as annotated, and the safetensors round trip loads strictly", () => {
    expect(run(blocks[2]!, "lstm")).toContain("[ 4, 10, 32 ] [ 4, 4, 16 ]");
  });

  it("custom cell: deep bidirectional shapes and PyTorch-style parameter names", () => {
    const out = run(blocks[3]!, "custom-cell");
    expect(out).toContain("[ 10, 4, 32 ] [ 4, 4, 16 ]");
    expect(out).toContain("weight_ih_l0");
    expect(out).toContain("weight_ih_l0_reverse");
  });

  it("more layers: weight-normed LSTM names and the encoder's output shape as annotated", () => {
    const out = run(blocks.find((b) => b.includes("TransformerEncoderLayer"))!, "more-layers");
    expect([...out.matchAll(/'(\w+)'/g)].map((m) => m[1])).toEqual(["weight_ih_l0", "bias_ih_l0", "bias_hh_l0", "weight_hh_l0_g", "weight_hh_l0_v"]);
    expect(out.trim().split("\n").at(-1)).toBe("[ 12, 4, 16 ]");
  });

  it("checkpoint: the resumed objects hold the saved epoch, lr and parameters", () => {
    const block = blocks.find((b) => b.includes("saveCheckpoint"))!;
    expect(block.trim().split("\n").length).toBeLessThan(25);
    expect(run(block, "checkpoint").trim()).toBe("5 0.0025 true");
  });

  it("CTC: the loss and gradient shape as annotated; the beam's best labelling is not the best path's", () => {
    const [first, second] = run(blocks.find((b) => b.includes("ctcLoss"))!, "ctc").trim().split("\n");
    expect(first).toBe("5.1627 [ 12, 2, 5 ]");
    const [greedy, ...beams] = second!.split(" | ");
    expect(beams).toHaveLength(3);
    expect(beams[0]).toBe("4 3 4 3 4 3 1");
    expect(greedy).toBe("4 3 4 3 4 2 3 1");
  });

  it("data: split sizes, batch shapes and a padded, encoded batch as annotated", () => {
    const out = run(blocks.find((b) => b.includes("padCollate"))!, "data");
    expect(out.trim().split("\n").slice(0, 3)).toEqual(["[ 3, 3 ] [ 3 ]", "[ 3, 3 ] [ 3 ]", "[ 2, 3 ] [ 2 ]"]);
    expect(out).toContain("[ [ 2, 3 ], [ 4, 0 ] ] [ 2, 1 ] [ 1, 0 ]");
  });

  it("metrics: accuracy 3/4, macro F1 (1 + 2/3 + 0) / 3, WER 1/4", () => {
    const [acc, f1, wer] = numbers(run(blocks.find((b) => b.includes("WordErrorRate"))!, "metrics"));
    expect(acc).toBe(0.75);
    expect(f1).toBeCloseTo(5 / 9, 12);
    expect(wer).toBe(0.25);
  });

  it("training loop: the loss falls more than tenfold", () => {
    const losses = [...run(training, "train").matchAll(/loss (\S+)/g)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(4);
    expect(losses[3]!).toBeLessThan(losses[0]! / 10);
  });

  it("printing: prints exactly what its comments show", () => {
    const printing = blocks.find((b) => b.includes("summary("))!;
    const shown = printing.split("\n").filter((l) => l.startsWith("// ")).map((l) => l.slice(3));
    expect(run(printing, "printing").trimEnd()).toBe(shown.join("\n"));
  });
});
