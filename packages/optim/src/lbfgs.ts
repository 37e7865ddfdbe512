import { cat, enableGrad, isTensor, noGrad, zeros, type Tensor } from "@tapegrad/autograd";
import { dot, strongWolfe } from "./line-search";
import { requireNonNegative, requirePositiveInteger, rejectUnknownKeys } from "./options";
import { Optimizer, type Closure, type ParamGroup, type Params } from "./optimizer";
import { checkKeys, describeValue, loadNumber, loadTensor, type StateKind } from "./state-dict";

/** Options of {@link LBFGS} (PyTorch's, camelCased). */
export interface LBFGSOptions {
  /** Step size (1 by default). */
  lr: number;
  /** Iterations per step(). Default 20. */
  maxIter: number;
  /** Closure evaluations per step(). Default maxIter·5/4. */
  maxEval: number;
  /** Stop when every gradient element is at most this in size. Default 1e-7. */
  toleranceGrad: number;
  /** Stop when the loss or the step changes by less than this. Default 1e-9. */
  toleranceChange: number;
  /** Curvature pairs kept. Default 100. */
  historySize: number;
  /** null (a fixed step of lr) or "strong_wolfe". Default null. */
  lineSearchFn: null | "strong_wolfe";
}

/** PyTorch's LBFGS state, kept for the first parameter and covering all of them as one flat vector. */
type LBFGSState = {
  func_evals: number;
  n_iter: number;
  d?: Tensor;
  t?: number;
  old_dirs?: Tensor[];
  old_stps?: Tensor[];
  ro?: number[];
  H_diag?: number;
  prev_flat_grad?: Tensor;
  prev_loss?: number;
  al?: (number | null)[];
};

const numel = (p: Tensor): number => p.shape.reduce((a, b) => a * b, 1);

const KEYS = ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"];

/**
 * L-BFGS, PyTorch 1.13's algorithm (after minFunc): each step(closure) runs up to maxIter
 * quasi-Newton iterations over all parameters as one vector, re-evaluating the closure, with a
 * fixed step or a strong-Wolfe line search. One parameter group only.
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  private readonly params: Tensor[];
  private readonly numel: number;

  constructor(params: Params<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    rejectUnknownKeys("LBFGS", options ?? {}, KEYS);
    const maxIter = options?.maxIter ?? 20;
    super("LBFGS", params, { lr: 1, maxIter, maxEval: Math.floor((maxIter * 5) / 4), toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null, ...options });
    if (this.paramGroups.length !== 1) throw new Error(`LBFGS: supports one parameter group only, got ${this.paramGroups.length}`);
    this.params = this.paramGroups[0]!.params;
    const dtypes = new Set(this.params.map((p) => p.dtype));
    if (dtypes.size !== 1) throw new Error(`LBFGS: all parameters must have one dtype, got ${[...dtypes].join(" and ")}`);
    this.numel = this.params.reduce((n, p) => n + numel(p), 0);
  }

  protected checkOptions(o: LBFGSOptions): void {
    requireNonNegative(this.name, "lr", o.lr);
    requirePositiveInteger(this.name, "maxIter", o.maxIter);
    requirePositiveInteger(this.name, "maxEval", o.maxEval);
    requireNonNegative(this.name, "toleranceGrad", o.toleranceGrad);
    requireNonNegative(this.name, "toleranceChange", o.toleranceChange);
    requirePositiveInteger(this.name, "historySize", o.historySize);
    if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe") throw new Error(`LBFGS: lineSearchFn must be null or "strong_wolfe", got ${JSON.stringify(o.lineSearchFn)}`);
  }

  override addParamGroup(input: Parameters<Optimizer<LBFGSOptions, LBFGSState>["addParamGroup"]>[0]): void {
    if (this.paramGroups.length > 0) throw new Error("LBFGS: supports one parameter group only; put every parameter in it");
    super.addParamGroup(input);
  }

  protected initState(): LBFGSState {
    return { func_evals: 0, n_iter: 0 };
  }

  protected stateSpec(): Record<string, StateKind> {
    return { func_evals: "number", n_iter: "number" };
  }

  /** LBFGS moves all parameters together in step(closure); there is no per-parameter update. */
  protected update(): void {
    throw new Error("LBFGS: step needs a closure: opt.step(() => { opt.zeroGrad(); const loss = ...; loss.backward(); return loss; })");
  }

  private flatGrad(): Tensor {
    this.gradients(`${this.name}.step`);
    return noGrad(() => cat(this.params.map((p) => (p.grad ? p.grad.flatten() : zeros([numel(p)], { dtype: p.dtype })))));
  }

  private addDirection(t: number, d: Tensor): void {
    noGrad(() => {
      let offset = 0;
      for (const p of this.params) {
        const n = numel(p);
        p.add_(d.narrow(0, offset, n).reshape(p.shape), t);
        offset += n;
      }
    });
  }

  private evaluate(closure: Closure): number {
    const loss = enableGrad(closure);
    return isTensor(loss) ? loss.item() : Number(loss);
  }

  /** Runs up to maxIter iterations, evaluating `closure` as needed; returns the closure's first loss. */
  override step(closure?: Closure): Tensor | number {
    if (typeof closure !== "function") this.update();
    const group = this.paramGroups[0]!;
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const first = this.params[0]!;
    let state = this.state.get(first);
    if (!state) this.state.set(first, (state = this.initState()));

    const origLoss = enableGrad(closure!);
    let loss = isTensor(origLoss) ? origLoss.item() : Number(origLoss);
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.flatGrad();
    if (flatGrad.abs().max().item() <= toleranceGrad) return origLoss;

    let { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.n_iter += 1;
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
      } else {
        noGrad(() => {
          const y = flatGrad.sub(prevFlatGrad!);
          const s = d!.mul(t!);
          const ys = dot(y, s);
          if (ys > 1e-10) {
            if (oldDirs!.length === historySize) {
              oldDirs!.shift();
              oldStps!.shift();
              ro!.shift();
            }
            oldDirs!.push(y);
            oldStps!.push(s);
            ro!.push(1 / ys);
            hDiag = ys / dot(y, y);
          }
          const al = (state!.al ??= new Array<number | null>(historySize).fill(null));
          const q = flatGrad.neg();
          for (let i = oldDirs!.length - 1; i >= 0; i--) {
            al[i] = dot(oldStps![i]!, q) * ro![i]!;
            q.add_(oldDirs![i]!, -al[i]!);
          }
          const r = q.mul(hDiag!);
          for (let i = 0; i < oldDirs!.length; i++) {
            const be = dot(oldDirs![i]!, r) * ro![i]!;
            r.add_(oldStps![i]!, al[i]! - be);
          }
          d = r;
        });
      }
      prevFlatGrad = noGrad(() => flatGrad.clone());
      prevLoss = loss;
      t = state.n_iter === 1 ? Math.min(1, 1 / flatGrad.abs().sum().item()) * lr : lr;
      const gtd = dot(flatGrad, d!);
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      let optimal = false;
      if (lineSearchFn === "strong_wolfe") {
        const x = noGrad(() => this.params.map((p) => p.clone()));
        const evaluate = (step: number): [number, Tensor] => {
          this.addDirection(step, d!);
          const f = this.evaluate(closure!);
          const g = this.flatGrad();
          noGrad(() => this.params.forEach((p, i) => p.copy_(x[i]!)));
          return [f, g];
        };
        [loss, flatGrad, t, lsEvals] = strongWolfe(evaluate, t, d!, loss, flatGrad, gtd);
        this.addDirection(t, d!);
        optimal = flatGrad.abs().max().item() <= toleranceGrad;
      } else {
        this.addDirection(t, d!);
        if (nIter !== maxIter) {
          loss = this.evaluate(closure!);
          flatGrad = this.flatGrad();
          optimal = flatGrad.abs().max().item() <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      state.func_evals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optimal) break;
      if (d!.mul(t).abs().max().item() <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(state, { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss });
    return origLoss;
  }

  /** The state is one entry (for the first parameter) of flat vectors over all parameters, as in PyTorch. */
  protected override loadParamState(saved: Record<string, unknown>, param: Tensor, _group: ParamGroup<LBFGSOptions>, where: string): LBFGSState {
    if (param !== this.params[0]) throw new Error(`${where}: LBFGS keeps its state under the first parameter (index 0) only`);
    checkKeys(where, saved, ["func_evals", "n_iter"], ["d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss", "al"]);
    const flat = (key: string, v: unknown) => loadTensor(`${where}.${key}`, v, [this.numel], param.dtype);
    const list = (key: string, v: unknown): unknown[] => {
      if (!Array.isArray(v)) throw new Error(`${where}.${key}: expected a list, got ${describeValue(v)}`);
      return v;
    };
    const out: LBFGSState = { func_evals: loadNumber(`${where}.func_evals`, saved.func_evals), n_iter: loadNumber(`${where}.n_iter`, saved.n_iter) };
    for (const key of ["t", "H_diag", "prev_loss"] as const) if (key in saved) out[key] = loadNumber(`${where}.${key}`, saved[key]);
    for (const key of ["d", "prev_flat_grad"] as const) if (key in saved) out[key] = flat(key, saved[key]);
    for (const key of ["old_dirs", "old_stps"] as const) if (key in saved) out[key] = list(key, saved[key]).map((v, i) => flat(`${key}[${i}]`, v));
    if ("ro" in saved) out.ro = list("ro", saved.ro).map((v, i) => loadNumber(`${where}.ro[${i}]`, v));
    if ("al" in saved) out.al = list("al", saved.al).map((v, i) => (v === null ? null : loadNumber(`${where}.al[${i}]`, v)));
    const n = out.old_dirs?.length;
    if (out.old_stps?.length !== n || out.ro?.length !== n) throw new Error(`${where}: old_dirs, old_stps and ro must be lists of one length, got ${n}, ${out.old_stps?.length} and ${out.ro?.length}`);
    return out;
  }
}

