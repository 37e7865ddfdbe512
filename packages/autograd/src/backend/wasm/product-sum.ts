import type { ProductAccumulator } from "../js/matmul";
import type { StridedView } from "../js/strided";
import { writeBlock } from "./operands";
import type { MatmulPool } from "./pool";
import { allocateResident, releaseResident } from "./resident";
import { BACKGROUND_BLOCK_ROWS, BACKGROUND_STAGING_BLOCKS } from "../tuning";


interface Staging {
  view: Float32Array | Float64Array;
  /** The background product reading it, or -1. */
  job: number;
}

/**
 * Σ aᵢ·bᵢ (aᵢ: M×kᵢ, bᵢ: kᵢ×N) computed while the terms are still arriving: a recurrent
 * layer's weight gradient, one term per time step of its backward. Every BACKGROUND_BLOCK_ROWS rows of the
 * concatenated inner dim are staged in the shared memory ([a₁ … aₙ] transposed, [b₁; …; bₙ])
 * and queued as one background product into an accumulator, which the pool's first worker
 * computes while the calling thread goes on with the rest of the backward. The newest term is
 * held back until the next one arrives, so a sum of a single term (a whole sequence's product)
 * goes straight to the threaded product at the end instead of to one worker.
 */
export class BackgroundProductSum implements ProductAccumulator {
  private readonly bytes: number;
  private readonly acc: Float32Array | Float64Array;
  private readonly staging: Staging[] = [];
  private current = 0;
  /** Rows of the current staging block filled so far. */
  private rows = 0;
  private queued = 0;
  private last = -1;
  private held: readonly [StridedView, StridedView] | null = null;

  private constructor(
    private readonly pool: MatmulPool,
    private readonly M: number,
    private readonly N: number,
    f64: boolean,
    acc: Float32Array | Float64Array,
  ) {
    this.bytes = f64 ? 8 : 4;
    this.acc = acc;
  }

  /** A sum of products M×N, or null when the shared memory has no room for it. */
  static create(pool: MatmulPool, M: number, N: number, f64: boolean): BackgroundProductSum | null {
    const acc = allocateResident(f64 ? Float64Array : Float32Array, M * N);
    return acc && new BackgroundProductSum(pool, M, N, f64, acc);
  }

  add(a: StridedView, b: StridedView): void {
    if (this.held) this.stage(this.held[0], this.held[1]);
    this.held = [a, b];
  }

  /** Copies a term's rows into staging blocks, queueing each block as it fills. */
  private stage(a: StridedView, b: StridedView): void {
    const { M, N } = this;
    const k = a.shape[1]!;
    for (let r = 0; r < k; ) {
      const block = this.block();
      const n = Math.min(k - r, BACKGROUND_BLOCK_ROWS - this.rows);
      const aT = block.view.subarray(0, BACKGROUND_BLOCK_ROWS * M), bRows = block.view.subarray(BACKGROUND_BLOCK_ROWS * M);
      writeBlock(aT, this.rows * M, a.buf, a.offset + r * a.strides[1]!, n, M, a.strides[1]!, a.strides[0]!);
      writeBlock(bRows, this.rows * N, b.buf, b.offset + r * b.strides[0]!, n, N, b.strides[0]!, b.strides[1]!);
      this.rows += n;
      r += n;
      if (this.rows === BACKGROUND_BLOCK_ROWS) this.submit();
    }
  }

  /** The staging block being filled, waiting for the product that last read it if need be. */
  private block(): Staging {
    let block = this.staging[this.current];
    if (!block) {
      const view = allocateResident(this.bytes === 8 ? Float64Array : Float32Array, BACKGROUND_BLOCK_ROWS * (this.M + this.N) + 8);
      if (!view) throw new Error("matmul: no room in the shared memory for a background product's operands");
      this.staging[this.current] = block = { view, job: -1 };
    } else if (this.rows === 0 && block.job >= 0) {
      this.pool.awaitBackground(block.job);
      block.job = -1;
    }
    return block;
  }

  private submit(): void {
    const block = this.staging[this.current]!;
    const { M, N, bytes } = this;
    const at = block.view.byteOffset;
    block.job = this.last = this.pool.submitBackground(bytes === 8, M, N, this.rows, at, 1, M, at + BACKGROUND_BLOCK_ROWS * M * bytes, N, 1, this.acc.byteOffset, this.queued > 0, [block.view, this.acc]);
    this.queued++;
    this.rows = 0;
    this.current = (this.current + 1) % BACKGROUND_STAGING_BLOCKS;
  }

  finish(c: Float32Array | Float64Array, accumulate: boolean): void {
    const { M, N } = this;
    const rest: (readonly [StridedView, StridedView])[] = [];
    if (this.rows > 0) {
      const view = this.staging[this.current]!.view;
      rest.push([
        { buf: view, shape: [M, this.rows], strides: [1, M], offset: 0 },
        { buf: view, shape: [this.rows, N], strides: [N, 1], offset: BACKGROUND_BLOCK_ROWS * M },
      ]);
    }
    if (this.held) rest.push(this.held);
    if (this.last >= 0) this.pool.awaitBackground(this.last);
    const acc = this.acc;
    if (rest.length > 0 && !this.pool.matmulSum(rest, acc, this.queued > 0)) throw new Error("matmul: no room in the shared memory for the rest of a background product sum");
    if (accumulate) for (let i = 0; i < c.length; i++) c[i]! += acc[i]!;
    else c.set(acc);
    this.release();
  }

  private release(): void {
    for (const block of this.staging) releaseResident(block.view);
    releaseResident(this.acc);
    this.staging.length = 0;
    this.held = null;
  }
}
