"""A ResNet-style conv layer and a max-pool, forward + backward, Ember vs PyTorch.

Workloads (float32):
  - conv: 64 -> 64 channels, 3x3, padding 1, on 32x64x32x32 (batch 32), forward + backward
    (input and weight gradients);
  - maxpool: 2x2 max-pool on 64x32x32x32, forward + backward;
  - the classic MNIST CNN training step (conv 32, conv 64, max-pool, dropout, fc 128, fc 10;
    batch 64, Adam), when the rest of ember.nn / ember.optim is there.

Both libraries get the same number of threads (``--threads``, default 2): torch as its intra-op
pool, Ember as its Python threads (``ember.set_num_threads``, which also pins BLAS to one
thread, so that the two do not oversubscribe the cores). Interleaved (A B A B), medians.

Run: ``python benchmarks/conv_layer.py [--threads N] [--rounds R] [--profile conv|mnist]``.
"""
from __future__ import annotations

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, fmt_row, interleaved, pin_threads, table_header  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--rounds", type=int, default=7)
parser.add_argument("--inner", type=int, default=5)
parser.add_argument("--profile", choices=["conv", "mnist"], help="cProfile one Ember workload")
args = parser.parse_args()

pin_threads(1)  # BLAS on one thread; threads come from torch's pool / Ember's Python threads

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402
import ember.nn.functional as EF  # noqa: E402

torch.set_num_threads(args.threads)
ember.set_num_threads(args.threads)


def conv_layer(lib, F):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((32, 64, 32, 32), dtype=np.float32), requires_grad=True)
    w = lib.tensor(rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05,
                   requires_grad=True)
    b = lib.tensor(np.zeros(64, np.float32), requires_grad=True)
    g = lib.tensor(rng.standard_normal((32, 64, 32, 32), dtype=np.float32))

    def run():
        x.grad = w.grad = b.grad = None
        out = F.conv2d(x, w, b, padding=1)
        out.backward(g)
    return run


def maxpool(lib, F):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((64, 32, 32, 32), dtype=np.float32), requires_grad=True)
    g = lib.tensor(rng.standard_normal((64, 32, 16, 16), dtype=np.float32))

    def run():
        x.grad = None
        out = F.max_pool2d(x, 2)
        out.backward(g)
    return run


def mnist_cnn(lib, F):
    """The classic MNIST CNN training step (batch 64, Adam)."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128),
                          nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((64, 1, 28, 28), dtype=np.float32))
    y = lib.tensor(rng.integers(0, 10, 64))

    def run():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return run


def main():
    workloads = {"conv 64->64 3x3, 32x32, batch 32 (fwd+bwd)": (conv_layer, "<= 1.2"),
                 "max_pool2d 2x2 on 64x32x32x32 (fwd+bwd)": (maxpool, "-"),
                 "MNIST CNN training step, batch 64, Adam": (mnist_cnn, "<= 1.0")}
    if args.profile:
        import cProfile
        import pstats
        run = (conv_layer if args.profile == "conv" else mnist_cnn)(ember, EF)
        run()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(10):
            run()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        return
    lines = table_header("ms")
    with LoadMeter() as load:
        for name, (make, target) in workloads.items():
            try:
                make(ember, EF)
            except Exception as exc:  # another family not there yet
                lines.append(f"| {name} | skipped: {type(exc).__name__}: {exc} | | | |")
                continue
            res = interleaved({"ember": make(ember, EF),
                               "torch": make(torch, torch.nn.functional)},
                              rounds=args.rounds, inner=args.inner)
            row, _ = fmt_row(name, res["ember"], res["torch"])
            lines.append(f"{row} {target} |")
    print(f"threads: {args.threads} each (torch intra-op; Ember Python threads, BLAS 1)")
    print("\n".join(lines))
    print(load.describe())


if __name__ == "__main__":
    main()
