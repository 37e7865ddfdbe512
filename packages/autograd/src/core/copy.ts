/** This copy of the package: its version (checked against package.json by a test) and where it was loaded from. */
export const COPY = { version: "0.1.0", location: loadedFrom() };

/** The mark every Tensor of any copy carries, so that copies recognise each other's tensors. */
export const TENSOR_BRAND = Symbol.for("tapegrad.autograd.tensor");

function loadedFrom(): string {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const frame = frames.find((f) => /(https?|file):\/\/|\/|\\/.test(f)) ?? "";
  const match = /\(?((?:[a-z]+:\/\/|\/|[A-Za-z]:\\)[^()]*?)(?::\d+){0,2}\)?\s*$/.exec(frame.trim());
  return match?.[1] ?? "an unknown location";
}

/**
 * Throws when `value` is a tensor made by another copy of @tapegrad/autograd (an ESM and a CJS
 * build in one process, or two versions): the copies have separate tapes, so mixing them would
 * silently lose gradients.
 */
export function checkSameCopy(op: string, value: unknown): void {
  const other = (value as { [TENSOR_BRAND]?: typeof COPY } | null)?.[TENSOR_BRAND];
  if (other && other !== COPY) {
    throw new Error(
      `${op}: this tensor was made by another copy of @tapegrad/autograd (${other.version}, loaded from ${other.location}) than this op (${COPY.version}, loaded from ${COPY.location}). ` +
        "Two copies have separate tapes and cannot be mixed; make every import resolve to one copy (one version, and the ESM or the CJS build, not both).",
    );
  }
}
