/** A shape as PyTorch prints it in messages: [2, 3]. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
