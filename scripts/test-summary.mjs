// Adds up the vitest JSON reports of every workspace and prints one closing line.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspaces = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
let passed = 0;
let failed = 0;
// npm test runs every suite on the wasm backend (vitest-report.json), then on js (.js.json).
for (const [ws, file] of workspaces.flatMap((ws) => [[ws, "vitest-report.json"], [ws, "vitest-report.js.json"]])) {
  const report = join(root, ws, file);
  if (!existsSync(report)) {
    console.log(`${ws}: no test report ${file} (its test run did not finish)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  const suiteErrors = (r.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0).length;
  console.log(`${ws} (${file === "vitest-report.json" ? "wasm" : "js"}): ${r.numPassedTests} passed, ${r.numFailedTests} failed${suiteErrors ? `, ${suiteErrors} test files failed to load` : ""}`);
  passed += r.numPassedTests;
  failed += r.numFailedTests + suiteErrors;
}
// Checks run outside vitest (scripts/check-report.mjs): package lint, consumer install, browser.
for (const file of readdirSync(root).filter((f) => /^check-report\..+\.json$/.test(f)).sort()) {
  const { section, checks } = JSON.parse(readFileSync(join(root, file), "utf8"));
  const ok = checks.filter((c) => c.ok).length;
  console.log(`${section}: ${ok} passed, ${checks.length - ok} failed`);
  passed += ok;
  failed += checks.length - ok;
}
for (const section of (process.env.TAPEGRAD_EXPECTED_CHECKS ?? "").split(",").filter(Boolean)) {
  if (!existsSync(join(root, `check-report.${section}.json`))) {
    console.log(`${section}: no check report (the run did not finish)`);
    failed += 1;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
