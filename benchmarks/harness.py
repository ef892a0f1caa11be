"""Side-by-side timing of Ember and PyTorch: interleaved (A B A B ...), medians, ratio, load.

Both libraries run in this one process, pinned to the same number of threads (set before
NumPy/torch are imported, see :func:`pin_threads`), so a busy neighbour slows both alike.
"""
from __future__ import annotations

import os
import statistics
import time


def pin_threads(n: int = 1):
    """Pin BLAS/OpenMP threads to ``n``; must run before numpy or torch is imported."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def set_threads(n: int, *libs):
    """Give each library (torch, and ember or its compat module) ``n`` intra-op threads with
    its own ``set_num_threads``, after capping the BLAS/OpenMP pools at ``n`` (threadpoolctl
    when available). Ember's ``set_num_threads`` then puts NumPy's BLAS on one thread and
    splits large ops over its own ``n`` Python threads."""
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass
    for lib in libs:
        lib.set_num_threads(n)


def _cpu_busy():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class LoadMeter:
    """Fraction of all CPUs busy (any process) while the block runs, and the load average."""

    def __enter__(self):
        self.start = _cpu_busy()
        return self

    def __exit__(self, *exc):
        busy0, total0 = self.start
        busy1, total1 = _cpu_busy()
        self.busy = (busy1 - busy0) / max(1, total1 - total0)
        self.loadavg = os.getloadavg()[0]

    def describe(self):
        return (f"CPUs busy {self.busy * 100:.0f}% during the run (all processes, "
                f"{os.cpu_count()} cores), load average {self.loadavg:.2f}")


def time_once(fn, inner: int) -> float:
    """Seconds per call; a callable that returns a float reports the time of its own timed
    part (e.g. only the backward pass of a graph it builds first)."""
    t0 = time.perf_counter()
    own = 0.0
    reported = False
    for _ in range(inner):
        r = fn()
        if isinstance(r, float):
            own += r
            reported = True
    if reported:
        return own / inner
    return (time.perf_counter() - t0) / inner


def interleaved(cases: dict, rounds: int = 7, inner: int = 100, warmup: int = 1):
    """Run each callable of ``cases`` (name -> fn) ``rounds`` times, alternating between them,
    and return name -> median seconds per call."""
    for fn in cases.values():
        for _ in range(warmup):
            time_once(fn, max(1, inner // 10))
    samples = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(time_once(fn, inner))
    return {name: statistics.median(v) for name, v in samples.items()}


def fmt_row(name, ember_s, torch_s, unit="ms", scale=1e3):
    ratio = ember_s / torch_s if torch_s else float("nan")
    return f"| {name} | {ember_s * scale:.3f} | {torch_s * scale:.3f} | {ratio:.2f} |", ratio


def table_header(unit):
    return [f"| workload | ember ({unit}) | torch ({unit}) | ember/torch | target |",
            "|---|---|---|---|---|"]
