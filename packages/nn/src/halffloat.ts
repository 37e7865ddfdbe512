/**
 * The 16-bit float formats of safetensors: IEEE binary16 (F16: 5 exponent bits, 10 mantissa bits)
 * and bfloat16 (BF16: 8 exponent bits, 7 mantissa bits). Encoding rounds the exact value to the
 * nearest representable one, ties to even, overflowing to ±inf as IEEE does; NaN becomes the
 * quiet NaN. Decoding is exact (every such value is a float32).
 */
interface Format {
  exponentBits: number;
  mantissaBits: number;
}

export const F16: Format = { exponentBits: 5, mantissaBits: 10 };
export const BF16: Format = { exponentBits: 8, mantissaBits: 7 };

const scratch = new DataView(new ArrayBuffer(8));

/** The unbiased binary exponent of a finite double (-1023 for zero and subnormals). */
function exponentOf(x: number): number {
  scratch.setFloat64(0, x);
  return ((scratch.getUint16(0) >>> 4) & 0x7ff) - 1023;
}

/** The bits of the format's value nearest to x. */
export function encodeBits(x: number, { exponentBits, mantissaBits }: Format): number {
  const infinity = ((1 << exponentBits) - 1) << mantissaBits;
  if (Number.isNaN(x)) return infinity | (1 << (mantissaBits - 1));
  const sign = x < 0 || Object.is(x, -0) ? 1 << (exponentBits + mantissaBits) : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | infinity;
  const minExponent = 2 - (1 << (exponentBits - 1));
  const exponent = Math.max(exponentOf(a), minExponent);
  // a / quantum is exact (a power-of-two scaling); its integer part has mantissaBits + 1 bits.
  const scaled = a / 2 ** (exponent - mantissaBits);
  const floor = Math.floor(scaled);
  const rest = scaled - floor;
  const rounded = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  // A carry out of the mantissa moves into the exponent field by itself; past the largest exponent it is inf.
  return sign | Math.min(((exponent - minExponent) << mantissaBits) + rounded, infinity);
}

/** The value of the format's bits. */
export function decodeBits(bits: number, { exponentBits, mantissaBits }: Format): number {
  const sign = bits >>> (exponentBits + mantissaBits) ? -1 : 1;
  const field = (bits >>> mantissaBits) & ((1 << exponentBits) - 1);
  const mantissa = bits & ((1 << mantissaBits) - 1);
  const bias = (1 << (exponentBits - 1)) - 1;
  if (field === (1 << exponentBits) - 1) return mantissa ? NaN : sign * Infinity;
  if (field === 0) return sign * mantissa * 2 ** (1 - bias - mantissaBits);
  return sign * (mantissa + (1 << mantissaBits)) * 2 ** (field - bias - mantissaBits);
}
