import type { Module } from "./module";

type Row = [string, string, string];

const count = (n: number) => n.toLocaleString("en-US");

/**
 * A table of the model's parameters (dotted name, shape, number of elements) and the total,
 * plus how many of them train when some do not; returned as a string to print.
 */
export function summary(model: Module): string {
  const params = model.namedParameters();
  const total = params.reduce((s, [, p]) => s + p.numel, 0);
  const trainable = params.reduce((s, [, p]) => s + (p.requiresGrad ? p.numel : 0), 0);
  const header: Row = ["parameter", "shape", "count"];
  const rows = params.map(([name, p]): Row => [name, `[${p.shape.join(", ")}]`, count(p.numel)]);
  const footer: Row[] = [["total", "", count(total)]];
  if (trainable !== total) footer.push(["trainable", "", count(trainable)]);
  const widths = [0, 1, 2].map((k) => Math.max(...[header, ...rows, ...footer].map((r) => r[k]!.length)));
  const line = (r: Row) => `${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2].padStart(widths[2]!)}`;
  const rule = "-".repeat(widths[0]! + widths[1]! + widths[2]! + 4);
  return [`${model.constructor.name} summary`, line(header), rule, ...rows.map(line), rule, ...footer.map(line)].join("\n");
}
