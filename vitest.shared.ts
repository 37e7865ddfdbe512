import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import the packages by name and run against their TypeScript sources.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@tapegrad\/autograd$/, replacement: src("autograd/src/index.ts") },
      { find: /^@tapegrad\/nn\/node$/, replacement: src("nn/src/node.ts") },
      { find: /^@tapegrad\/nn$/, replacement: src("nn/src/index.ts") },
      { find: /^@tapegrad\/optim$/, replacement: src("optim/src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: true,
    // TAPEGRAD_BACKEND=js|wasm runs the suite on that backend; the js pass keeps its own report.
    setupFiles: [src("autograd/test/backend-setup.ts")],
    reporters: ["default", ["json", { outputFile: process.env.TAPEGRAD_BACKEND === "js" ? "vitest-report.js.json" : "vitest-report.json" }]],
  },
});
