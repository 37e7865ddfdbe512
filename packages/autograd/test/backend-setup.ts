// Shared vitest setup: TAPEGRAD_BACKEND=js|wasm runs a suite on that backend (auto otherwise).
import { setBackend, type BackendName } from "@tapegrad/autograd";

const requested = process.env.TAPEGRAD_BACKEND;
if (requested) setBackend(requested as BackendName);
