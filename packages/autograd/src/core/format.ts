// A tensor printed as PyTorch 1.13 prints it (torch/_tensor_str.py with the default print
// options): precision 4, summarised past 1000 elements with 3 edge items, lines of 80 columns.
// Numbers are rounded exactly as Python's format() rounds them (the double's exact decimal
// value, ties to even), which Number#toFixed does not do (it rounds ties away from zero).

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** What printing needs to know of a tensor. */
export interface Printable {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly requiresGrad: boolean;
  readonly gradFn: { readonly name: string } | null;
  data(): ArrayLike<number>;
}

/** The exact decimal value of a finite double: digits · 10^-scale. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** digits · 10^-scale rounded to `places` decimals, ties to even: the integer value · 10^places. */
function roundDecimal(digits: bigint, scale: number, places: number): bigint {
  if (scale <= places) return digits * 10n ** BigInt(places - scale);
  const unit = 10n ** BigInt(scale - places);
  const q = digits / unit;
  const twice = 2n * (digits % unit);
  return twice > unit || (twice === unit && q % 2n === 1n) ? q + 1n : q;
}

function withPoint(n: bigint, places: number): string {
  const s = n.toString().padStart(places + 1, "0");
  return places === 0 ? s : `${s.slice(0, -places)}.${s.slice(-places)}`;
}

/** Python's "{:.<places>f}". */
export function formatFixed(x: number, places: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const { digits, scale } = exactDecimal(x);
  return (x < 0 || Object.is(x, -0) ? "-" : "") + withPoint(roundDecimal(digits, scale, places), places);
}

/** Python's "{:.<places>e}". */
export function formatScientific(x: number, places: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const { digits, scale } = exactDecimal(x);
  let exponent = digits === 0n ? 0 : digits.toString().length - 1 - scale;
  // Keep places+1 significant digits: round to (places - exponent) decimals.
  let n = roundDecimal(digits, scale, places - exponent);
  if (n.toString().length > places + 1) {
    exponent += 1;
    n = roundDecimal(digits, scale, places - exponent);
  }
  const e = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return `${sign}${withPoint(n, places)}e${e}`;
}

/** How every element of one tensor is written (PyTorch's _Formatter): one width for all. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(private readonly floating: boolean, values: readonly number[]) {
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, String(v).length);
      return;
    }
    const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length === 0) return;
    const abs = finite.map(Math.abs);
    const min = Math.min(...abs);
    const max = Math.max(...abs);
    this.intMode = finite.every((v) => v === Math.ceil(v));
    this.sciMode = max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4);
    for (const v of finite) {
      const s = this.sciMode ? formatScientific(v, PRECISION) : this.intMode ? `${formatFixed(v, 0)}.` : formatFixed(v, PRECISION);
      this.maxWidth = Math.max(this.maxWidth, s.length);
    }
  }

  get width(): number {
    return this.maxWidth;
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = String(v);
    else if (this.sciMode) s = formatScientific(v, PRECISION);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? "." : "");
    else s = formatFixed(v, PRECISION);
    return s.padStart(this.maxWidth);
  }
}

/** A row-major block of a tensor's values. */
interface Block {
  shape: readonly number[];
  values: ArrayLike<number>;
  start: number;
}

function sub(block: Block, i: number): Block {
  const size = block.shape.slice(1).reduce((a, b) => a * b, 1);
  return { shape: block.shape.slice(1), values: block.values, start: block.start + i * size };
}

/** Indices of dimension 0 that are printed: all of them, or the edge items when summarising. */
function shown(length: number, summarize: boolean): (number | null)[] {
  if (!summarize || length <= 2 * EDGE_ITEMS) return Array.from({ length }, (_, i) => i);
  return [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => length - EDGE_ITEMS + i)];
}

/** The values that are printed (PyTorch's get_summarized_data), which set the common width. */
function summarized(block: Block, summarize: boolean): number[] {
  if (block.shape.length === 0) return [block.values[block.start]!];
  return shown(block.shape[0]!, summarize).flatMap((i) => (i === null ? [] : summarized(sub(block, i), summarize)));
}

function vectorString(block: Block, indent: number, summarize: boolean, f: Formatter): string {
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (f.width + 2)));
  const items = shown(block.shape[0]!, summarize).map((i) => (i === null ? " ..." : f.format(block.values[block.start + i]!)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
  return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
}

function blockString(block: Block, indent: number, summarize: boolean, f: Formatter): string {
  const dim = block.shape.length;
  if (dim === 0) return f.format(block.values[block.start]!);
  if (dim === 1) return vectorString(block, indent, summarize, f);
  const parts = shown(block.shape[0]!, summarize).map((i) => (i === null ? "..." : blockString(sub(block, i), indent + 1, summarize, f)));
  return `[${parts.join(`,${"\n".repeat(dim - 1)}${" ".repeat(indent + 1)}`)}]`;
}

/** Appends ", suffix" items, wrapping to a new line where the last line would pass 80 columns. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  let lastLineLength = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINE_WIDTH) {
      out += `,\n${" ".repeat(indent)}${suffix}`;
      lastLineLength = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}

/**
 * The tensor as PyTorch's repr writes it: `tensor([[ 1.0000, -2.5000]], dtype=float64,
 * requires_grad=True)`. float32 is the default dtype and int32 the default integer type here
 * (PyTorch's int64), so neither is named; grad_fn is the op's name with PyTorch's suffix.
 */
export function formatTensor(t: Printable, prefix = "tensor("): string {
  const numel = t.shape.reduce((a, b) => a * b, 1);
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body = "[]";
  if (numel === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(", ")})`);
    if (t.dtype !== "float32") suffixes.push(`dtype=${t.dtype}`);
  } else {
    if (t.dtype !== "float32" && t.dtype !== "int32") suffixes.push(`dtype=${t.dtype}`);
    const summarize = numel > THRESHOLD;
    const block: Block = { shape: t.shape, values: t.data(), start: 0 };
    const formatter = new Formatter(t.dtype !== "int32", summarized(block, summarize));
    body = blockString(block, indent, summarize, formatter);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name[0]!.toUpperCase()}${t.gradFn.name.slice(1)}Backward0>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
