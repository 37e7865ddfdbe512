// Installs the packed packages into a fresh project outside the repository, as a user would, and
// checks them there: strict type checks under node16, nodenext, bundler and node10 resolution
// (the .d.ts and .d.cts files, skipLibCheck off), and train.ts run as ESM and as CommonJS.
// `--no-codegen` adds a run under --disallow-code-generation-from-strings.
// Results go to the closing summary (scripts/check-report.mjs); the exit code is 1 on a failure.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordChecks } from "../../scripts/check-report.mjs";

const root = new URL("../..", import.meta.url).pathname;
const tsc = join(root, "node_modules/typescript/bin/tsc");
const withNoCodegen = process.argv.includes("--no-codegen");
const checks = [];

function check(name, fn) {
  const started = Date.now();
  try {
    const detail = fn();
    checks.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)${detail ? `: ${detail}` : ""}`);
  } catch (e) {
    checks.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

const run = (cmd, args, cwd, opts = {}) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
const write = (dir, name, value) => writeFileSync(join(dir, name), typeof value === "string" ? value : JSON.stringify(value, null, 2));

const project = mkdtempSync(join(tmpdir(), "tapegrad-consumer-"));
const tarballs = join(project, "tarballs");
mkdirSync(tarballs);
console.log(`consumer project: ${project}`);

check("build and pack the three packages", () => {
  run("npx", ["--no-install", "turbo", "run", "build", "--output-logs=errors-only"], root);
  run("npm", ["pack", "-w", "packages/autograd", "-w", "packages/nn", "-w", "packages/optim", "--pack-destination", tarballs], root);
  return readdirSync(tarballs).join(", ");
});

check("each tarball has README, LICENSE, ESM, CJS and both kinds of types, and no sources", () => {
  for (const file of readdirSync(tarballs)) {
    const listed = run("tar", ["-tzf", join(tarballs, file)], tarballs).split("\n");
    const missing = ["README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"].filter((f) => !listed.includes(`package/${f}`));
    if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(", ")}`);
    const sources = listed.filter((f) => f.startsWith("package/src/") || f.startsWith("package/test/"));
    if (sources.length > 0) throw new Error(`${file} ships ${sources.join(", ")}`);
  }
});

check("npm install of the tarballs into a fresh project", () => {
  write(project, "package.json", { name: "tapegrad-consumer", private: true, type: "module" });
  const files = readdirSync(tarballs).map((f) => `./tarballs/${f}`);
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...files], project);
  copyFileSync(join(root, "test/consumer/train.ts"), join(project, "train.ts"));
  copyFileSync(join(root, "test/consumer/train.ts"), join(project, "train.cts"));
});

const strict = { strict: true, target: "es2022", lib: ["es2022"], types: [], skipLibCheck: false, noEmit: true };
const configs = {
  node16: { module: "node16", moduleResolution: "node16", files: ["train.ts", "train.cts"] },
  nodenext: { module: "nodenext", moduleResolution: "nodenext", files: ["train.ts", "train.cts"] },
  bundler: { module: "esnext", moduleResolution: "bundler", files: ["train.ts"] },
  node10: { module: "commonjs", moduleResolution: "node10", files: ["train.ts"] },
};
for (const [name, { files, ...options }] of Object.entries(configs)) {
  check(`tsc --strict with moduleResolution ${name}`, () => {
    write(project, `tsconfig.${name}.json`, { compilerOptions: { ...strict, ...options }, files });
    run("node", [tsc, "-p", `tsconfig.${name}.json`], project);
  });
}

function train(file, flags = []) {
  const out = JSON.parse(run("node", [...flags, file], project).trim().split("\n").at(-1));
  if (!(out.losses.at(-1) < out.losses[0])) throw new Error(`loss did not decrease: ${out.losses}`);
  if (!out.printed.startsWith("LSTM(3, 8)")) throw new Error(`the LSTM printed as ${out.printed}`);
  return out.losses;
}

let esm = null;
let cjs = null;
check("compile train.ts as ESM and train.cts as CommonJS (nodenext)", () => {
  write(project, "tsconfig.emit.json", { compilerOptions: { ...strict, module: "nodenext", moduleResolution: "nodenext", noEmit: false, outDir: "out" }, files: ["train.ts", "train.cts"] });
  run("node", [tsc, "-p", "tsconfig.emit.json"], project);
});
check("ESM: trains an LSTM (loss decreases) and round-trips safetensors", () => {
  esm = train("out/train.js");
  return `losses ${esm.map((l) => l.toFixed(5)).join(" ")}`;
});
check("CommonJS: the same through require()", () => {
  cjs = train("out/train.cjs");
  if (esm && cjs.join() !== esm.join()) throw new Error(`losses differ from the ESM run: ${cjs} vs ${esm}`);
});
if (withNoCodegen) {
  check("ESM under node --disallow-code-generation-from-strings", () => {
    train("out/train.js", ["--disallow-code-generation-from-strings"]);
  });
}

rmSync(project, { recursive: true, force: true });
recordChecks("consumer", checks);
const failed = checks.filter((c) => !c.ok).length;
console.log(`consumer: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
