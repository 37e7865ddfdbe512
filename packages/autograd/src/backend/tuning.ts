// Every threshold the backends decide by, with its unit and the bench/README item that set it.
// Below a threshold the plain TypeScript loop runs; at or above it the faster path does.

// ---- allocation (wasm backend) ----
/** Bytes: temporaries up to this size are views into shared blocks (item 18). */
export const SMALL_BUFFER_BYTES = 32 * 1024;
/** Bytes: the size of one such block (item 18). */
export const SMALL_BUFFER_BLOCK_BYTES = 256 * 1024;
/** Bytes: a backward records at most this much of its temporaries for reuse, and holds it to its end (item 30). */
export const REUSED_BYTES_LIMIT = 64 * 1024 * 1024;
/** Bytes: persistent buffers (parameters) in the threads' shared memory stop here (item 20). */
export const RESIDENT_LIMIT_BYTES = 512 * 1024 * 1024;

// ---- WebAssembly SIMD kernels: below these the copies in and out cost more than they save ----
/** Elements: float32 elementwise ops (items 6, 13). */
export const WASM_ELEMENTWISE_MIN = 1024;
/** Elements: exp, tanh and sigmoid, which cost far more per element in JavaScript (item 13). */
export const WASM_TRANSCENDENTAL_MIN = 128;
/** Elements: sums (item 12). */
export const WASM_REDUCE_MIN = 2048;
/** Elements: a row shorter than this is not worth a copy of its own; adjacent rows are copied as one block (item 12). */
export const WASM_REDUCE_MIN_ROW = 32;
/** Elements: softmax and logSoftmax (item 22). */
export const WASM_SOFTMAX_MIN = 1024;
/** Elements moved into WebAssembly memory per call by sums and softmax: still in cache when used (items 12, 22). */
export const WASM_CHUNK = 16384;
/** Multiply-adds: matmul (item 2). */
export const WASM_MATMUL_MIN_WORK = 8192;
/** Rows of A: float32 products with at most this many rows skip packing (the batch-1 gemv, item 9). */
export const GEMV_MAX_ROWS = 2;

// ---- worker threads (Node) ----
/** Multiply-adds: from here a product runs on worker threads too; a 32×256·256×256 product, about 100 µs (items 8, 15). */
export const THREADED_MIN_WORK = 1 << 21;
/** Rows of C per chunk at least: a chunk packs its own copy of B (item 8). */
export const CHUNK_MIN_ROWS = 64;
/** Multiply-adds per chunk at least, about 50 µs: a smaller share is not worth a thread (item 15). */
export const CHUNK_MIN_WORK = 1 << 21;
/** Milliseconds a worker polls for the next product before it sleeps (item 24). */
export const WORKER_POLL_MS = 0.3;
/** Milliseconds the first large product waits at most for the workers to start (item 8). */
export const WORKER_STARTUP_MS = 1000;
/** Elements (M·N): smaller sums of products are left to one matmulSum at the end (item 27). */
export const BACKGROUND_SUM_MIN_ELEMENTS = 1 << 16;
/** Rows of the inner dim per background product: gemm's depth block, KC in wasm/gemm.ts (item 27). */
export const BACKGROUND_BLOCK_ROWS = 256;
/** Staging blocks per background sum: while a worker computes from one, the caller fills the next (item 27). */
export const BACKGROUND_STAGING_BLOCKS = 3;
