import { spawnSync } from "node:child_process";

/** Runs a child process and parses the `RESULT {json}` line it prints, or says how it failed (with the tail of its stderr). */
export function runChild<R>(command: string, args: string[], stderrTail = 500): R | string {
  const out = spawnSync(command, args, { encoding: "utf8", maxBuffer: 16 << 20 });
  const line = out.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  return line ? (JSON.parse(line.slice(7)) as R) : `failed (${out.signal ?? `exit ${out.status}`}) ${out.stderr.slice(-stderrTail)}`;
}
