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

// outputs: the files each notebook must write (SVG figures, saved models).
const notebooks: { name: string; outputs: string[] }[] = [
  { name: "bptt-by-hand", outputs: ["bptt-by-hand.svg"] },
  { name: "char-lm", outputs: ["char-lm.svg", "char-lm.safetensors"] },
  { name: "sequence-classification", outputs: ["sequence-classification.svg"] },
  { name: "keras-style-sentiment", outputs: ["keras-style-sentiment.svg"] },
  { name: "forecasting", outputs: ["forecasting.svg"] },
  { name: "seq2seq-attention", outputs: ["seq2seq-attention.svg"] },
  { name: "custom-cell", outputs: ["custom-cell.svg"] },
  { name: "model-exchange", outputs: ["model-exchange.svg", "model-exchange-char-lstm.onnx", "model-exchange-sentiment.onnx"] },
  { name: "ctc-transcription", outputs: ["ctc-transcription.svg"] },
  { name: "vanishing-gradients", outputs: ["vanishing-gradients.svg", "vanishing-gradients-norms.svg", "vanishing-gradients-clipping.svg"] },
];

describe("example notebooks (quick mode)", () => {
  for (const { name, outputs } of notebooks) {
    it(`${name} runs and writes ${outputs.join(", ")}`, () => {
      const run = spawnSync(process.execPath, ["--import", "tsx", `examples/${name}.ts`, "--quick"], {
        cwd: root,
        env: { ...process.env, EXAMPLES_OUT_DIR: outDir },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.status, `examples/${name}.ts --quick failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
      for (const file of outputs) {
        const bytes = readFileSync(join(outDir, file));
        expect(bytes.length, file).toBeGreaterThan(100);
        if (!file.endsWith(".svg")) continue;
        const svg = bytes.toString("utf8");
        expect(svg.startsWith("<svg"), file).toBe(true);
        expect(svg, file).toMatch(/<(polyline|circle|rect) /);
        expect(svg, file).not.toMatch(/NaN|Infinity/);
      }
    }, 90_000);
  }
});
