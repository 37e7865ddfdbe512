import type { StridedView } from "../js/strided";
import { THREADED_RELAXED_SIMD_WASM, THREADED_SIMD_WASM } from "./binary";
import { Arena, decode, type ProductExports, type WasmMemory } from "./instance";
import { productHere } from "./product";
import { copiedElements, copyIn, forEachBatch, placeConcatenated, startC, type Placed } from "./operands";
import { numel } from "../../core/shape";
import { MAX_BYTES, allocateResident, isResident, residentEnd, sharedMemory } from "./resident";
import { threadHost, waitWhile, type WorkerData } from "./threads";
import { CHUNK_MIN_ROWS, CHUNK_MIN_WORK, WORKER_POLL_MS, WORKER_STARTUP_MS } from "../tuning";

// Large matmuls on several threads (Node worker_threads). Every thread instantiates the same
// matmul module (wasm/threaded.ts) over one shared WebAssembly memory: the calling thread copies
// A and B in once, C is cut into chunks (blocks of rows, or of columns when there are few rows),
// and each thread claims chunks until none are left, so a descheduled worker never holds the
// others up. The caller computes chunks too and then blocks in Atomics.wait until the last one
// is done, so matmul stays synchronous. A worker polls for the next job for a short while
// before it sleeps; only a sleeping worker needs Atomics.notify.
//
// The first worker also takes background products from a queue (submitBackground): the calling
// thread queues them and goes on, and waits only when it needs the result (awaitBackground).
// The worker computes them one at a time, in order, between the chunks of synchronous products.

/** Int32 slots of the control block: the current job's parameters and progress, the workers' counters, the background queue. */
const CTL = {
  seq: 0, done: 1, failed: 2, f64: 3, n: 4, k: 5, aRow: 6, aCol: 7, bRow: 8, bCol: 9, table: 10, count: 11, work: 12, workBytes: 13,
  /** workers started, chunks they computed, and workers asleep in Atomics.wait (the others still poll) */
  ready: 14, workerChunks: 15, accumulate: 16, sleeping: 17,
  /** background products queued and done, the first worker's gemm scratch for them, and the word sleeping workers wait on */
  bgTail: 18, bgDone: 19, bgWork: 20, wake: 21,
} as const;
/** Int32 fields of a queued background product. */
const JOB = { M: 0, N: 1, K: 2, a: 3, aRow: 4, aCol: 5, b: 6, bRow: 7, bCol: 8, c: 9, accumulate: 10, f64: 11, size: 12 } as const;
/** Int32 fields of a chunk in a job's table: rows, columns, and the byte addresses of its A, B, C and bias row (0: none). */
const CHUNK = { rows: 0, cols: 1, a: 2, b: 3, c: 4, bias: 5, size: 6 } as const;
/** Background products the queue holds at most. */
const BG_CAPACITY = 64;
/** Byte offset of the BigInt64 claim word: (job sequence << 32) | next chunk index. */
const NEXT_BYTE = 128;
const LAYOUT = { CTL, JOB, CHUNK, BG_CAPACITY, NEXT_BYTE, POLL_MS: WORKER_POLL_MS };
type Layout = typeof LAYOUT;

/**
 * Claims and computes chunks of job `seq` until none are left; the calling thread and every
 * worker run this same function (the workers get its source). With `tally`, counts the chunks
 * in that control slot.
 */
function runChunks(exports: ProductExports, ctl: Int32Array, next: BigInt64Array, seq: number, thread: number, L: Layout, tally: number): void {
  const { CTL, CHUNK } = L;
  const gemm = ctl[CTL.f64] ? exports.gemmF64 : exports.gemmF32;
  const N = ctl[CTL.n]!, K = ctl[CTL.k]!, aRow = ctl[CTL.aRow]!, aCol = ctl[CTL.aCol]!, bRow = ctl[CTL.bRow]!, bCol = ctl[CTL.bCol]!;
  const count = ctl[CTL.count]!, work = ctl[CTL.work]! + thread * ctl[CTL.workBytes]!;
  const tag = BigInt(seq) << 32n;
  let table: Int32Array | null = null;
  for (;;) {
    const claim = Atomics.load(next, 0);
    if (claim - tag >= BigInt(count) || claim < tag) return;
    if (Atomics.compareExchange(next, 0, claim, claim + 1n) !== claim) continue;
    table ??= new Int32Array(exports.memory.buffer, ctl[CTL.table]!, count * CHUNK.size);
    const i = Number(claim - tag) * CHUNK.size;
    gemm(table[i + CHUNK.rows]!, table[i + CHUNK.cols]!, K, table[i + CHUNK.a]!, aRow, aCol, table[i + CHUNK.b]!, bRow, bCol, table[i + CHUNK.c]!, N, ctl[CTL.accumulate]!, work, table[i + CHUNK.bias]!);
    if (tally >= 0) Atomics.add(ctl, tally, 1);
    if (Atomics.add(ctl, CTL.done, 1) + 1 === count) Atomics.notify(ctl, CTL.done);
  }
}

declare const WebAssembly: { Instance: new (module: object, imports: object) => { exports: unknown } };
declare const performance: { now(): number };

/**
 * A worker's life: instantiate the module over the shared memory, then run every job it is
 * woken for, and (the first worker) the background products in order. Runs in the worker from
 * its source, with runChunks and the layout passed in.
 */
function workerMain(data: WorkerData & { memory: WasmMemory }, L: Layout, run: typeof runChunks): void {
  const { CTL, JOB, BG_CAPACITY, NEXT_BYTE, POLL_MS } = L;
  const { module, memory, control, queue, thread } = data;
  const ctl = new Int32Array(control);
  const jobs = new Int32Array(queue);
  const next = new BigInt64Array(control, NEXT_BYTE, 1);
  let seen = 0;
  let background = 0;
  let idle = 1.5;
  const pending = () => Atomics.load(ctl, CTL.seq) !== seen || (thread === 1 && Atomics.load(ctl, CTL.bgTail) !== background);
  // Between two looks the loop waits on a chain of square roots, which keeps the multiply-add
  // units free for a thread sharing the core (the calling thread, when the vCPUs are hyperthreads).
  const polled = () => {
    const until = performance.now() + POLL_MS;
    for (;;) {
      for (let i = 0; i < 64; i++) {
        for (let j = 0; j < 64; j++) idle = Math.sqrt(idle + 1);
        if (pending()) return true;
      }
      if (performance.now() > until) return false;
    }
  };
  try {
    const exports = { ...(new WebAssembly.Instance(module, { env: { memory } }).exports as ProductExports), memory };
    Atomics.add(ctl, CTL.ready, 1);
    Atomics.notify(ctl, CTL.ready);
    for (;;) {
      if (!polled()) {
        Atomics.add(ctl, CTL.sleeping, 1);
        const wake = Atomics.load(ctl, CTL.wake);
        if (!pending()) Atomics.wait(ctl, CTL.wake, wake);
        Atomics.sub(ctl, CTL.sleeping, 1);
      }
      const seq = Atomics.load(ctl, CTL.seq);
      if (seq !== seen) {
        seen = seq;
        run(exports, ctl, next, seq, thread, L, CTL.workerChunks);
      }
      if (thread === 1 && Atomics.load(ctl, CTL.bgTail) !== background) {
        const j = (background % BG_CAPACITY) * JOB.size;
        const gemm = jobs[j + JOB.f64] ? exports.gemmF64 : exports.gemmF32;
        gemm(jobs[j + JOB.M]!, jobs[j + JOB.N]!, jobs[j + JOB.K]!, jobs[j + JOB.a]!, jobs[j + JOB.aRow]!, jobs[j + JOB.aCol]!, jobs[j + JOB.b]!, jobs[j + JOB.bRow]!, jobs[j + JOB.bCol]!, jobs[j + JOB.c]!, jobs[j + JOB.N]!, jobs[j + JOB.accumulate]!, ctl[CTL.bgWork]!, 0);
        background++;
        Atomics.store(ctl, CTL.bgDone, background);
        Atomics.notify(ctl, CTL.bgDone);
      }
    }
  } catch (error) {
    Atomics.store(ctl, CTL.failed, 1);
    Atomics.notify(ctl, CTL.done);
    Atomics.notify(ctl, CTL.ready);
    Atomics.notify(ctl, CTL.bgDone);
    throw error;
  }
}

/** The worker's entry: workerMain with the layout and runChunks as the calling thread has them. */
// Transforms that keep function names (tsx, esbuild's keepNames) call a `__name` helper inside
// function sources; the worker has no such helper unless its source brings one.
const WORKER_MAIN = `(data) => {
  const __name = (target) => target;
  return (${workerMain.toString()})(data, ${JSON.stringify(LAYOUT)}, ${runChunks.toString()});
}`;

interface SharedWebAssembly {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const globals = globalThis as unknown as { WebAssembly?: SharedWebAssembly };

/** Whether products will run on worker threads here (see ./threads). */
export function threadsAvailable(): boolean {
  return threadHost() !== null;
}

/** Matmul over the calling thread and `threads - 1` workers sharing one WebAssembly memory. */
export class MatmulPool {
  private readonly arena: Arena<ProductExports>;
  private readonly ctl: Int32Array;
  private readonly next: BigInt64Array;
  private readonly jobs: Int32Array;
  private seq = 0;
  private background = 0;
  /** What each queued background product reads and writes, held until it is done (its slot is reused only then). */
  private readonly inFlight: unknown[] = new Array(BG_CAPACITY).fill(null);

  private constructor(
    exports: ProductExports, control: SharedArrayBuffer, queue: SharedArrayBuffer, readonly threads: number,
    /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
    private readonly canBlock: boolean,
    /** The first worker's gemm scratch for background products (held as long as the pool). */
    private readonly backgroundScratch: Float32Array | Float64Array,
  ) {
    // scratch starts above the resident blocks, and operands already resident are not copied
    this.arena = new Arena(exports, residentEnd, isResident);
    this.ctl = new Int32Array(control);
    this.next = new BigInt64Array(control, NEXT_BYTE, 1);
    this.jobs = new Int32Array(queue);
  }

  /** Workers started and waiting for jobs (they start in the background). */
  get workersReady(): number {
    return Atomics.load(this.ctl, CTL.ready);
  }

  /** Chunks of products the workers (not the calling thread) have computed so far. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, CTL.workerChunks);
  }

  /**
   * Blocks until the workers have started (about 60 ms), at most `ms`: created at the first
   * large product, the pool would otherwise leave the products right after it to this thread.
   */
  private awaitWorkers(ms: number): void {
    const until = Date.now() + ms;
    for (let ready = this.workersReady; ready < this.threads - 1 && !Atomics.load(this.ctl, CTL.failed) && Date.now() < until; ready = this.workersReady) {
      waitWhile(this.ctl, CTL.ready, ready, until - Date.now(), true);
    }
  }

  /** The pool, or null where worker threads or shared WebAssembly memory are unavailable. */
  static create(): MatmulPool | null {
    const host = threadHost();
    const api = globals.WebAssembly;
    if (!host || !api) return null;
    for (const source of [THREADED_RELAXED_SIMD_WASM, THREADED_SIMD_WASM]) {
      const bytes = decode(source);
      if (!api.validate(bytes)) continue;
      try {
        const module = new api.Module(bytes);
        const memory = sharedMemory();
        if (!memory) return null;
        const exports = { ...(new api.Instance(module, { env: { memory } }).exports as ProductExports), memory };
        const control = new SharedArrayBuffer(NEXT_BYTE + 8);
        const queue = new SharedArrayBuffer(BG_CAPACITY * JOB.size * 4);
        const scratch = allocateResident(Float64Array, Math.ceil(exports.gemmWorkBytes(8) / 8));
        if (!scratch) return null;
        new Int32Array(control)[CTL.bgWork] = scratch.byteOffset;
        for (let thread = 1; thread < host.threads; thread++) host.spawn(WORKER_MAIN, { module, memory, control, queue, thread });
        const pool = new MatmulPool(exports, control, queue, host.threads, host.canBlock, scratch);
        // a browser's main thread cannot block, and its workers may need it to turn to start
        if (host.canBlock) pool.awaitWorkers(WORKER_STARTUP_MS);
        return pool;
      } catch {
        return null;
      }
    }
    return null;
  }

  /**
   * How C is cut: blocks of rows (each packs its own copy of B, so at least CHUNK_MIN_ROWS), or
   * with fewer rows than that (a recurrent step's batch) blocks of columns, one or two per thread,
   * each at least CHUNK_MIN_WORK multiply-adds.
   */
  private chunkShape(M: number, N: number, K: number, batches: number): { rows: number; cols: number } {
    const wanted = 2 * this.threads;
    if (M >= 2 * CHUNK_MIN_ROWS || batches > 1) {
      return { rows: Math.min(M, Math.max(CHUNK_MIN_ROWS, Math.ceil(M / wanted / 4) * 4)), cols: N };
    }
    const chunks = Math.max(1, Math.min(wanted, Math.floor((M * N * K) / CHUNK_MIN_WORK)));
    return { rows: M, cols: Math.min(N, Math.ceil(N / chunks / 8) * 8) };
  }

  /**
   * C (+)= A·B (same contract as kernels/matmul.ts) on all threads; false (nothing done) when
   * the operands would not fit the shared memory.
   */
  matmul(a: StridedView, b: StridedView, c: Float32Array | Float64Array, accumulate = false, init?: StridedView): boolean {
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
    const place = (arena: Arena<ProductExports>, bytes: number): [Placed, Placed] => [copyIn(arena, a, bytes), copyIn(arena, b, bytes)];
    return this.product(M, N, K, a.shape.slice(0, nd - 2), copiedElements(a) + copiedElements(b), place, c, accumulate, init);
  }

  /**
   * C (+)= A·B (2-D float32, a few rows of A) on the calling thread alone, in the shared memory:
   * an operand that lives there (a parameter) is read in place instead of copied for every step
   * of a batch-1 sequence. False (nothing done) when B's layout does not suit gemv.
   */
  gemv(a: StridedView, b: StridedView, c: Float32Array, accumulate = false, init?: StridedView): boolean {
    const K = a.shape[1]!;
    if (!this.arena.exports.gemvFitsF32(b.strides[0]!, b.strides[1]!) || residentEnd() + (copiedElements(a) + copiedElements(b) + c.length + K + 64) * 4 > MAX_BYTES) return false;
    productHere(this.arena, a, b, c, accumulate, init);
    return true;
  }

  /** C (+)= Σ aᵢ·bᵢ as one product over the concatenated inner dim (see placeConcatenated). */
  matmulSum(pairs: readonly (readonly [StridedView, StridedView])[], c: Float32Array | Float64Array, accumulate: boolean): boolean {
    const M = pairs[0]![0].shape[0]!, N = pairs[0]![1].shape[1]!;
    let K = 0;
    for (const [a] of pairs) K += a.shape[1]!;
    const place = (arena: Arena<ProductExports>, bytes: number) => placeConcatenated(arena, pairs, M, N, K, bytes);
    return this.product(M, N, K, [], (M + N) * K, place, c, accumulate);
  }

  private product(
    M: number, N: number, K: number, batchShape: readonly number[], operandElements: number,
    place: (arena: Arena<ProductExports>, bytes: number) => [Placed, Placed], c: Float32Array | Float64Array, accumulate: boolean, init?: StridedView,
  ): boolean {
    if (Atomics.load(this.ctl, CTL.failed)) return false;
    const bytes = c.BYTES_PER_ELEMENT;
    const nd = batchShape.length + 2;
    const { rows, cols } = this.chunkShape(M, N, K, numel(batchShape));
    const rowChunks = Math.ceil(M / rows), colChunks = Math.ceil(N / cols);
    const perMatrix = rowChunks * colChunks;
    const count = numel(batchShape) * perMatrix;
    const exports = this.arena.exports;
    const workBytes = exports.gemmWorkBytes(bytes);
    const need = residentEnd() + (operandElements + c.length + N + 8) * bytes + count * CHUNK.size * 4 + this.threads * workBytes + 6 * 64;
    if (need > MAX_BYTES) return false;

    const arena = this.arena;
    arena.reset();
    const [A, B] = place(arena, bytes);
    const out = arena.take(c.length * bytes);
    const Typed = c.constructor as Float32ArrayConstructor;
    const start = startC(arena, out, c, accumulate, init, M, N, true);
    accumulate = start.accumulate;
    const work = arena.take(this.threads * workBytes);
    const tableAt = arena.take(count * CHUNK.size * 4);
    const table = new Int32Array(arena.buffer, tableAt, count * CHUNK.size);
    const aRow = A.strides[nd - 2]!, aCol = A.strides[nd - 1]!, bCol = B.strides[nd - 1]!;
    forEachBatch(batchShape, A, B, bytes, (q, pa, pb) => {
      for (let r = 0; r < rowChunks; r++) {
        for (let s = 0; s < colChunks; s++) {
          const i = (q * perMatrix + r * colChunks + s) * CHUNK.size;
          table[i] = Math.min(rows, M - r * rows);
          table[i + 1] = Math.min(cols, N - s * cols);
          table[i + 2] = pa + r * rows * aRow * bytes;
          table[i + 3] = pb + s * cols * bCol * bytes;
          table[i + 4] = out + ((q * M + r * rows) * N + s * cols) * bytes;
          table[i + 5] = start.bias && start.bias + s * cols * bytes;
        }
      }
    });

    // A new job: first retag the claim word (a late worker holding the previous sequence can no
    // longer claim), then write the parameters, then publish the sequence and wake the workers.
    const ctl = this.ctl;
    const seq = (this.seq = (this.seq % 0x7fffffff) + 1);
    Atomics.store(this.next, 0, BigInt(seq) << 32n);
    ctl[CTL.f64] = bytes === 8 ? 1 : 0;
    ctl[CTL.n] = N;
    ctl[CTL.k] = K;
    ctl[CTL.aRow] = aRow;
    ctl[CTL.aCol] = aCol;
    ctl[CTL.bRow] = B.strides[nd - 2]!;
    ctl[CTL.bCol] = bCol;
    ctl[CTL.table] = tableAt;
    ctl[CTL.count] = count;
    ctl[CTL.work] = work;
    ctl[CTL.workBytes] = workBytes;
    ctl[CTL.accumulate] = accumulate ? 1 : 0;
    Atomics.store(ctl, CTL.done, 0);
    Atomics.store(ctl, CTL.seq, seq);
    this.wake();
    runChunks(exports, ctl, this.next, seq, 0, LAYOUT, -1);
    for (let done = Atomics.load(ctl, CTL.done); done < count; done = Atomics.load(ctl, CTL.done)) {
      if (Atomics.load(ctl, CTL.failed)) throw new Error("matmul: a worker thread failed while computing its rows of the product");
      waitWhile(ctl, CTL.done, done, Infinity, this.canBlock);
    }
    (c as Float32Array).set(new Typed(arena.buffer, out, c.length));
    return true;
  }

  private wake(): void {
    Atomics.add(this.ctl, CTL.wake, 1);
    if (Atomics.load(this.ctl, CTL.sleeping) > 0) Atomics.notify(this.ctl, CTL.wake);
  }

  /** Whether background products can be queued (a first worker is running). */
  get backgroundAvailable(): boolean {
    return this.workersReady > 0 && !Atomics.load(this.ctl, CTL.failed);
  }

  /**
   * Queues C (+)= A·B (byte addresses in the shared memory; A read with strides aRow, aCol, B
   * with bRow, bCol; C row-major with N columns) for the first worker, which computes queued
   * products one after another in order. Returns the job's index for awaitBackground. The
   * operands must stay untouched until then; `keep` (the arrays holding them) is held until the
   * product is done, so that their memory cannot be handed out again while the worker uses it.
   */
  submitBackground(f64: boolean, M: number, N: number, K: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, c: number, accumulate: boolean, keep: unknown): number {
    const index = this.background;
    if (index - BG_CAPACITY >= 0) this.awaitBackground(index - BG_CAPACITY);
    const j = (index % BG_CAPACITY) * JOB.size;
    const fields = [M, N, K, a, aRow, aCol, b, bRow, bCol, c, accumulate ? 1 : 0, f64 ? 1 : 0];
    for (let i = 0; i < JOB.size; i++) this.jobs[j + i] = fields[i]!;
    this.inFlight[index % BG_CAPACITY] = keep;
    this.background = index + 1;
    Atomics.store(this.ctl, CTL.bgTail, this.background);
    this.wake();
    return index;
  }

  /** Blocks until background product `index` (and every one queued before it) is done. */
  awaitBackground(index: number): void {
    const ctl = this.ctl;
    for (let done = Atomics.load(ctl, CTL.bgDone); done <= index; done = Atomics.load(ctl, CTL.bgDone)) {
      if (Atomics.load(ctl, CTL.failed)) throw new Error("matmul: a worker thread failed while computing a background product");
      waitWhile(ctl, CTL.bgDone, done, 1000, this.canBlock);
    }
  }
}
