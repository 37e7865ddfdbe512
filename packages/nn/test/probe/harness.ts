import { isTensor, type Tensor } from "@tapegrad/autograd";
export function summarize(v: unknown): string {
  if (isTensor(v)) { const d = Array.from((v as Tensor).data()); return `T${JSON.stringify((v as Tensor).shape)} ${(v as Tensor).dtype} ${JSON.stringify(d.slice(0, 6))}${d.some(Number.isNaN) ? " HAS-NAN" : ""}`; }
  if (Array.isArray(v)) return `[${v.map(summarize).join(", ")}]`;
  if (v && typeof v === "object") return JSON.stringify(v, (_k, x) => (isTensor(x) ? summarize(x) : x)).slice(0, 200);
  return String(v);
}
export function run(cases: [string, () => unknown][]): void {
  const lines: string[] = [];
  for (const [name, fn] of cases) {
    try { lines.push(`OK   ${name} => ${summarize(fn())}`); } catch (e) { lines.push(`ERR  ${name} => ${(e as Error).constructor.name}: ${(e as Error).message.slice(0, 220)}`); }
  }
  console.log(lines.join("\n"));
}
