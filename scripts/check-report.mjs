// The checks run outside vitest (package lint, consumer install, browser) each write their
// results to check-report.<section>.json at the repository root; test-summary.mjs adds them up.
import { writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;

/** Writes one section's results: [{ name, ok }]. */
export function recordChecks(section, checks) {
  const file = `${root}check-report.${section.replace(/\W+/g, "-")}.json`;
  writeFileSync(file, JSON.stringify({ section, checks }, null, 2) + "\n");
}
