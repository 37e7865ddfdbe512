import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Series {
  name: string;
  values: readonly number[];
  /** x coordinates; defaults to 0, 1, 2, ... */
  x?: readonly number[];
  /** Draw points instead of a line. */
  points?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  series: Series[];
  logY?: boolean;
  width?: number;
  height?: number;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const FONT = `font-family="Helvetica, Arial, sans-serif"`;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const num = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(+v.toPrecision(4)));

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** Tick positions (in log10 units) at powers of ten, at 1, 2, 5 times them for a short range, else linear. */
function logTicks(lo: number, hi: number): number[] {
  const powers = ticks(lo, hi).filter(Number.isInteger);
  if (powers.length >= 2) return powers;
  const out: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) for (const m of [1, 2, 5]) out.push(k + Math.log10(m));
  const within = out.filter((t) => t >= lo && t <= hi);
  return within.length >= 2 ? within : ticks(10 ** lo, 10 ** hi).filter((v) => v > 0).map(Math.log10);
}

/** An SVG line chart of one or more series, with axes, ticks and a legend. */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const m = { left: 78, right: 16, top: 36, bottom: 48 };
  const fy = (v: number) => (opts.logY ? Math.log10(v) : v);
  const pts = opts.series.map((s) => s.values.map((v, i) => [s.x?.[i] ?? i, fy(v)] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const all = pts.flat();
  if (all.length === 0) throw new Error(`lineChart "${opts.title}": no finite values to plot`);
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - pad, y1 + pad];
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const sy = (y: number) => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`);
  for (const t of ticks(x0, x1)) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.top}" y2="${height - m.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${sx(t)}" y="${height - m.bottom + 16}" text-anchor="middle">${num(t)}</text>`);
  }
  for (const t of opts.logY ? logTicks(y0, y1) : ticks(y0, y1)) {
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end">${opts.logY ? num(10 ** t) : num(t)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#333"/>`);
  if (opts.xLabel) out.push(`<text x="${(m.left + width - m.right) / 2}" y="${height - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(18 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}${opts.logY ? " (log scale)" : ""}</text>`);
  opts.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    if (s.points) for (const [x, y] of pts[k]!) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    else out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${pts[k]!.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}"/>`);
    const ly = m.top + 14 + k * 16;
    const lx = width - m.right - 175;
    if (s.points) out.push(`<circle cx="${lx + 10}" cy="${ly - 4}" r="3" fill="${color}"/>`);
    else out.push(`<line x1="${lx}" x2="${lx + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${lx + 26}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}

export interface HeatMapOptions {
  title: string;
  /** values[row][col] */
  values: readonly (readonly number[])[];
  rowLabels: readonly string[];
  colLabels: readonly string[];
  xLabel?: string;
  yLabel?: string;
  cell?: number;
  /** Write each value in its cell. */
  annotate?: boolean;
}

/** An SVG heat map (white = smallest, dark blue = largest), e.g. attention weights or a confusion table. */
export function heatMap(opts: HeatMapOptions): string {
  const rows = opts.values.length;
  const cols = opts.values[0]?.length ?? 0;
  if (rows !== opts.rowLabels.length || cols !== opts.colLabels.length || opts.values.some((r) => r.length !== cols)) {
    throw new Error(`heatMap "${opts.title}": values are ${rows}x${cols} but there are ${opts.rowLabels.length} row and ${opts.colLabels.length} column labels`);
  }
  const cell = opts.cell ?? 24;
  const labelW = 8 + 7 * Math.max(1, ...opts.rowLabels.map((l) => l.length));
  const labelH = 8 + 7 * Math.max(1, ...opts.colLabels.map((l) => l.length));
  const m = { left: labelW + 24, top: 36 + labelH };
  const width = m.left + cols * cell + 16;
  const height = m.top + rows * cell + 36;
  const flat = opts.values.flat();
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const shade = (v: number) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0;
    const c = (a: number, b: number) => Math.round(a + (b - a) * t);
    return `rgb(${c(255, 8)},${c(255, 48)},${c(255, 107)})`;
  };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`);
  opts.colLabels.forEach((l, j) => {
    const x = m.left + j * cell + cell / 2 + 4;
    out.push(`<text transform="translate(${x} ${m.top - 6}) rotate(-90)">${esc(l)}</text>`);
  });
  opts.rowLabels.forEach((l, i) => out.push(`<text x="${m.left - 6}" y="${m.top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(l)}</text>`));
  opts.values.forEach((r, i) =>
    r.forEach((v, j) => {
      out.push(`<rect x="${m.left + j * cell}" y="${m.top + i * cell}" width="${cell}" height="${cell}" fill="${shade(v)}"><title>${num(v)}</title></rect>`);
      const dark = hi > lo && (v - lo) / (hi - lo) > 0.5;
      if (opts.annotate) out.push(`<text x="${m.left + (j + 0.5) * cell}" y="${m.top + (i + 0.5) * cell + 4}" text-anchor="middle" fill="${dark ? "white" : "black"}">${num(v)}</text>`);
    }),
  );
  if (opts.xLabel) out.push(`<text x="${m.left + (cols * cell) / 2}" y="${height - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text transform="translate(14 ${m.top + (rows * cell) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}

/** Places several SVG figures side by side in one SVG. */
export function sideBySide(svgs: readonly string[]): string {
  const size = (s: string) => {
    const w = /width="([\d.]+)"/.exec(s);
    const h = /height="([\d.]+)"/.exec(s);
    return [Number(w?.[1] ?? 640), Number(h?.[1] ?? 400)] as const;
  };
  let x = 0;
  let height = 0;
  const parts = svgs.map((s) => {
    const [w, h] = size(s);
    const part = s.replace("<svg ", `<svg x="${x}" y="0" `);
    x += w;
    height = Math.max(height, h);
    return part;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${height}" viewBox="0 0 ${x} ${height}">\n${parts.join("\n")}\n</svg>`;
}

/** Where figures and saved models go: examples/out/ (ignored by git), or $EXAMPLES_OUT_DIR. */
export const OUT_DIR = process.env.EXAMPLES_OUT_DIR ? join(process.env.EXAMPLES_OUT_DIR, "/") : fileURLToPath(new URL("../out/", import.meta.url));

/** Writes `svg` to examples/out/<name>.svg and returns the path. */
export function writeFigure(name: string, svg: string): string {
  const path = outPath(`${name}.svg`);
  writeFileSync(path, svg);
  console.log(`wrote ${path}`);
  return path;
}

/** The path of `file` inside the output folder (created if needed). */
export function outPath(file: string): string {
  mkdirSync(OUT_DIR, { recursive: true });
  return join(OUT_DIR, file);
}
