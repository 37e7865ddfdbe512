// The npm registry reachable here mirrors only the Linux x64 builds of some packages, so
// `npm install` leaves the other platforms' optional binaries out of package-lock.json and
// `npm ci` then rejects the lockfile. This adds those entries back (marked optional, with
// their os/cpu/libc, so npm skips them without fetching). Run it after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const OS = { android: "android", darwin: "darwin", freebsd: "freebsd", linux: "linux", openbsd: "openbsd", netbsd: "netbsd", openharmony: "openharmony", win32: "win32", windows: "win32", sunos: "sunos", aix: "aix" };
const CPU = { arm: "arm", arm64: "arm64", x64: "x64", 64: "x64", ia32: "ia32", loong64: "loong64", ppc64: "ppc64", riscv64: "riscv64", s390x: "s390x", mips64el: "mips64el" };

function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.map((t) => OS[t]).find(Boolean);
  const cpu = tokens.map((t) => CPU[t]).find(Boolean);
  if (!os || !cpu) return null;
  const entry = { os: [os], cpu: [cpu] };
  if (os === "linux") entry.libc = [tokens.some((t) => t.startsWith("musl")) ? "musl" : "glibc"];
  return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [dep, spec] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = key === "" ? "" : `${key}/`;
    if (lock.packages[`${base}node_modules/${dep}`] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform || !/^\d+\.\d+\.\d+$/.test(spec)) continue;
    lock.packages[`node_modules/${dep}`] = { version: spec, ...(pkg.dev ? { dev: true } : {}), optional: true, ...platform };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries to package-lock.json`);
