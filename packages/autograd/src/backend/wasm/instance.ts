import type { TypedArray } from "../../core/dtype";
import { RELAXED_SIMD_WASM, SIMD_WASM } from "./binary";

/** What the AssemblyScript module (wasm/index.ts) exports; pointers are byte addresses. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

type UnaryF32 = (n: number, x: number, out: number) => void;
type BinaryF32 = (rows: number, inner: number, a: number, aRow: number, aStep: number, b: number, bRow: number, bStep: number, out: number, s0: number) => void;
type TernaryF32 = (rows: number, inner: number, a: number, aRow: number, aStep: number, b: number, bRow: number, bStep: number, c: number, cRow: number, cStep: number, out: number, s0: number) => void;

export interface WasmExports {
  memory: WasmMemory;
  gemmF32(M: number, N: number, K: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, c: number, ldc: number, accumulate: number, work: number, bias: number): void;
  gemmF64(M: number, N: number, K: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, c: number, ldc: number, accumulate: number, work: number, bias: number): void;
  gemmWorkBytes(elementBytes: number): number;
  gemvF32(M: number, N: number, K: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, c: number, accumulate: number, scratch: number): void;
  gemvFitsF32(bRow: number, bCol: number): number;
  // wasm/elementwise.ts: one kernel per op; each operand is a pointer, the bytes from one row to the next and from one vector to the next
  negF32: UnaryF32; expF32: UnaryF32; tanhF32: UnaryF32; sigmoidF32: UnaryF32; reluF32: UnaryF32; sqrtF32: UnaryF32;
  addF32: BinaryF32; subF32: BinaryF32; mulF32: BinaryF32; divF32: BinaryF32; addScaledF32: BinaryF32; tanhGradF32: BinaryF32; sigmoidGradF32: BinaryF32;
  addcmulF32: TernaryF32; addcdivF32: TernaryF32; whereF32: TernaryF32;
  sumRowsF32(rows: number, n: number, x: number, out: number): void;
  lstmForwardF32(B: number, H: number, gates: number, c: number, cNext: number, h: number): void;
  lstmBackwardF32(B: number, H: number, gates: number, c: number, dh: number, dcNext: number, dGates: number, dc: number): void;
  gruForwardF32(B: number, H: number, inputGates: number, hiddenGates: number, h: number, act: number, hNext: number): void;
  gruBackwardF32(B: number, H: number, act: number, hn: number, h: number, dhNext: number, dInputGates: number, dHiddenGates: number, dh: number): void;
  sumColumnsF32(rows: number, n: number, x: number, acc: number): void;
  softmaxRowsF32(rows: number, n: number, x: number, y: number, log: number): void;
  softmaxBackwardRowsF32(rows: number, n: number, y: number, g: number, dx: number, log: number): void;
}

/** What a product on one thread needs of a module: both builds have it (the threaded one over the shared memory). */
export type ProductExports = Pick<WasmExports, "memory" | "gemmF32" | "gemmF64" | "gemmWorkBytes" | "gemvF32" | "gemvFitsF32">;

// Only the corner of the WebAssembly API used here, so the package needs no DOM or Node typings.
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const globals = globalThis as unknown as { WebAssembly?: WebAssemblyApi; atob?: (s: string) => string };

export function decode(base64: string): Uint8Array {
  const binary = globals.atob!(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface WasmInstance {
  exports: WasmExports;
  /** Whether the relaxed-SIMD (fused multiply-add) build validated and runs. */
  relaxed: boolean;
}

interface NodeProcess {
  env?: Record<string, string | undefined>;
  getBuiltinModule?(id: string): unknown;
}

/**
 * Whether the relaxed-SIMD build validates. Node 20 (V8 11.3) implements relaxed SIMD, a
 * standard WebAssembly feature on by default from V8 11.4 (Node 22), behind a flag: there it is
 * switched on for this process, unless TAPEGRAD_RELAXED_SIMD=0. Its fused multiply-add makes
 * the matmul micro-kernel about a quarter faster.
 */
export function relaxedSimdAvailable(bytes: Uint8Array): boolean {
  const api = globals.WebAssembly!;
  if (api.validate(bytes)) return true;
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (proc?.env?.TAPEGRAD_RELAXED_SIMD === "0" || typeof proc?.getBuiltinModule !== "function") return false;
  const v8 = proc.getBuiltinModule("node:v8") as { setFlagsFromString?(flags: string): void } | undefined;
  try {
    v8?.setFlagsFromString?.("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return api.validate(bytes);
}

/**
 * Compiles and instantiates the kernels synchronously (they are a few KB), preferring the
 * relaxed-SIMD build. Returns null where WebAssembly SIMD is not available.
 */
export function instantiate(): WasmInstance | null {
  const api = globals.WebAssembly;
  if (!api || !globals.atob) return null;
  for (const [source, relaxed] of [[RELAXED_SIMD_WASM, true], [SIMD_WASM, false]] as const) {
    const bytes = decode(source);
    if (!(relaxed ? relaxedSimdAvailable(bytes) : api.validate(bytes))) continue;
    try {
      const instance = new api.Instance(new api.Module(bytes), {});
      return { exports: instance.exports as WasmExports, relaxed };
    } catch {
      return null;
    }
  }
  return null;
}

/** Bytes in a WebAssembly memory page. */
export const PAGE = 65536;

/**
 * A bump allocator over the module's memory, reset for every kernel call. The first page
 * belongs to the module's own data; the arena starts after it (or at `base()`, above blocks
 * that live on in the memory) and grows on demand. `resident(buf)` says whether a typed array
 * already views this memory, so operands in it need no copy.
 */
export class Arena<E extends { memory: WasmMemory } = WasmExports> {
  private top = PAGE;

  constructor(
    readonly exports: E,
    private readonly base: () => number = () => PAGE,
    readonly resident: (buf: TypedArray) => boolean = () => false,
  ) {}

  reset(): void {
    this.top = (Math.max(PAGE, this.base()) + 63) & ~63;
  }

  /** Reserves `bytes` (64-byte aligned) and returns the byte address. */
  take(bytes: number): number {
    const at = this.top;
    this.top = (at + bytes + 63) & ~63;
    const memory = this.exports.memory;
    if (this.top > memory.buffer.byteLength) memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / PAGE));
    return at;
  }

  /** The module's memory as of now (growing it replaces the buffer). */
  get buffer(): ArrayBuffer {
    return this.exports.memory.buffer;
  }
}
