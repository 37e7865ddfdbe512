// Serves the packages' built ESM files from 127.0.0.1 with an import map and runs a page module in
// Debian's Chromium (driven by playwright-core; nothing is downloaded). The page leaves its
// result in window.result. Used by the browser test and the browser benchmark.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const root = new URL("../..", import.meta.url).pathname;
const CHROMIUM = "/usr/bin/chromium";

/** Installs Debian's chromium when missing (as root, with apt) and builds the packages. */
export function prepare() {
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
}

const importMap = JSON.stringify({
  imports: Object.fromEntries(["autograd", "nn", "optim"].map((p) => [`@tapegrad/${p}`, `/packages/${p}/dist/index.js`])),
});
const importMapHash = createHash("sha256").update(importMap).digest("base64");
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json" };

/**
 * Serves `page` (a path under test/browser/ or bench/browser/), the packages' dist/ and those
 * folders; nothing else. `csp`: the strict policy script-src 'self' 'wasm-unsafe-eval' (plus the
 * import map's hash); `isolated`: COOP/COEP headers, so the page may use SharedArrayBuffer.
 */
function serve(page, { csp, isolated }) {
  const html = `<!doctype html><html><head><meta charset="utf-8"><script type="importmap">${importMap}</script>
<script type="module" src="${page}"></script></head><body></body></html>`;
  const headers = {
    ...(csp ? { "content-security-policy": `script-src 'self' 'wasm-unsafe-eval' 'sha256-${importMapHash}'` } : {}),
    ...(isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {}),
  };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname));
    if (path === "/") return res.writeHead(200, { ...headers, "content-type": "text/html" }).end(html);
    const allowed = /^\/packages\/(autograd|nn|optim)\/dist\/[\w.-]+$/.test(path) || /^\/(test|bench)\/browser\/[\w.-]+\.mjs$/.test(path);
    const file = join(root, path);
    if (!allowed || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Loads `page` in a fresh headless Chromium and returns its window.result (or { error }). */
export async function runInChromium(page, { csp = false, isolated = false, timeout = 60_000 } = {}) {
  const server = await serve(page, { csp, isolated });
  const profile = mkdtempSync(join(tmpdir(), "tapegrad-chromium-"));
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });
  try {
    const tab = await context.newPage();
    const errors = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.result !== undefined, null, { timeout });
    const result = await tab.evaluate(() => window.result);
    return result.error ? { error: result.error } : { ...result, errors };
  } catch (e) {
    return { error: e.message.split("\n")[0] };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
