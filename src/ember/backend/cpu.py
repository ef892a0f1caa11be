"""The CPU backend: NumPy arrays, and how the C allocator under them is tuned."""
import os as _os

import numpy as xp  # noqa: F401  (the namespace op code receives from get_xp)

ndarray = xp.ndarray

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20   # glibc's own ceiling for its dynamic threshold
TRIM_THRESHOLD = 128 << 20


def tune_malloc():
    """Keep the memory of freed activations for the next step (glibc only).

    A training step frees and reallocates the same large arrays every step. By default glibc
    serves arrays above 128 KiB with fresh ``mmap`` calls (raising that threshold only as large
    blocks are freed) and gives the top of its heap back to the system as soon as 2x the
    threshold is free, so each step pays the kernel again to fault in and zero tens of MB (in
    torch as in ember: torch's MNIST CNN step went from 47 to 40 ms). Serving blocks up to
    32 MiB from the heap and trimming only past 128 MiB free keeps that memory mapped between
    steps; peak memory is unchanged. Without it, the kernels that make a step's large arrays
    take them from backend/pool.py instead, which keeps most of the speed (MLP / GPT step
    4.41 / 86.4 ms against 4.35 / 83.9 tuned; 5.9 / 96 ms with neither).

    Called once on import. ``EMBER_MALLOC_TUNING=0`` leaves the allocator alone, as do the
    glibc settings a user gives through ``MALLOC_*_`` or ``GLIBC_TUNABLES``.
    """
    if _os.environ.get("EMBER_MALLOC_TUNING", "1") == "0" or any(
            k.startswith("MALLOC_") or k == "GLIBC_TUNABLES" for k in _os.environ):
        return False
    try:
        if not _os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return False
        import ctypes
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                    and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (AttributeError, OSError, ValueError):  # not Linux/glibc: nothing to tune
        return False


malloc_tuned = tune_malloc()
