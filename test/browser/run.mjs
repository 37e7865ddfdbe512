// Trains a small LSTM in a real browser (Debian's Chromium driven by playwright-core; nothing is
// downloaded) from the packages' built ESM files, on the wasm and the js backend, and checks that
// the losses decrease and equal Node's. A cross-origin-isolated run (COOP/COEP) checks that large
// products use Web Workers and give Node's numbers. `--csp` adds a run under the policy
// script-src 'self' 'wasm-unsafe-eval'. Results go to the closing summary (scripts/check-report.mjs).
import { recordChecks } from "../../scripts/check-report.mjs";
import { prepare, runInChromium } from "./chromium.mjs";
import { LARGE, trainLosses } from "./train-lstm.mjs";

const withCsp = process.argv.includes("--csp");
const checks = [];
const record = (name, ok, detail = "") => {
  checks.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
};
const PAGE = "/test/browser/page.mjs";
prepare();

const [autograd, nn, optim] = await Promise.all([import("@tapegrad/autograd"), import("@tapegrad/nn"), import("@tapegrad/optim")]);
const node = Object.fromEntries(["wasm", "js"].map((b) => [b, trainLosses({ autograd, nn, optim }, b).losses]));
const nodeLarge = trainLosses({ autograd, nn, optim }, "wasm", LARGE).losses;
const sameToFloat32 = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 2 ** -22 * Math.abs(b[i]));

const started = Date.now();
const plain = await runInChromium(PAGE);
if (plain.error) {
  record("Chromium: trains an LSTM on the wasm and js backends", false, plain.error);
} else {
  for (const { backend, losses } of plain.runs) {
    const fmt = (l) => l.map((v) => v.toFixed(6)).join(" ");
    record(`Chromium ${backend}: the loss decreases`, losses.at(-1) < losses[0], fmt(losses));
    record(`Chromium ${backend}: the losses equal Node's to float32 rounding`, sameToFloat32(losses, node[backend]), `node ${fmt(node[backend])}`);
  }
}
const isolated = await runInChromium(PAGE, { isolated: true });
if (isolated.error) {
  record("Chromium, cross-origin isolated: products on Web Workers", false, isolated.error);
} else {
  const { threads, matmulError, largeLosses } = isolated.threaded;
  record("Chromium, cross-origin isolated: large products run on Web Workers", threads > 1, `${threads} threads`);
  record("Chromium, cross-origin isolated: a threaded 512×512 product equals the js backend's to float32 accuracy", matmulError < 2e-4, `max relative error ${matmulError.toExponential(2)}`);
  const fmt = (l) => l.map((v) => v.toFixed(6)).join(" ");
  record("Chromium, cross-origin isolated: a larger LSTM's losses on threads equal Node's to float32 rounding", sameToFloat32(largeLosses, nodeLarge), `browser ${fmt(largeLosses)}, node ${fmt(nodeLarge)}`);
}
if (withCsp) {
  const strict = await runInChromium(PAGE, { csp: true });
  record("Chromium under CSP script-src 'self' 'wasm-unsafe-eval'", !strict.error && strict.runs.every((r) => r.losses.at(-1) < r.losses[0]), strict.error ?? "");
}
console.log(`browser checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
recordChecks("browser", checks);
const failed = checks.filter((c) => !c.ok).length;
console.log(`browser: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
