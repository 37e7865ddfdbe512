// Where the worker threads of the matmul pool come from: Node's worker_threads, or a browser's
// Web Workers in a cross-origin-isolated page (COOP/COEP), where SharedArrayBuffer exists.
// Elsewhere products run on the calling thread alone.

/** The worker's start-up data: the module, the shared memory and control blocks, its index. */
export interface WorkerData {
  module: object;
  memory: unknown;
  control: SharedArrayBuffer;
  queue: SharedArrayBuffer;
  thread: number;
}

export interface ThreadHost {
  /** Threads products may use, the calling one included. */
  threads: number;
  /** Starts a worker that runs `main(data)`; `main` is the source of a function of one argument. */
  spawn(main: string, data: WorkerData): void;
  /** Whether the calling thread may block in Atomics.wait (a browser's main thread may not). */
  canBlock: boolean;
}

// The corners of Node's and the browser's APIs used here, so the package needs no typings.
interface NodeWorker {
  unref(): void;
  on(event: "error", listener: (error: unknown) => void): void;
}
type NodeWorkerConstructor = new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
interface BrowserWorker {
  postMessage(data: unknown): void;
  onerror: ((event: unknown) => void) | null;
}
const globals = globalThis as unknown as {
  process?: { env?: Record<string, string | undefined>; getBuiltinModule?(id: string): unknown };
  SharedArrayBuffer?: unknown;
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string };
};

/** How threads start here, or null where products run on one thread (see the file's comment). */
export function threadHost(): ThreadHost | null {
  return nodeHost() ?? browserHost();
}

/** TAPEGRAD_THREADS if set (1 = single-threaded), else the available cores, at most 8. */
function nodeHost(): ThreadHost | null {
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
  const Worker = (proc.getBuiltinModule("node:worker_threads") as { Worker?: NodeWorkerConstructor } | undefined)?.Worker;
  if (!Worker) return null; // one thread: a pool of the calling thread alone, parameters still in the shared memory
  return {
    threads,
    canBlock: true,
    spawn(main, workerData) {
      // getBuiltinModule, not require: an eval worker is an ES module when node runs with --input-type=module
      const worker = new Worker(`"use strict";\n(${main})(process.getBuiltinModule("node:worker_threads").workerData);\n`, { eval: true, workerData });
      // a failed worker sets the pool's FAILED flag: the product it was computing throws, later ones run single-threaded
      worker.on("error", () => {});
      worker.unref();
    },
  };
}

/** Web Workers from a script in a Blob, where the page is cross-origin isolated. */
function browserHost(): ThreadHost | null {
  const { Worker, Blob, URL, navigator } = globals;
  if (globals.crossOriginIsolated !== true || typeof globals.SharedArrayBuffer !== "function" || !Worker || !Blob || !URL) return null;
  const threads = Math.min(8, navigator?.hardwareConcurrency ?? 1);
  if (threads < 2) return null;
  return {
    threads,
    canBlock: mayBlock(),
    spawn(main, data) {
      const url = URL.createObjectURL(new Blob([`"use strict";\nself.onmessage = (event) => (${main})(event.data);\n`], { type: "text/javascript" }));
      const worker = new Worker(url);
      worker.onerror = () => {}; // a page whose policy forbids blob: workers: products stay on this thread
      worker.postMessage(data);
    },
  };
}

/** Whether Atomics.wait is allowed on this thread. */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until ctl[index] is no longer `value`, at most `ms`: in Atomics.wait where the thread may
 * block, else by polling (a browser's main thread, whose waits are short: it computes chunks too).
 */
export function waitWhile(ctl: Int32Array, index: number, value: number, ms: number, canBlock: boolean): void {
  if (canBlock) {
    Atomics.wait(ctl, index, value, ms);
    return;
  }
  const until = Date.now() + ms;
  while (Atomics.load(ctl, index) === value && Date.now() < until);
}
