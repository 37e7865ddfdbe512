// Adds up the vitest JSON reports of every workspace and prints one closing line.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspaces = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
let passed = 0;
let failed = 0;
for (const ws of workspaces) {
  const report = join(root, ws, "vitest-report.json");
  if (!existsSync(report)) {
    console.log(`${ws}: no test report (its test run did not finish)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  const suiteErrors = (r.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0).length;
  console.log(`${ws}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${suiteErrors ? `, ${suiteErrors} test files failed to load` : ""}`);
  passed += r.numPassedTests;
  failed += r.numFailedTests + suiteErrors;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
