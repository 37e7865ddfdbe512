"""PyTorch peer for `npm run bench`: BENCH.md's W1-W6 and W8 as bench/src/workloads/tapegrad-rnn.ts and
w6-matmul.ts define them, timed like bench/src/harness.ts.

    python3 bench/torch/workloads.py "W1 LSTM train" [--quick] [--threads N]
    python3 bench/torch/workloads.py --info [--threads N]

Prints one line `RESULT {json}` (a workload) or `INFO {json}` (torch version, BLAS, threads).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("workload", nargs="?", help='a row id of the bench, e.g. "W1 LSTM train" or "W6 n=512"')
parser.add_argument("--quick", action="store_true", help="one short pass (harness.ts timingOptions(true))")
parser.add_argument("--threads", type=int, default=1, help="intra-op threads for torch, OpenMP and OpenBLAS")
parser.add_argument("--info", action="store_true", help="print the torch version, BLAS and threads, and exit")
args = parser.parse_args()
if not args.info and not args.workload:
    parser.error("a workload id or --info is required")

# OpenBLAS sizes its own thread pool when it is loaded and ignores torch.set_num_threads.
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)


def blas_in_use():
    """The BLAS library torch's matmul actually calls: Debian's torch links the generic
    libblas.so.3, which the alternatives system points at OpenBLAS or the slow reference BLAS."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/lib" in line}
    except OSError:
        return torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0]
    openblas = sorted(p for p in paths if os.path.basename(p).startswith("libopenblas"))
    if openblas:
        return f"OpenBLAS ({os.path.basename(openblas[0])})"
    libblas = sorted(p for p in paths if os.path.basename(p).startswith("libblas.so"))
    if libblas and os.path.basename(os.path.dirname(libblas[0])) == "blas":
        return f"reference BLAS ({libblas[0]}; slow: apt-get install libopenblas0-pthread)"
    return libblas[0] if libblas else torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0]


def info():
    return {"version": torch.__version__, "python": sys.executable, "blas": blas_in_use(), "threads": torch.get_num_threads()}


def trainer(optimizer, loss):
    def step():
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()

    return step


def w1():
    torch.manual_seed(1)
    lstm = nn.LSTM(64, 256)
    x, y = torch.randn(50, 32, 64), torch.randn(50, 32, 256)
    return trainer(torch.optim.Adam(lstm.parameters(), lr=1e-3), lambda: F.mse_loss(lstm(x)[0], y))


def w2():
    torch.manual_seed(2)
    gru = nn.GRU(64, 128, num_layers=2, bidirectional=True)
    x, y = torch.randn(100, 16, 64), torch.randn(100, 16, 256)
    return trainer(torch.optim.Adam(gru.parameters(), lr=1e-3), lambda: F.mse_loss(gru(x)[0], y))


def w3():
    torch.manual_seed(3)
    embed, lstm, head = nn.Embedding(65, 64), nn.LSTM(64, 256), nn.Linear(256, 65)
    params = [*embed.parameters(), *lstm.parameters(), *head.parameters()]
    tokens, targets = torch.randint(0, 65, (64, 32)), torch.randint(0, 65, (64 * 32,))

    def loss():
        out, _ = lstm(embed(tokens))
        return F.cross_entropy(head(out).reshape(-1, 65), targets)

    return trainer(torch.optim.Adam(params, lr=1e-3), loss)


def w4():
    torch.manual_seed(4)
    rnn = nn.RNN(8, 32, nonlinearity="tanh")
    x, y = torch.randn(100, 1, 8), torch.randn(100, 1, 32)
    return trainer(torch.optim.SGD(rnn.parameters(), lr=0.01), lambda: F.mse_loss(rnn(x)[0], y))


def w5():
    torch.manual_seed(5)
    lstm = nn.LSTM(64, 256)
    x = torch.randn(200, 1, 64)

    def step():
        with torch.no_grad():
            lstm(x)

    return step


def w8(tokens=500):
    torch.manual_seed(8)
    embed, lstm, head = nn.Embedding(65, 64), nn.LSTM(64, 256, num_layers=2), nn.Linear(256, 65)

    def step():
        with torch.no_grad():
            token, state, text = torch.zeros(1, 1, dtype=torch.long), None, []
            for _ in range(tokens):
                out, state = lstm(embed(token), state)
                token = head(out.reshape(1, 256)).argmax(-1).reshape(1, 1)
                text.append(token.item())
        return text

    return step


def w6(n):
    torch.manual_seed(6)
    a, b = torch.randn(n, n), torch.randn(n, n)

    def step():
        with torch.no_grad():
            torch.matmul(a, b)

    return step


def setup(workload_id):
    group, _, rest = workload_id.partition(" ")
    if group == "W6" and rest.startswith("n="):
        return w6(int(rest[2:]))
    builders = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W8": w8}
    if group not in builders:
        raise SystemExit(f"bench/torch/workloads.py: unknown workload {workload_id!r}; expected W1-W5, W8 or 'W6 n=<size>'")
    return builders[group]()


def time_steps(step, quick):
    """harness.ts time(): warm-up steps, then timed steps until the budget went by and at least
    min_steps ran (or three budgets went by); the median step in ms."""
    warmup, min_steps, budget = (1, 2, 0.5) if quick else (3, 3, 5.0)
    warm_start = time.perf_counter()
    for _ in range(warmup):
        step()
        if time.perf_counter() - warm_start > budget:
            break
    samples = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - start
        if (len(samples) >= min_steps and elapsed > budget) or elapsed > 3 * budget:
            break
    return {"medianMs": statistics.median(samples), "steps": len(samples), "samplesMs": samples}


if args.info:
    print("INFO " + json.dumps(info()))
else:
    timing = time_steps(setup(args.workload), args.quick)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print("RESULT " + json.dumps({"id": args.workload, "impl": "torch", **timing, "peakRssMB": peak_rss_mb}))
