import { isFloat } from "./dtype";
import { grad } from "./grad";
import { Generator } from "./random";
import { fmt, unravel } from "./shape";
import { Tensor } from "./tensor";

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (1e-6 by default). */
  eps?: number;
  /** Absolute tolerance between analytical and numerical gradients (1e-5 by default). */
  atol?: number;
  /** Relative tolerance (1e-3 by default). */
  rtol?: number;
  /** Seed of the random cotangents used for outputs. */
  seed?: number;
}

/** What {@link gradcheck} and {@link gradgradcheck} found. */
export interface GradcheckResult {
  /** Whether every gradient entry is within atol + rtol · |numerical|. */
  ok: boolean;
  /** The largest absolute difference between analytical and numerical entries. */
  maxAbsError: number;
  /** The largest relative difference. */
  maxRelError: number;
  /** The element where analytical and numerical gradients disagree most. */
  worst: {
    /** Which input. */
    input: number;
    /** The element's position in that input. */
    index: number[];
    /** d output / d element from backward. */
    analytical: number;
    /** The same by central differences. */
    numerical: number;
  } | null;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return (Array.isArray(out) ? out : [out]).filter((t) => isFloat(t.dtype));
}

/**
 * Compares the tape's gradient with central finite differences, in float64. The outputs are
 * projected on a fixed random cotangent v, so one backward gives vᵀJ exactly and each input
 * element needs two evaluations of fn: any wrong Jacobian entry shows up (v has no zeros).
 */
export function gradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const checked = inputs.map((t, i) => {
    if (!t.requiresGrad) return false;
    if (t.dtype !== "float64") throw new Error(`gradcheck: input ${i} is ${t.dtype}; gradcheck needs float64 inputs (finite differences in float32 are too coarse)`);
    if (!t.isLeaf) throw new Error(`gradcheck: input ${i} must be a leaf tensor`);
    if (t.numel > 0 && t.shape.some((s, d) => s > 1 && t.strides[d] === 0)) throw new Error(`gradcheck: input ${i} (shape ${fmt(t.shape)}) has overlapping memory (an expanded dim); expand inside fn instead`);
    return true;
  });
  const outputs = outputsOf(fn, inputs);
  const gen = new Generator(opts.seed ?? 1234);
  const cotangents = outputs.map((o) => {
    const v = Tensor.zeros(o.shape, o.dtype);
    for (let i = 0; i < v.buf.length; i++) v.buf[i] = gen.normal();
    return v;
  });
  const wanted = inputs.filter((_, i) => checked[i]);
  const differentiable = outputs.map((o) => o.requiresGrad);
  const analytical = differentiable.some(Boolean)
    ? grad(outputs.filter((_, k) => differentiable[k]), wanted, { gradOutputs: cotangents.filter((_, k) => differentiable[k]), allowUnused: true })
    : wanted.map(() => null);

  // fn runs with grad mode as the caller has it, so fn may itself call grad() (double backward)
  const project = () =>
    outputsOf(fn, inputs).reduce((acc, o, k) => {
      const a = o.data();
      const v = cotangents[k]!.buf;
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]! * v[i]!;
      return acc + s;
    }, 0);

  const result: GradcheckResult = { ok: true, maxAbsError: 0, maxRelError: 0, worst: null };
  let worstExcess = -Infinity;
  let w = 0;
  inputs.forEach((x, i) => {
    if (!checked[i]) return;
    const g = analytical[w++];
    const gData = g ? g.data() : new Float64Array(x.numel);
    for (let k = 0; k < x.numel; k++) {
      const index = unravel(k, x.shape);
      const at = x.offset + index.reduce((p, ix, d) => p + ix * x.strides[d]!, 0);
      const orig = x.buf[at]!;
      x.buf[at] = orig + eps;
      const plus = project();
      x.buf[at] = orig - eps;
      const minus = project();
      x.buf[at] = orig;
      const numerical = (plus - minus) / (2 * eps);
      const a = gData[k]!;
      const abs = Math.abs(a - numerical);
      const rel = abs / Math.max(Math.abs(numerical), 1e-300);
      result.maxAbsError = Math.max(result.maxAbsError, abs);
      if (abs > atol) result.maxRelError = Math.max(result.maxRelError, rel);
      const excess = abs - (atol + rtol * Math.abs(numerical));
      if (!(excess <= 0)) result.ok = false;
      if (excess > worstExcess || Number.isNaN(excess)) {
        worstExcess = Number.isNaN(excess) ? Infinity : excess;
        result.worst = { input: i, index, analytical: a, numerical };
      }
    }
  });
  return result;
}

/** Options of {@link gradgradcheck}: those of gradcheck and the cotangents. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /** Cotangents for fn's differentiable outputs (copied; random normals when omitted). */
  gradOutputs?: Tensor[];
}

/**
 * Checks second derivatives like torch.autograd.gradgradcheck: gradcheck of the function
 * (inputs, u) ↦ uᵀ J(inputs), the vector-Jacobian product with cotangents u that are inputs
 * themselves, computed with createGraph. A backward that is right but not correctly
 * differentiable fails here while passing gradcheck.
 */
export function gradgradcheck(fn: Fn, inputs: Tensor[], opts: GradgradcheckOptions = {}): GradcheckResult {
  const outputs = outputsOf(fn, inputs).filter((o) => o.requiresGrad);
  const given = opts.gradOutputs;
  if (given && given.length !== outputs.length) throw new Error(`gradgradcheck: gradOutputs has ${given.length} tensor(s), expected ${outputs.length} (one per differentiable output)`);
  const gen = new Generator((opts.seed ?? 1234) + 1);
  const us = outputs.map((o, k) => {
    const g = given?.[k];
    if (g && fmt(g.shape) !== fmt(o.shape)) throw new Error(`gradgradcheck: gradOutputs[${k}] has shape ${fmt(g.shape)}, expected ${fmt(o.shape)}`);
    const u = Tensor.zeros(o.shape, "float64");
    if (g) u.assign(g.to("float64").detach());
    else for (let i = 0; i < u.buf.length; i++) u.buf[i] = gen.normal();
    return u.requiresGrad_();
  });
  const n = inputs.length;
  const vjp = (...all: Tensor[]): Tensor[] => {
    const ins = all.slice(0, n);
    const outs = outputsOf(fn, ins);
    const keep = outs.map((o) => o.requiresGrad);
    const wanted = ins.filter((t) => t.requiresGrad);
    const grads = grad(outs.filter((_, k) => keep[k]), wanted, { gradOutputs: all.slice(n), createGraph: true, allowUnused: true });
    return grads.filter((g): g is Tensor => g !== null);
  };
  return gradcheck(vjp, [...inputs, ...us], opts);
}
