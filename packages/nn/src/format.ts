/** A shape as PyTorch prints it in messages: [2, 3]. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A float as Python's repr writes it: 0.5, 1.0, 1e-05, 1.5e+20 (PyTorch's extra_repr strings use it). */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const [mantissa, exp] = x.toExponential().split("e") as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A shape as a Python tuple: (16,) or (4, 5). */
export function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
