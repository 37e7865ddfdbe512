import * as asciichart from "asciichart";

const COLORS = [asciichart.blue, asciichart.red, asciichart.green, asciichart.magenta, asciichart.yellow, asciichart.cyan];

/** Mean of the last `n` values (all of them if fewer): a final loss without single-batch noise. */
export function tailMean(values: readonly number[], n = 50): number {
  const tail = values.slice(-n);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** The mean of each value and the n - 1 before it (fewer at the start): smooths a noisy loss curve. */
export function movingAverage(values: readonly number[], n = 20): number[] {
  let sum = 0;
  return values.map((v, i) => {
    sum += v - (i >= n ? values[i - n]! : 0);
    return sum / Math.min(n, i + 1);
  });
}

/** Averages `values` into at most `width` buckets so a long curve fits a terminal. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const lo = Math.floor((b * values.length) / width);
    const hi = Math.floor(((b + 1) * values.length) / width);
    let s = 0;
    for (let i = lo; i < hi; i++) s += values[i]!;
    out.push(s / (hi - lo));
  }
  return out;
}

/** Prints one or more curves (e.g. training loss) as a terminal line chart with a legend. */
export function printChart(title: string, series: Record<string, readonly number[]>, opts: { height?: number; width?: number } = {}): void {
  const names = Object.keys(series).filter((n) => series[n]!.some(Number.isFinite));
  if (names.length === 0) return;
  const width = opts.width ?? 70;
  const lines = names.map((n) => downsample(series[n]!.map((v) => (Number.isFinite(v) ? v : NaN)), width));
  const colors = names.map((_, i) => (process.stdout.isTTY ? COLORS[i % COLORS.length] : undefined));
  console.log(`\n${title}`);
  console.log(asciichart.plot(lines, { height: opts.height ?? 12, colors, format: (x) => x.toPrecision(3).padStart(9) }));
  if (names.length > 1) console.log(names.map((n, i) => (colors[i] ? `${colors[i]}━━${asciichart.reset} ${n}` : `${"━─┄"[i % 3]!.repeat(2)} ${n}`)).join("   "));
}
