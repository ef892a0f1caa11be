"""What the targets that Ember misses are bounded by: the matrix products alone.

For each workload, the matrix products (GEMMs) that Ember's kernels run for one step, forward
and backward, are timed on NumPy's BLAS and, for the same shapes and operand layouts, with
``torch.mm`` (torch's BLAS), next to torch's whole step; all in this one run, interleaved,
medians. ``floor = NumPy GEMMs / torch step`` is the Ember/torch ratio that Ember could not go
below even if everything else in its step took no time, while its GEMMs run on NumPy's BLAS.

Products are timed on one thread; workloads that run on 2 threads count them as split
perfectly over the threads (a lower bound). Convolutions are counted as their im2col GEMMs
over exactly the output pixels (Ember's stride-1 "wide" layout computes a few more columns, so
the real floor is a little higher). torch's convolutions do not run these GEMMs (oneDNN's
direct convolution), so their column only compares the two BLAS libraries.

Run: ``python benchmarks/gemm_floor.py [--rounds R]``.
"""
from __future__ import annotations

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, interleaved, pin_threads, set_threads  # noqa: E402

pin_threads(1)

import numpy as np  # noqa: E402


def _linear(batch, fan_in, fan_out, need_dx=True):
    """Linear layer: y = x @ W.T; dx = g @ W; dW = g.T @ x  (m, k, n, A transposed, B
    transposed, count)."""
    shapes = [(batch, fan_in, fan_out, False, True, 1), (fan_out, batch, fan_in, True, False, 1)]
    if need_dx:
        shapes.append((batch, fan_out, fan_in, False, False, 1))
    return shapes


def _conv(images, cin, cout, k, out_pixels, need_dx=True):
    """im2col convolution, one GEMM per image: W @ cols, cols @ g.T (dW), W.T @ g (dx)."""
    ck = cin * k * k
    shapes = [(cout, ck, out_pixels, False, False, images),
              (ck, out_pixels, cout, False, True, images)]
    if need_dx:
        shapes.append((ck, cout, out_pixels, True, False, images))
    return shapes


def _lstm_layer(steps, batch, fan_in, hidden, need_dx=True):
    """One LSTM layer over a sequence: the input product for all steps at once, the recurrent
    product per step forward and backward, and the weight (and input) gradients."""
    n, g4 = steps * batch, 4 * hidden
    shapes = [(n, fan_in, g4, False, True, 1),              # gates = X @ W_ih.T
              (batch, hidden, g4, False, False, steps),     # h @ W_hh.T, per step
              (batch, g4, hidden, False, False, steps),     # dh = dG @ W_hh, per step
              (g4, n, fan_in, True, False, 1),              # dW_ih = dG.T @ X
              (g4, n, hidden, True, False, 1)]              # dW_hh = dG.T @ H_prev
    if need_dx:
        shapes.append((n, g4, fan_in, False, False, 1))     # dX = dG @ W_ih
    return shapes


# name: (models.py workload or "conv64", threads, GEMMs, target ratio)
WORKLOADS = {
    "mlp": ("mlp", 1, _linear(128, 784, 512, need_dx=False) + _linear(128, 512, 512)
            + _linear(128, 512, 10), 1.0),
    "cnn": ("cnn", 2, _conv(64, 1, 32, 3, 26 * 26, need_dx=False) + _conv(64, 32, 64, 3, 24 * 24)
            + _linear(64, 9216, 128) + _linear(64, 128, 10), 1.0),
    "lstm": ("lstm", 1, _lstm_layer(64, 32, 64, 256) + _lstm_layer(64, 32, 256, 256)
             + _linear(64 * 32, 256, 65), 1.0),
    "infer": ("infer", 1, [(1, 784, 512, False, True, 1), (1, 512, 512, False, True, 1),
                           (1, 512, 10, False, True, 1)], 0.8),
    "conv64": ("conv64", 2, _conv(32, 64, 64, 3, 32 * 32), 1.2),
}
TITLES = {"mlp": "mlp 784-512-512-10, batch 128 (1 thread)",
          "cnn": "MNIST CNN, batch 64 (2 threads)",
          "lstm": "char LSTM 2x256, seq 64, batch 32 (1 thread)",
          "infer": "mlp inference, batch 1 (1 thread)",
          "conv64": "conv 64->64 3x3, 32x32, batch 32, fwd+bwd (2 threads)"}


def _operands(lib, m, k, n, ta, tb, rng):
    a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
    if lib == "numpy":
        return (a.T if ta else a), (b.T if tb else b)
    import torch
    a, b = torch.from_numpy(a), torch.from_numpy(b)
    return (a.t() if ta else a), (b.t() if tb else b)


def gemm_seconds(shapes, rounds):
    """Seconds per step of the products ``shapes``, run one after the other as in a step (so
    weights compete for the caches as they do there), on NumPy's BLAS and on torch.mm, one
    thread, interleaved."""
    import torch
    rng = np.random.default_rng(0)
    runs = {}
    for lib, mm, empty in (("numpy", np.matmul, lambda m, n: np.empty((m, n), np.float32)),
                           ("torch", torch.mm, lambda m, n: torch.empty((m, n)))):
        work = [(*_operands(lib, m, k, n, ta, tb, rng), empty(m, n), count)
                for m, k, n, ta, tb, count in shapes]

        def run(work=work, mm=mm):
            for a, b, out, count in work:
                for _ in range(count):
                    mm(a, b, out=out)
        runs[lib] = run
    flop = sum(2.0 * m * k * n * c for m, k, n, _, _, c in shapes)
    return interleaved(runs, rounds=rounds, inner=max(1, min(500, int(2e8 / flop))))


def _conv64_step(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((32, 64, 32, 32), dtype=np.float32), requires_grad=True)
    w = torch.tensor(rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05,
                     requires_grad=True)
    b = torch.tensor(np.zeros(64, np.float32), requires_grad=True)
    g = torch.tensor(rng.standard_normal((32, 64, 32, 32), dtype=np.float32))

    def step():
        x.grad = w.grad = b.grad = None
        F.conv2d(x, w, b, padding=1).backward(g)
    return step


def step_seconds(key, threads, rounds):
    """Seconds per step of the whole workload, Ember and torch interleaved."""
    import torch

    import models
    from ember.compat import as_torch
    ember_torch = as_torch()
    set_threads(threads, torch, ember_torch)
    if key == "conv64":
        factory, inner = _conv64_step, 3
    else:
        _, factory, _, inner, _ = models.WORKLOADS[key]
    res = interleaved({"ember": factory(ember_torch), "torch": factory(torch)},
                      rounds=rounds, inner=inner)
    set_threads(1, torch, ember_torch)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(WORKLOADS))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    lines = ["| workload | GFLOP of GEMMs | GEMMs, NumPy's BLAS (ms) | same GEMMs, torch.mm (ms) "
             "| torch step (ms) | ember step (ms) | floor: NumPy GEMMs / torch step "
             "| ember/torch | target |",
             "|---|---|---|---|---|---|---|---|---|"]
    with LoadMeter() as load:
        for key in args.only.split(","):
            name, threads, shapes, target = WORKLOADS[key]
            flop = sum(2.0 * m * k * n * c for m, k, n, _, _, c in shapes)
            gemm = gemm_seconds(shapes, args.rounds)
            steps = step_seconds(name, threads, args.rounds)
            floor = gemm["numpy"] / threads / steps["torch"]
            lines.append(f"| {TITLES[key]} | {flop / 1e9:.3f} | {gemm['numpy'] / threads * 1e3:.3f}"
                         f" | {gemm['torch'] / threads * 1e3:.3f} | {steps['torch'] * 1e3:.3f}"
                         f" | {steps['ember'] * 1e3:.3f} | {floor:.2f}"
                         f" | {steps['ember'] / steps['torch']:.2f} | <= {target} |")
            print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", load.describe()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
