// Builds the API reference (typedoc.json: every public export documented, links valid, nothing
// referenced that is not exported; warnings are errors) and records the result for the closing
// summary (check-report.mjs).
import { execFileSync } from "node:child_process";
import { recordChecks } from "./check-report.mjs";

const root = new URL("..", import.meta.url).pathname;
let ok = true;
try {
  execFileSync("npx", ["--no-install", "typedoc"], { cwd: root, stdio: "inherit" });
} catch {
  ok = false;
}
const name = "typedoc: API reference of @tapegrad/autograd, nn and optim, warnings as errors";
console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
recordChecks("docs", [{ name, ok }]);
process.exit(ok ? 0 : 1);
