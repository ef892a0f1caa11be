"""Optimizer step alone, Ember vs PyTorch (issue 4's "Speed" requirement).

The parameters of the MLP 784-512-512-10 (float32, ~670k values) with fixed gradients; only
``opt.step()`` is timed, 1 thread each, interleaved (A B A B), medians.
Run: ``python benchmarks/optim_step.py [--rounds 31] [--inner 10]``.
"""
from __future__ import annotations

import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from harness import LoadMeter, fmt_row, interleaved, pin_threads, table_header  # noqa: E402

pin_threads(1)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(1)

MLP_SHAPES = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]


def mlp_params(lib, seed=0):
    """The MLP's parameters, each with a fixed gradient (the same values in both libraries)."""
    rng = np.random.default_rng(seed)
    params = []
    for shape in MLP_SHAPES:
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(shape, dtype=np.float32) * 0.05))
        p.grad = lib.tensor(rng.standard_normal(shape, dtype=np.float32) * 1e-3)
        params.append(p)
    return params


def optim_step(lib, name, **kwargs):
    opt = getattr(lib.optim, name)(mlp_params(lib), **kwargs)
    opt.step()  # state is allocated on the first step: time the steady state
    return opt.step


# name, optimizer, kwargs, extra torch kwargs, target ratio (None: reported only). torch's
# default on CPU is its single-tensor loop; its opt-in fused CPU kernel is shown for scale.
WORKLOADS = [
    ("SGD momentum 0.9", "SGD", dict(lr=0.01, momentum=0.9), {}, 1.0),
    ("Adam", "Adam", dict(lr=1e-3), {}, 1.0),
    ("AdamW", "AdamW", dict(lr=1e-3), {}, 1.0),
    ("SGD (no momentum)", "SGD", dict(lr=0.01), {}, None),
    ("Adam vs torch fused=True", "Adam", dict(lr=1e-3), dict(fused=True), None),
]


def main(rounds=31, inner=10):
    lines = []
    with LoadMeter() as load:
        for label, name, kwargs, torch_kwargs, target in WORKLOADS:
            res = interleaved({"ember": optim_step(ember, name, **kwargs),
                               "torch": optim_step(torch, name, **kwargs, **torch_kwargs)},
                              rounds=rounds, inner=inner, warmup=2)
            row, ratio = fmt_row(f"{label} step, MLP 784-512-512-10 float32 [ms]",
                                 res["ember"], res["torch"])
            row += (f" <= {target} {'met' if ratio <= target else 'MISSED'} |"
                    if target is not None else " - |")
            lines.append(row)
            print(row, file=sys.stderr, flush=True)
    out = table_header("ms") + lines + ["", load.describe()]
    return "\n".join(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=31)
    ap.add_argument("--inner", type=int, default=10)
    args = ap.parse_args()
    print(main(args.rounds, args.inner))
