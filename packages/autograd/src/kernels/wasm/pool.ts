import type { StridedView } from "../view";
import { THREADED_RELAXED_SIMD_WASM, THREADED_SIMD_WASM } from "./binary";
import { Arena, decode, type WasmMemory } from "./instance";
import { copiedElements, copyIn, forEachBatch, numel, placeConcatenated, startC, type Placed } from "./operands";
import { MAX_BYTES, allocateResident, isResident, residentEnd, sharedMemory } from "./resident";

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

type Gemm = (M: number, N: number, K: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, c: number, ldc: number, accumulate: number, work: number, bias: number) => void;
interface ThreadedExports {
  memory: WasmMemory;
  gemmF32: Gemm;
  gemmF64: Gemm;
  gemmWorkBytes(elementBytes: number): number;
}

// Int32 slots of the control block: a job's parameters and its progress.
const SEQ = 0, DONE = 1, FAILED = 2, F64 = 3, N_ = 4, K_ = 5, A_ROW = 6, A_COL = 7, B_ROW = 8, B_COL = 9;
const TABLE = 10, COUNT = 11, WORK = 12, WORK_BYTES = 13, ACCUMULATE = 16;
// Int32 slots the workers count in: workers started, chunks they have computed, and workers
// asleep in Atomics.wait (the others are still polling for the next job and need no wake-up).
const READY = 14, WORKER_CHUNKS = 15, SLEEPING = 17;
// Int32 slots of the background queue and the wake-up word: background products queued and
// done, the byte address of the first worker's gemm scratch for them, and a counter bumped at
// every publication (sync or background) that sleeping workers wait on.
const BG_TAIL = 18, BG_DONE = 19, BG_WORK = 20, WAKE = 21;
/** Background products the queue holds at most, and the Int32 fields of each. */
const BG_CAPACITY = 64, BG_INTS = 12;
/** Byte offset of the BigInt64 claim word: (job sequence << 32) | next chunk index. */
const NEXT_BYTE = 128;
/** A chunk in the job's table: rows, columns, and the byte addresses of its A, B, C and bias row (0: none). */
const CHUNK_INTS = 6;

/**
 * Claims and computes chunks of job `seq` until none are left. The same loop runs in the workers
 * (WORKER_SOURCE below, kept in step with this one by hand).
 */
function runChunks(exports: ThreadedExports, ctl: Int32Array, next: BigInt64Array, seq: number, thread: number): void {
  const gemm = ctl[F64] ? exports.gemmF64 : exports.gemmF32;
  const N = ctl[N_]!, K = ctl[K_]!, aRow = ctl[A_ROW]!, aCol = ctl[A_COL]!, bRow = ctl[B_ROW]!, bCol = ctl[B_COL]!;
  const count = ctl[COUNT]!, work = ctl[WORK]! + thread * ctl[WORK_BYTES]!;
  const table = new Int32Array(exports.memory.buffer, ctl[TABLE]!, count * CHUNK_INTS);
  const tag = BigInt(seq) << 32n;
  for (;;) {
    const claim = Atomics.load(next, 0);
    if (claim - tag >= BigInt(count) || claim < tag) return;
    if (Atomics.compareExchange(next, 0, claim, claim + 1n) !== claim) continue;
    const i = Number(claim - tag) * CHUNK_INTS;
    gemm(table[i]!, table[i + 1]!, K, table[i + 2]!, aRow, aCol, table[i + 3]!, bRow, bCol, table[i + 4]!, N, ctl[ACCUMULATE]!, work, table[i + 5]!);
    if (Atomics.add(ctl, DONE, 1) + 1 === count) Atomics.notify(ctl, DONE);
  }
}

/**
 * How long a worker keeps polling for the next product before it sleeps. The products of a
 * recurrent layer come 100-200 µs apart, and waking a sleeping worker costs the caller about
 * 40 µs (Atomics.notify) and the product as much again until the worker runs.
 */
const POLL_MS = 0.3;

/** A worker: instantiate the module over the shared memory, then run every job it is woken for. */
const WORKER_SOURCE = `"use strict";
const { workerData } = require("node:worker_threads");
const { module, memory, control, queue, thread } = workerData;
const ctl = new Int32Array(control);
const jobs = new Int32Array(queue);
const next = new BigInt64Array(control, ${NEXT_BYTE}, 1);
let seen = 0;
let background = 0;
let idle = 1.5;
/** Whether a synchronous product after \`seen\`, or (first worker) a background one, is waiting. */
const pending = () => Atomics.load(ctl, ${SEQ}) !== seen || (thread === 1 && Atomics.load(ctl, ${BG_TAIL}) !== background);
/**
 * Whether a job was published within the polling time. Between two looks the loop waits on a
 * chain of square roots, which keeps the multiply-add units free for a thread sharing the core
 * (the calling thread, on a machine whose vCPUs are hyperthreads of one core).
 */
const polled = () => {
  const until = performance.now() + ${POLL_MS};
  for (;;) {
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 64; j++) idle = Math.sqrt(idle + 1);
      if (pending()) return true;
    }
    if (performance.now() > until) return false;
  }
};
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.add(ctl, ${READY}, 1);
  Atomics.notify(ctl, ${READY});
  for (;;) {
    if (!polled()) {
      Atomics.add(ctl, ${SLEEPING}, 1);
      const wake = Atomics.load(ctl, ${WAKE});
      if (!pending()) Atomics.wait(ctl, ${WAKE}, wake);
      Atomics.sub(ctl, ${SLEEPING}, 1);
    }
    const seq = Atomics.load(ctl, ${SEQ});
    if (seq !== seen) {
      seen = seq;
      const gemm = ctl[${F64}] ? exports.gemmF64 : exports.gemmF32;
      const N = ctl[${N_}], K = ctl[${K_}], aRow = ctl[${A_ROW}], aCol = ctl[${A_COL}], bRow = ctl[${B_ROW}], bCol = ctl[${B_COL}];
      const count = ctl[${COUNT}], work = ctl[${WORK}] + thread * ctl[${WORK_BYTES}];
      const tag = BigInt(seen) << 32n;
      let table = null;
      for (;;) {
        const claim = Atomics.load(next, 0);
        if (claim - tag >= BigInt(count) || claim < tag) break;
        if (Atomics.compareExchange(next, 0, claim, claim + 1n) !== claim) continue;
        table ??= new Int32Array(memory.buffer, ctl[${TABLE}], count * ${CHUNK_INTS});
        const i = Number(claim - tag) * ${CHUNK_INTS};
        gemm(table[i], table[i + 1], K, table[i + 2], aRow, aCol, table[i + 3], bRow, bCol, table[i + 4], N, ctl[${ACCUMULATE}], work, table[i + 5]);
        Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
        if (Atomics.add(ctl, ${DONE}, 1) + 1 === count) Atomics.notify(ctl, ${DONE});
      }
    }
    if (thread === 1 && Atomics.load(ctl, ${BG_TAIL}) !== background) {
      const j = (background % ${BG_CAPACITY}) * ${BG_INTS};
      const gemm = jobs[j + 11] ? exports.gemmF64 : exports.gemmF32;
      gemm(jobs[j], jobs[j + 1], jobs[j + 2], jobs[j + 3], jobs[j + 4], jobs[j + 5], jobs[j + 6], jobs[j + 7], jobs[j + 8], jobs[j + 9], jobs[j + 1], jobs[j + 10], ctl[${BG_WORK}], 0);
      background++;
      Atomics.store(ctl, ${BG_DONE}, background);
      Atomics.notify(ctl, ${BG_DONE});
    }
  }
} catch (error) {
  Atomics.store(ctl, ${FAILED}, 1);
  Atomics.notify(ctl, ${DONE});
  Atomics.notify(ctl, ${READY});
  Atomics.notify(ctl, ${BG_DONE});
  throw error;
}
`;

// The corner of Node's API used here, so the package needs no Node typings.
interface NodeWorker {
  unref(): void;
  on(event: "error", listener: (error: unknown) => void): void;
}
type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
interface NodeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?(id: string): unknown;
}
interface SharedWebAssembly {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const globals = globalThis as unknown as { process?: NodeProcess; WebAssembly?: SharedWebAssembly; SharedArrayBuffer?: unknown };

/** The longest the first large product waits for the workers to start. */
const STARTUP_MS = 1000;
/** Rows of C per chunk at least (a chunk packs its own copy of B, so chunks must not be thin). */
const MIN_CHUNK_ROWS = 64;
/** Multiply-adds per chunk at least (about 50 µs): a smaller share is not worth a thread. */
const MIN_CHUNK_WORK = 1 << 21;

/**
 * Threads to use: TAPEGRAD_THREADS if set (1 = single-threaded), else the available cores,
 * at most 8. Node only: elsewhere (browsers, Deno without getBuiltinModule) null.
 */
function nodeThreads(): { Worker: WorkerConstructor; threads: number } | null {
  const proc = globals.process;
  if (typeof proc?.getBuiltinModule !== "function" || typeof globals.SharedArrayBuffer !== "function") return null;
  const requested = proc.env?.TAPEGRAD_THREADS;
  let threads: number;
  if (requested !== undefined && requested !== "") {
    threads = Number(requested);
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`TAPEGRAD_THREADS must be a positive integer, got ${JSON.stringify(requested)}`);
  } else {
    const os = proc.getBuiltinModule("node:os") as { availableParallelism?(): number; cpus(): unknown[] } | undefined;
    threads = Math.min(8, os?.availableParallelism?.() ?? os?.cpus().length ?? 1);
  }
  if (threads < 2) return null;
  const workerThreads = proc.getBuiltinModule("node:worker_threads") as { Worker?: WorkerConstructor } | undefined;
  return workerThreads?.Worker ? { Worker: workerThreads.Worker, threads } : null;
}

/** Whether products will run on worker threads here (Node, worker_threads, more than one thread). */
export function threadsAvailable(): boolean {
  return nodeThreads() !== null;
}

/** Matmul over the calling thread and `threads - 1` unref'd workers sharing one WebAssembly memory. */
export class MatmulPool {
  private readonly arena: Arena<ThreadedExports>;
  private readonly ctl: Int32Array;
  private readonly next: BigInt64Array;
  private readonly jobs: Int32Array;
  private seq = 0;
  private background = 0;
  /** What each queued background product reads and writes, held until it is done (its slot is reused only then). */
  private readonly inFlight: unknown[] = new Array(BG_CAPACITY).fill(null);

  private constructor(
    exports: ThreadedExports, control: SharedArrayBuffer, queue: SharedArrayBuffer, readonly threads: number,
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
    return Atomics.load(this.ctl, READY);
  }

  /** Chunks of products the workers (not the calling thread) have computed so far. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }

  /**
   * Blocks until the workers have started (about 60 ms), at most `ms`: created at the first
   * large product, the pool would otherwise leave the products right after it to this thread.
   */
  private awaitWorkers(ms: number): void {
    const until = Date.now() + ms;
    for (let ready = this.workersReady; ready < this.threads - 1 && !Atomics.load(this.ctl, FAILED) && Date.now() < until; ready = this.workersReady) {
      Atomics.wait(this.ctl, READY, ready, until - Date.now());
    }
  }

  /** The pool, or null where worker threads or shared WebAssembly memory are unavailable. */
  static create(): MatmulPool | null {
    const node = nodeThreads();
    const api = globals.WebAssembly;
    if (!node || !api) return null;
    for (const source of [THREADED_RELAXED_SIMD_WASM, THREADED_SIMD_WASM]) {
      const bytes = decode(source);
      if (!api.validate(bytes)) continue;
      try {
        const module = new api.Module(bytes);
        const memory = sharedMemory();
        if (!memory) return null;
        const exports = { ...(new api.Instance(module, { env: { memory } }).exports as ThreadedExports), memory };
        const control = new SharedArrayBuffer(NEXT_BYTE + 8);
        const queue = new SharedArrayBuffer(BG_CAPACITY * BG_INTS * 4);
        const scratch = allocateResident(Float64Array, Math.ceil(exports.gemmWorkBytes(8) / 8));
        if (!scratch) return null;
        new Int32Array(control)[BG_WORK] = scratch.byteOffset;
        for (let thread = 1; thread < node.threads; thread++) {
          const worker = new node.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, queue, thread } });
          // a failed worker sets FAILED: the product it was computing throws, later ones run single-threaded
          worker.on("error", () => {});
          worker.unref();
        }
        const pool = new MatmulPool(exports, control, queue, node.threads, scratch);
        pool.awaitWorkers(STARTUP_MS);
        return pool;
      } catch {
        return null;
      }
    }
    return null;
  }

  /**
   * How C is cut: blocks of rows (each packs its own copy of B, so at least MIN_CHUNK_ROWS), or
   * with fewer rows than that (a recurrent step's batch) blocks of columns, one or two per thread,
   * each at least MIN_CHUNK_WORK multiply-adds.
   */
  private chunkShape(M: number, N: number, K: number, batches: number): { rows: number; cols: number } {
    const wanted = 2 * this.threads;
    if (M >= 2 * MIN_CHUNK_ROWS || batches > 1) {
      return { rows: Math.min(M, Math.max(MIN_CHUNK_ROWS, Math.ceil(M / wanted / 4) * 4)), cols: N };
    }
    const chunks = Math.max(1, Math.min(wanted, Math.floor((M * N * K) / MIN_CHUNK_WORK)));
    return { rows: M, cols: Math.min(N, Math.ceil(N / chunks / 8) * 8) };
  }

  /**
   * C (+)= A·B (same contract as kernels/matmul.ts) on all threads; false (nothing done) when
   * the operands would not fit the shared memory.
   */
  matmul(a: StridedView, b: StridedView, c: Float32Array | Float64Array, accumulate = false, init?: StridedView): boolean {
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
    const place = (arena: Arena<ThreadedExports>, bytes: number): [Placed, Placed] => [copyIn(arena, a, bytes), copyIn(arena, b, bytes)];
    return this.product(M, N, K, a.shape.slice(0, nd - 2), copiedElements(a) + copiedElements(b), place, c, accumulate, init);
  }

  /** C (+)= Σ aᵢ·bᵢ as one product over the concatenated inner dim (see placeConcatenated). */
  matmulSum(pairs: readonly (readonly [StridedView, StridedView])[], c: Float32Array | Float64Array, accumulate: boolean): boolean {
    const M = pairs[0]![0].shape[0]!, N = pairs[0]![1].shape[1]!;
    let K = 0;
    for (const [a] of pairs) K += a.shape[1]!;
    const place = (arena: Arena<ThreadedExports>, bytes: number) => placeConcatenated(arena, pairs, M, N, K, bytes);
    return this.product(M, N, K, [], (M + N) * K, place, c, accumulate);
  }

  private product(
    M: number, N: number, K: number, batchShape: readonly number[], operandElements: number,
    place: (arena: Arena<ThreadedExports>, bytes: number) => [Placed, Placed], c: Float32Array | Float64Array, accumulate: boolean, init?: StridedView,
  ): boolean {
    if (Atomics.load(this.ctl, FAILED)) return false;
    const bytes = c.BYTES_PER_ELEMENT;
    const nd = batchShape.length + 2;
    const { rows, cols } = this.chunkShape(M, N, K, numel(batchShape));
    const rowChunks = Math.ceil(M / rows), colChunks = Math.ceil(N / cols);
    const perMatrix = rowChunks * colChunks;
    const count = numel(batchShape) * perMatrix;
    const exports = this.arena.exports;
    const workBytes = exports.gemmWorkBytes(bytes);
    const need = residentEnd() + (operandElements + c.length + N + 8) * bytes + count * CHUNK_INTS * 4 + this.threads * workBytes + 6 * 64;
    if (need > MAX_BYTES) return false;

    const arena = this.arena;
    arena.reset();
    const [A, B] = place(arena, bytes);
    const out = arena.take(c.length * bytes);
    const Typed = c.constructor as Float32ArrayConstructor;
    const start = startC(arena, out, c, accumulate, init, M, N, true);
    accumulate = start.accumulate;
    const work = arena.take(this.threads * workBytes);
    const tableAt = arena.take(count * CHUNK_INTS * 4);
    const table = new Int32Array(arena.buffer, tableAt, count * CHUNK_INTS);
    const aRow = A.strides[nd - 2]!, aCol = A.strides[nd - 1]!, bCol = B.strides[nd - 1]!;
    forEachBatch(batchShape, A, B, bytes, (q, pa, pb) => {
      for (let r = 0; r < rowChunks; r++) {
        for (let s = 0; s < colChunks; s++) {
          const i = (q * perMatrix + r * colChunks + s) * CHUNK_INTS;
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
    ctl[F64] = bytes === 8 ? 1 : 0;
    ctl[N_] = N;
    ctl[K_] = K;
    ctl[A_ROW] = aRow;
    ctl[A_COL] = aCol;
    ctl[B_ROW] = B.strides[nd - 2]!;
    ctl[B_COL] = bCol;
    ctl[TABLE] = tableAt;
    ctl[COUNT] = count;
    ctl[WORK] = work;
    ctl[WORK_BYTES] = workBytes;
    ctl[ACCUMULATE] = accumulate ? 1 : 0;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, SEQ, seq);
    this.wake();
    runChunks(exports, ctl, this.next, seq, 0);
    for (let done = Atomics.load(ctl, DONE); done < count; done = Atomics.load(ctl, DONE)) {
      if (Atomics.load(ctl, FAILED)) throw new Error("matmul: a worker thread failed while computing its rows of the product");
      Atomics.wait(ctl, DONE, done);
    }
    (c as Float32Array).set(new Typed(arena.buffer, out, c.length));
    return true;
  }

  private wake(): void {
    Atomics.add(this.ctl, WAKE, 1);
    if (Atomics.load(this.ctl, SLEEPING) > 0) Atomics.notify(this.ctl, WAKE);
  }

  /** Whether background products can be queued (a first worker is running). */
  get backgroundAvailable(): boolean {
    return this.workersReady > 0 && !Atomics.load(this.ctl, FAILED);
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
    const j = (index % BG_CAPACITY) * BG_INTS;
    const fields = [M, N, K, a, aRow, aCol, b, bRow, bCol, c, accumulate ? 1 : 0, f64 ? 1 : 0];
    for (let i = 0; i < BG_INTS; i++) this.jobs[j + i] = fields[i]!;
    this.inFlight[index % BG_CAPACITY] = keep;
    this.background = index + 1;
    Atomics.store(this.ctl, BG_TAIL, this.background);
    this.wake();
    return index;
  }

  /** Blocks until background product `index` (and every one queued before it) is done. */
  awaitBackground(index: number): void {
    const ctl = this.ctl;
    for (let done = Atomics.load(ctl, BG_DONE); done <= index; done = Atomics.load(ctl, BG_DONE)) {
      if (Atomics.load(ctl, FAILED)) throw new Error("matmul: a worker thread failed while computing a background product");
      Atomics.wait(ctl, BG_DONE, done, 1000);
    }
  }
}
