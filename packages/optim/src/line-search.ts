import type { Tensor } from "@tapegrad/autograd";

/** Evaluates the loss and flat gradient at x + t·d (and restores x). */
export type DirectionalEvaluate = (t: number) => [number, Tensor];

export const dot = (a: Tensor, b: Tensor): number => a.mul(b).sum().item();

/** The minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds (PyTorch's _cubic_interpolate). */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

/**
 * A line search along d satisfying the strong Wolfe conditions, PyTorch 1.13's _strong_wolfe
 * step for step: bracketing, then zoom by cubic interpolation. Returns [loss, flat grad, t, evaluations].
 */
export function strongWolfe(evaluate: DirectionalEvaluate, t: number, d: Tensor, f: number, g: Tensor, gtd: number, toleranceChange = 1e-9, c1 = 1e-4, c2 = 0.9, maxLs = 25): [number, Tensor, number, number] {
  const dNorm = d.abs().max().item();
  let [fNew, gNew] = evaluate(t);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let iter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: number[] = [];
  while (iter < maxLs) {
    if (fNew > f + c1 * t * gtd || (iter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG, done] = [[t], [fNew], [gNew], true];
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const tNext = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [t + 0.01 * (t - tPrev), t * 10]);
    [tPrev, fPrev, gPrev, gtdPrev] = [t, fNew, gNew, gtdNew];
    t = tNext;
    [fNew, gNew] = evaluate(t);
    evals += 1;
    gtdNew = dot(gNew, d);
    iter += 1;
  }
  if (iter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];

  let insufficientProgress = false;
  let [low, high] = bracketF[0]! <= bracketF.at(-1)! ? [0, 1] : [1, 0];
  while (!done && iter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const top = Math.max(...bracket);
    const bottom = Math.min(...bracket);
    const eps = 0.1 * (top - bottom);
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    [fNew, gNew] = evaluate(t);
    evals += 1;
    gtdNew = dot(gNew, d);
    iter += 1;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]!) {
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high]! - bracket[low]!) >= 0) {
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [bracket[low]!, bracketF[low]!, bracketG[low]!, bracketGtd[low]!];
      }
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return [bracketF[low]!, bracketG[low]!, bracket[low]!, evals];
}
