// Loaded by the test page: trains on the wasm and the js backend and leaves the losses in
// window.result; in a cross-origin-isolated page it also waits for the Web Workers to start and
// checks the threaded products' numbers.
import * as autograd from "@tapegrad/autograd";
import * as nn from "@tapegrad/nn";
import * as optim from "@tapegrad/optim";
import { LARGE, trainLosses } from "./train-lstm.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function threaded() {
  autograd.setBackend("wasm");
  autograd.manualSeed(1);
  const a = autograd.randn([512, 512]), b = autograd.randn([512, 512]);
  // the first large product starts the workers; they come up while the page yields
  for (let i = 0; i < 50 && autograd.getThreads() < 2; i++) {
    a.matmul(b);
    await sleep(100);
  }
  const threads = autograd.getThreads();
  const fast = a.matmul(b).data();
  autograd.setBackend("js");
  const reference = a.matmul(b).data();
  let matmulError = 0;
  for (let i = 0; i < reference.length; i++) matmulError = Math.max(matmulError, Math.abs(fast[i] - reference[i]) / (1 + Math.abs(reference[i])));
  const largeLosses = trainLosses({ autograd, nn, optim }, "wasm", LARGE).losses;
  return { threads, matmulError, largeLosses };
}

try {
  const runs = ["wasm", "js"].map((backend) => trainLosses({ autograd, nn, optim }, backend));
  window.result = { runs, isolated: globalThis.crossOriginIsolated === true, threaded: globalThis.crossOriginIsolated ? await threaded() : null };
} catch (e) {
  window.result = { error: `${e.name}: ${e.message}` };
}
