// Packs each published package and checks it as a consumer's tools see it: @arethetypeswrong/cli
// (types for node10, node16 CJS and ESM, bundler) and publint --strict. Prints one line per
// check and records them for the closing summary (check-report.mjs).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { recordChecks } from "./check-report.mjs";

const root = new URL("..", import.meta.url).pathname;
const checks = [];
for (const pkg of ["autograd", "nn", "optim"]) {
  const cwd = join(root, "packages", pkg);
  for (const [name, args] of [["attw", ["attw", "--pack", ".", "--format", "ascii"]], ["publint", ["publint", "--strict"]]]) {
    let ok = true;
    let output = "";
    try {
      output = execFileSync("npx", ["--no-install", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      ok = false;
      output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
    console.log(`${ok ? "ok  " : "FAIL"} ${name} @tapegrad/${pkg}`);
    if (!ok) console.log(output);
    checks.push({ name: `${name} @tapegrad/${pkg}`, ok });
  }
}
recordChecks("package checks", checks);
process.exit(checks.every((c) => c.ok) ? 0 : 1);
