"""Intra-op threads on the CPU: ``set_num_threads``/``get_num_threads`` and the helpers that
split one large op over Python threads.

NumPy releases the GIL inside matmul, ufuncs and copies, so two Python threads each running
half of an op on a one-thread BLAS use both cores -- and hold up far better on a shared
machine than a multi-threaded BLAS, whose helper threads also spin for a while after every
call and steal the core from the next op (see shared/PERFORMANCE.md, "Contention").

Policy: ops above a size threshold (convolutions, pooling, large matrix products, large
elementwise kernels) are split into chunks that ``get_num_threads()`` threads take as they
free up, with BLAS on one thread meanwhile. ``set_num_threads(n)`` also puts the BLAS library
itself on one thread, so that no BLAS helper thread competes with ours; without that call the
BLAS library keeps its own setting for the products ember does not split.
"""
from __future__ import annotations

import os
import threading
from itertools import count as _count

from .cpu import MMAP_THRESHOLD
from .pool import MIN_BYTES as _POOL_MIN
from .pool import empty as _pooled

# products come from the buffer pool only where it takes medium arrays (malloc not tuned):
# otherwise malloc serves them from blocks still in cache, and the test costs small products
_POOL_PRODUCTS = _POOL_MIN < MMAP_THRESHOLD

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads",
           "get_num_interop_threads"]

THREAD_FLOPS = 1e7   # split an op over Python threads above this much work (a ~20 us hand-off)


def _default_threads():
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return os.cpu_count() or 1


_num_threads = _default_threads()
_interop_threads = None
_pool = None
_pool_size = 0
_pool_lock = threading.Lock()

try:  # optional: run BLAS on one thread while our Python threads share the cores
    from threadpoolctl import ThreadpoolController as _TPController
except ImportError:  # pragma: no cover - depends on the environment
    _TPController = None
_blas = []   # [list of threadpoolctl library controllers] once probed


def set_num_threads(num_threads: int) -> None:
    """Sets the number of threads used for intra-op parallelism on CPU.

    Ember splits large ops over this many threads and runs the BLAS library on one thread
    (threadpoolctl, when installed, sets it), so that the two never oversubscribe the cores."""
    if not isinstance(num_threads, int):
        raise RuntimeError(f"set_num_threads expects an int, but got "
                           f"{type(num_threads).__name__}")
    if num_threads <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    global _num_threads
    _num_threads = num_threads
    for lib in _blas_libs():
        lib.set_num_threads(1)


def get_num_threads() -> int:
    """Returns the number of threads used for parallelizing CPU operations."""
    return _num_threads


def set_num_interop_threads(num_threads: int) -> None:
    """Sets the number of threads used for inter-op parallelism on CPU (ember runs ops one
    after the other, so this is recorded only; like torch it may be set once)."""
    global _interop_threads
    if _interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    if num_threads <= 0:
        raise RuntimeError("Expected positive number of threads")
    _interop_threads = int(num_threads)


def get_num_interop_threads() -> int:
    """Returns the number of threads used for inter-op parallelism on CPU."""
    return _interop_threads if _interop_threads is not None else (os.cpu_count() or 1)


def _blas_libs():
    if not _blas:
        libs = []
        if _TPController is not None:
            try:
                libs = list(_TPController().select(user_api="blas").lib_controllers)
            except Exception:  # pragma: no cover - a library threadpoolctl cannot drive
                libs = []
        _blas.append(libs)
    return _blas[0]


class BlasOne:
    """BLAS on one thread for the block (restored after), checked on each use: our chunks
    run their GEMMs one per Python thread, and a multi-threaded BLAS would oversubscribe the
    cores. Set/get through threadpoolctl's library handles (~2 us each)."""
    __slots__ = ("lowered",)

    def __enter__(self):
        self.lowered = [(lib, n) for lib in _blas_libs()
                        for n in (lib.get_num_threads(),) if n and n > 1]
        for lib, _ in self.lowered:
            lib.set_num_threads(1)

    def __exit__(self, *exc):
        for lib, n in self.lowered:
            lib.set_num_threads(n)


def _executor(helpers):
    """A pool of at least ``helpers`` threads (the caller's own thread is the other one)."""
    global _pool, _pool_size
    if _pool_size < helpers:
        with _pool_lock:
            if _pool_size < helpers:
                from concurrent.futures import ThreadPoolExecutor
                old = _pool
                _pool = ThreadPoolExecutor(helpers, thread_name_prefix="ember-intraop")
                _pool_size = helpers
                if old is not None:
                    old.shutdown(wait=False)
    return _pool


def _chunks_from(counter, n, step):
    """The next free ``(c0, c1)`` of a shared counter (``next`` on itertools.count is atomic)."""
    while True:
        c0 = next(counter) * step
        if c0 >= n:
            return
        yield c0, min(c0 + step, n)


def _run_shared(n, step, run, threads):
    counter = _count()
    pool = _executor(threads - 1)
    futs = [pool.submit(run, slot, _chunks_from(counter, n, step))
            for slot in range(1, threads)]
    first = run(0, _chunks_from(counter, n, step))
    return [first] + [f.result() for f in futs]


def parallel(n, step, run, flops, blas=True):
    """Call ``run(slot, chunks)`` where ``chunks`` yields ``(c0, c1)`` ranges of ``step`` items
    covering ``[0, n)``; returns the list of what each call returned. ``blas``: the work calls
    BLAS (run it on one BLAS thread). ``slot`` numbers the thread (for its workspaces).

    Above a size threshold the threads share the chunks, each taking the next one when it is
    free (not a fixed share each): on a shared machine a thread that loses its core then does
    fewer chunks instead of holding the others up."""
    threads = min(_num_threads, -(-n // step))
    if threads < 2 or flops < THREAD_FLOPS:
        chunks = ((c0, min(c0 + step, n)) for c0 in range(0, n, step))
        if not blas:
            return [run(0, chunks)]
        with BlasOne():
            return [run(0, chunks)]
    if not blas:
        return _run_shared(n, step, run, threads)
    with BlasOne():
        return _run_shared(n, step, run, threads)


def split_flat(n, fn, step=1 << 18):
    """``fn(c0, c1)`` over ``[0, n)`` in chunks of ``step`` elements shared by the threads: for
    memory-bound elementwise kernels on large arrays (relu and its gradient), whose passes then
    run on cache-sized pieces and whose page faults on fresh outputs overlap."""
    def run(slot, chunks):
        for c0, c1 in chunks:
            fn(c0, c1)
    parallel(n, step, run, float("inf"), blas=False)


def matmul(xp, a, b, out=None):
    """``a @ b`` for NumPy operands, split over the threads when the product is large; plain
    ``xp.matmul`` otherwise. 2-D products split the larger operand (each thread streams half
    of it and all of the smaller one): by rows of ``a`` or by columns of ``b``; 3-D products of
    one batch size split the batch."""
    if ((_num_threads < 2 and not _POOL_PRODUCTS) or a.__class__.__module__ != "numpy"
            or b.__class__.__module__ != "numpy"):  # Tensors under create_graph, CuPy arrays
        return xp.matmul(a, b) if out is None else xp.matmul(a, b, out=out)
    if _POOL_PRODUCTS and out is None and a.ndim == 2 and b.ndim == 2 and a.dtype == b.dtype \
            and a.shape[1] == b.shape[0] and a.shape[0] * b.shape[1] * a.itemsize >= _POOL_MIN:
        out = _pooled(xp, (a.shape[0], b.shape[1]), a.dtype)
    if _num_threads < 2:
        return xp.matmul(a, b) if out is None else xp.matmul(a, b, out=out)
    if a.ndim == 2 and b.ndim == 2:
        by_rows = a.size >= b.size
        n = a.shape[0] if by_rows else b.shape[1]
        flops = 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
    elif a.ndim == 3 and b.ndim == 3 and a.shape[0] == b.shape[0]:
        by_rows = True
        n = a.shape[0]
        flops = 2.0 * n * a.shape[1] * a.shape[2] * b.shape[2]
    else:
        n = flops = 0
    if n < 2 or flops < THREAD_FLOPS:
        return xp.matmul(a, b) if out is None else xp.matmul(a, b, out=out)
    if out is None:
        out = xp.empty(a.shape[:-1] + b.shape[-1:], xp.result_type(a, b))
    threads = min(_num_threads, n)
    batched = a.ndim == 3

    def run(slot, chunks):
        for c0, c1 in chunks:
            if not by_rows:
                xp.matmul(a, b[:, c0:c1], out=out[:, c0:c1])
            elif batched:
                xp.matmul(a[c0:c1], b[c0:c1], out=out[c0:c1])
            else:
                xp.matmul(a[c0:c1], b, out=out[c0:c1])
    with BlasOne():
        _run_shared(n, -(-n // threads), run, threads)
    return out
