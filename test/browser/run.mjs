// Trains a small LSTM in a real browser (Debian's Chromium driven by playwright-core; nothing is
// downloaded) from the packages' built ESM files, served from 127.0.0.1 with an import map, on
// the wasm and the js backend, and checks that the losses decrease and equal Node's.
// `--csp` adds a run under the policy script-src 'self' 'wasm-unsafe-eval' (plus the import
// map's hash, the one inline script). Results go to the closing summary (scripts/check-report.mjs).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { recordChecks } from "../../scripts/check-report.mjs";
import { trainLosses } from "./train-lstm.mjs";

const root = new URL("../..", import.meta.url).pathname;
const CHROMIUM = "/usr/bin/chromium";
const withCsp = process.argv.includes("--csp");
const checks = [];
const record = (name, ok, detail = "") => {
  checks.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
};

if (!existsSync(CHROMIUM)) {
  console.log("installing Debian's chromium");
  const apt = (args) => execFileSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  try {
    apt(["install", "-y", "chromium"]);
  } catch {
    apt(["update"]);
    apt(["install", "-y", "chromium"]);
  }
}
execFileSync("npx", ["--no-install", "turbo", "run", "build", "--output-logs=errors-only"], { cwd: root, stdio: "inherit" });

const importMap = JSON.stringify({
  imports: Object.fromEntries(["autograd", "nn", "optim"].map((p) => [`@tapegrad/${p}`, `/packages/${p}/dist/index.js`])),
});
const html = `<!doctype html><html><head><meta charset="utf-8"><script type="importmap">${importMap}</script>
<script type="module" src="/test/browser/page.mjs"></script></head><body></body></html>`;
const importMapHash = createHash("sha256").update(importMap).digest("base64");
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json" };

// Serves the page, the packages' dist/ and this folder; nothing else.
function serve(csp) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname));
    const headers = csp ? { "content-security-policy": `script-src 'self' 'wasm-unsafe-eval' 'sha256-${importMapHash}'` } : {};
    if (path === "/") return res.writeHead(200, { ...headers, "content-type": "text/html" }).end(html);
    const allowed = /^\/packages\/(autograd|nn|optim)\/dist\/[\w.-]+$/.test(path) || /^\/test\/browser\/[\w.-]+\.mjs$/.test(path);
    const file = join(root, path);
    if (!allowed || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function trainInBrowser(csp) {
  const server = await serve(csp);
  const profile = mkdtempSync(join(tmpdir(), "tapegrad-chromium-"));
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    const result = await page.evaluate(() => window.result);
    return result.error ? { error: result.error } : { runs: result.runs, errors };
  } catch (e) {
    return { error: e.message.split("\n")[0] };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const [autograd, nn, optim] = await Promise.all([import("@tapegrad/autograd"), import("@tapegrad/nn"), import("@tapegrad/optim")]);
const node = Object.fromEntries(["wasm", "js"].map((b) => [b, trainLosses({ autograd, nn, optim }, b).losses]));
const sameToFloat32 = (a, b) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 2 ** -22 * Math.abs(b[i]));

const started = Date.now();
const plain = await trainInBrowser(false);
if (plain.error) {
  record("Chromium: trains an LSTM on the wasm and js backends", false, plain.error);
} else {
  for (const { backend, losses } of plain.runs) {
    const fmt = (l) => l.map((v) => v.toFixed(6)).join(" ");
    record(`Chromium ${backend}: the loss decreases`, losses.at(-1) < losses[0], fmt(losses));
    record(`Chromium ${backend}: the losses equal Node's to float32 rounding`, sameToFloat32(losses, node[backend]), `node ${fmt(node[backend])}`);
  }
}
if (withCsp) {
  const strict = await trainInBrowser(true);
  record("Chromium under CSP script-src 'self' 'wasm-unsafe-eval'", !strict.error && strict.runs.every((r) => r.losses.at(-1) < r.losses[0]), strict.error ?? "");
}
console.log(`browser checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
recordChecks("browser", checks);
const failed = checks.filter((c) => !c.ok).length;
console.log(`browser: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
