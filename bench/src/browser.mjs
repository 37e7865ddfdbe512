// node bench/src/browser.mjs [rounds]: W6 (n = 512) and W1 in Debian's Chromium, with and without
// cross-origin isolation (COOP/COEP: Web Workers and SharedArrayBuffer for large products), in
// alternating rounds; prints each round, the medians and their ratio with the load average.
import { loadavg } from "node:os";
import { prepare, runInChromium } from "../../test/browser/chromium.mjs";

const rounds = Number(process.argv[2] ?? 3);
prepare();
const load = loadavg();
const results = { plain: [], isolated: [] };
for (let r = 0; r < rounds; r++) {
  for (const kind of ["plain", "isolated"]) {
    const res = await runInChromium("/bench/browser/page.mjs", { isolated: kind === "isolated", timeout: 300_000 });
    if (res.error) throw new Error(`${kind}: ${res.error}`);
    results[kind].push(res);
    console.log(`round ${r + 1} ${kind.padEnd(8)} threads ${res.threads}  W6 n=512 ${res.w6.toFixed(2)} ms (${res.w6Gflops.toFixed(1)} GFLOP/s)  W1 ${res.w1.toFixed(1)} ms/step`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = (kind, key) => median(results[kind].map((r) => r[key]));
console.log(`medians: W6 ${m("plain", "w6").toFixed(2)} → ${m("isolated", "w6").toFixed(2)} ms (${(m("plain", "w6") / m("isolated", "w6")).toFixed(2)}x), W1 ${m("plain", "w1").toFixed(1)} → ${m("isolated", "w1").toFixed(1)} ms (${(m("plain", "w1") / m("isolated", "w1")).toFixed(2)}x) with isolation; load average ${load.map((v) => v.toFixed(2)).join(" / ")} at the start, ${loadavg().map((v) => v.toFixed(2)).join(" / ")} at the end`);
