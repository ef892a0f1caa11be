"""`import ember` vs `import torch` time, and peak memory (RSS) of each training workload, each
measured in a fresh subprocess, alternating between the libraries."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

_IMPORT = ("import time, resource; t = time.perf_counter(); import {mod}; "
           "dt = time.perf_counter() - t; import json; print(json.dumps([dt, "
           "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))")

_TRAIN = """
import sys, json, resource
sys.path.insert(0, {here!r})
import models
if {lib!r} == "torch":
    import torch as lib
else:
    from ember.compat import as_torch
    lib = as_torch()
step = models.WORKLOADS[{key!r}][1](lib)
for _ in range({steps}):
    step()
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


def _run(code, threads=1):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _compile_bytecode():
    """Write ember's .pyc files, as `pip install` does for a wheel.

    An editable install compiles nothing, and where PYTHONDONTWRITEBYTECODE is set (as on our
    machines) every import would recompile all of ember's sources: ~0.1 s that no installed
    copy pays. torch and numpy come from wheels with their bytecode already written."""
    import compileall

    import ember
    compileall.compile_dir(os.path.dirname(ember.__file__), quiet=1)


def import_times(rounds=5):
    _compile_bytecode()
    res = {"ember": [], "torch": [], "numpy": []}
    rss = {}
    for _ in range(rounds):
        for mod in res:
            dt, mem = _run(_IMPORT.format(mod=mod))
            res[mod].append(dt)
            rss[mod] = mem
    return {m: statistics.median(v) for m, v in res.items()}, rss


def peak_rss(keys=("mlp", "cnn", "lstm", "transformer"), steps=3):
    out = {}
    for key in keys:
        for lib in ("ember", "torch"):
            try:
                out[(key, lib)] = _run(_TRAIN.format(here=HERE, lib=lib, key=key, steps=steps))
            except RuntimeError as e:
                out[(key, lib)] = f"failed: {str(e).strip().splitlines()[-1][:80]}"
    return out


def main():
    times, rss = import_times()
    lines = ["| import | time (s) | RSS after import (MB) |", "|---|---|---|"]
    for mod in ("ember", "torch", "numpy"):
        lines.append(f"| `import {mod}` | {times[mod]:.3f} | {rss[mod]:.0f} |")
    lines += ["", "| training run (3 steps) | ember peak RSS (MB) | torch peak RSS (MB) |",
              "|---|---|---|"]
    mem = peak_rss()
    for key in ("mlp", "cnn", "lstm", "transformer"):
        e, t = mem[(key, "ember")], mem[(key, "torch")]
        fe = f"{e:.0f}" if isinstance(e, float) else e
        ft = f"{t:.0f}" if isinstance(t, float) else t
        lines.append(f"| {key} | {fe} | {ft} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
