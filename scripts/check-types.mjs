// Type-checks every package, test, example and bench file (tsconfig.json), which also checks the
// type-level tests (expectTypeOf), and records the result for the closing summary (check-report.mjs).
import { execFileSync } from "node:child_process";
import { recordChecks } from "./check-report.mjs";

const root = new URL("..", import.meta.url).pathname;
let ok = true;
try {
  execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.json", "--noEmit"], { cwd: root, stdio: "inherit" });
} catch {
  ok = false;
}
const name = "tsc --noEmit: packages, tests, examples and bench";
console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
recordChecks("typecheck", [{ name, ok }]);
process.exit(ok ? 0 : 1);
