// Loaded by index.html: trains on the wasm and the js backend and leaves the losses in window.result.
import * as autograd from "@tapegrad/autograd";
import * as nn from "@tapegrad/nn";
import * as optim from "@tapegrad/optim";
import { trainLosses } from "./train-lstm.mjs";

try {
  window.result = { runs: ["wasm", "js"].map((backend) => trainLosses({ autograd, nn, optim }, backend)) };
} catch (e) {
  window.result = { error: `${e.name}: ${e.message}` };
}
