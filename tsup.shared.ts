import type { Options } from "tsup";

/**
 * The build every package shares: ESM (.js + .d.ts) and CommonJS (.cjs + .d.cts), so each
 * condition of the exports map has its own declaration file.
 *
 * Source maps ship without `sourcesContent`: the TypeScript sources are not in the tarball, but
 * a stack trace under `--enable-source-maps` or in devtools still names the source file and line
 * (src/ops/matmul.ts:42), which is what a bug report needs. With the sources embedded the maps
 * were most of the tarball (the wasm kernels are base64 strings in the bundle, and the maps
 * repeated them); without, they are a small part of it.
 */
export function sharedConfig(entry: string[]): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "es2022",
    tsconfig: "tsconfig.json",
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
  };
}
