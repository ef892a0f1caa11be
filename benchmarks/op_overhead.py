"""Per-op overhead and raw throughput, Ember vs PyTorch (issue 2's table).

Each workload is one function over ``lib`` (``ember`` or ``torch``): the same code runs on both.
Run: ``python benchmarks/op_overhead.py`` (1 thread each, interleaved, medians).
"""
from __future__ import annotations

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, fmt_row, interleaved, pin_threads, table_header  # noqa: E402

pin_threads(1)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(1)


def small_chain(lib):
    x = lib.tensor(np.random.default_rng(0).random(16, dtype=np.float32), requires_grad=True)

    def run():
        y = (x * 2 + 1).relu().sum()
        y.backward()
    return run


def one_op(lib, grad):
    x = lib.tensor(np.random.default_rng(0).random(16, dtype=np.float32), requires_grad=True)

    def run():
        if grad:
            x * x
        else:
            with lib.no_grad():
                x * x
    return run


def long_chain_backward(lib, n=100_000):
    """Backward through a 100,000-op chain, timed alone (the graph is built untimed)."""
    import time
    x = lib.tensor(np.random.default_rng(0).random(16, dtype=np.float32), requires_grad=True)

    def run():
        y = x
        for _ in range(n):
            y = y * 1.0001
        s = y.sum()
        t0 = time.perf_counter()
        s.backward()
        return time.perf_counter() - t0
    return run


def big_elementwise(lib):
    x = lib.tensor(np.random.default_rng(0).random((1000, 1000), dtype=np.float32),
                   requires_grad=True)

    def run():
        y = ((x * 2 + 1) * x - x / 3).sum()
        y.backward()
        x.grad = None
    return run


def matmul_chain(lib):
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((512, 512), dtype=np.float32) / 23, requires_grad=True)
    b = lib.tensor(rng.standard_normal((512, 512), dtype=np.float32) / 23, requires_grad=True)

    def run():
        y = (a @ b @ a @ b).sum()
        y.backward()
        a.grad = b.grad = None
    return run


def reductions(lib):
    x = lib.tensor(np.random.default_rng(0).random((256, 1024), dtype=np.float32),
                   requires_grad=True)
    softmax = getattr(lib, "softmax", None)

    def run():
        s = x.sum() + x.mean()
        if softmax is not None:
            p = softmax(x, dim=-1)
        else:
            e = (x - x.amax(dim=-1, keepdim=True)).exp() if hasattr(x, "amax") else x.exp()
            p = e / e.sum(dim=-1, keepdim=True)
        (s + (p * x).sum()).backward()
        x.grad = None
    return run


# name, factory, unit, scale, inner calls per sample, target ratio (None: reported only)
WORKLOADS = [
    ("small chain (x*2+1).relu().sum().backward(), 16 elems", small_chain, "us", 1e6, 2000,
     0.5),
    ("one recorded op x*x (grad on), 16 elems", lambda lib: one_op(lib, True), "us", 1e6, 20000,
     None),
    ("one op x*x under no_grad, 16 elems", lambda lib: one_op(lib, False), "us", 1e6, 20000,
     None),
    ("backward of a 100k-op chain, per node", long_chain_backward, "us/node", 1e6 / 100_000, 1,
     0.3),
    ("1000x1000 elementwise chain fwd+bwd", big_elementwise, "ms", 1e3, 5, 1.1),
    ("512x512 matmul chain fwd+bwd", matmul_chain, "ms", 1e3, 5, 1.1),
    ("sum/mean/softmax 256x1024 fwd+bwd", reductions, "ms", 1e3, 10, None),
]


def main(rounds=7):
    lines = []
    with LoadMeter() as load:
        for name, make, unit, scale, inner, target in WORKLOADS:
            res = interleaved({"ember": make(ember), "torch": make(torch)}, rounds=rounds,
                              inner=inner)
            row, ratio = fmt_row(f"{name} [{unit}]", res["ember"], res["torch"], scale=scale)
            row += (f" <= {target} {'met' if ratio <= target else 'MISSED'} |"
                    if target is not None else " - |")
            lines.append(row)
            print(row, file=sys.stderr, flush=True)
    out = table_header("see row") + lines + ["", load.describe()]
    return "\n".join(out)


if __name__ == "__main__":
    print(main())
