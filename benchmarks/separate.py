"""The training workloads of models.py with each library in a process of its own.

In the interleaved runs both libraries share one process, and with it the C allocator's
state: on import Ember tunes glibc's malloc to keep freed activations mapped between steps
(backend/cpu.py), which speeds torch up as much as Ember there. Here each sample is a fresh
process (Ember, torch, Ember, torch, ...), so each library runs with its own defaults, as a
user would run it. The interleaved table stays the reference for the targets.

Run: ``python benchmarks/separate.py [--rounds R] [--only mlp,cnn]``.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import LoadMeter, fmt_row, table_header  # noqa: E402

_SAMPLE = """
import json, statistics, sys
sys.path.insert(0, {here!r})
import models
from harness import set_threads, time_once
if {lib!r} == "torch":
    import torch as lib
else:
    from ember.compat import as_torch
    lib = as_torch()
title, factory, threads, inner, target = models.WORKLOADS[{key!r}]
set_threads(threads, lib)
step = factory(lib)
time_once(step, max(1, inner // 2))
print(json.dumps(statistics.median(time_once(step, inner) for _ in range(5))))
"""


def sample(lib, key):
    out = subprocess.run([sys.executable, "-c", _SAMPLE.format(here=HERE, lib=lib, key=key)],
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1][:200])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    import models
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="mlp,cnn,lstm,transformer")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    lines = []
    with LoadMeter() as load:
        for key in args.only.split(","):
            title, _, threads, _, target = models.WORKLOADS[key]
            res = {"ember": [], "torch": []}
            for _ in range(args.rounds):
                for lib in res:
                    res[lib].append(sample(lib, key))
            row, ratio = fmt_row(f"{title} ({threads} thread{'s' if threads > 1 else ''}, "
                                 "own process)", statistics.median(res["ember"]),
                                 statistics.median(res["torch"]))
            lines.append(f"{row} (interleaved target <= {target}) |")
            print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(table_header("ms") + lines + ["", load.describe()])


if __name__ == "__main__":
    print(main())
