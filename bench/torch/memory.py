"""PyTorch peer of bench/src/memory.ts: W1's LSTM (64 -> 256, batch 32, MSE, Adam), or a GRU of the same sizes, trained for 3
steps over T time steps on one thread; prints `RESULT {json}` with the RSS after setup, the peak
RSS and the bytes autograd saved for backward in one step (saved_tensors_hooks).

    python3 bench/torch/memory.py T [lstm|gru]
"""
import json
import os
import resource
import sys
import time

os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
T = int(sys.argv[1])
torch.manual_seed(1)
layer = (nn.GRU if sys.argv[2:] == ["gru"] else nn.LSTM)(64, 256)
x, y = torch.randn(T, 32, 64), torch.randn(T, 32, 256)
optimizer = torch.optim.Adam(layer.parameters(), lr=1e-3)


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


setup_rss = rss_mb()
saved = {}


def pack(t):
    # each storage once: views of one buffer share it
    saved[t.storage().data_ptr()] = t.storage().nbytes()
    return t


step_ms = []
for step in range(3):
    start = time.perf_counter()
    optimizer.zero_grad()
    if step == 0:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            loss = F.mse_loss(layer(x)[0], y)
    else:
        loss = F.mse_loss(layer(x)[0], y)
    loss.backward()
    optimizer.step()
    step_ms.append((time.perf_counter() - start) * 1000)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({"T": T, "stepMs": step_ms, "setupRssMB": setup_rss, "peakRssMB": peak, "savedMB": sum(saved.values()) / 2**20}))
