"""Large host buffers reused from one training step to the next.

A fresh multi-megabyte NumPy array costs a page fault per 4 KiB on first touch, and a training
step frees and reallocates the same activations every step (measured: ~15% of an LSTM layer's
forward, 10 ms of a 58 ms MNIST CNN step). Kernels that produce large outputs take them from
this pool instead of ``xp.empty``. A pooled array is handed out again only while nothing but
the pool refers to it -- any Tensor, view, saved activation or array given to the user keeps
its reference count up -- so reuse is always safe. The pool keeps at most ``limit`` arrays and
``max_bytes`` in all; past that, free arrays are dropped oldest first, or the request is
served unpooled.
"""
from __future__ import annotations

import sys
import threading

from .cpu import xp as _np

__all__ = ["BufferPool", "empty"]


def _refs(a):
    return sys.getrefcount(a)


class BufferPool:
    limit = 64
    min_bytes = 1 << 16
    max_bytes = 1 << 29

    def __init__(self):
        self.bufs = []
        self.nbytes = 0
        self.lock = threading.Lock()
        self.free = None
        if hasattr(sys, "getrefcount"):   # CPython: what a buffer only the pool holds counts,
            bufs = [_np.empty(1)]         # read the way ``empty`` reads it
            for i in range(1):
                a = bufs[i]
                self.free = _refs(a)

    def empty(self, xp, shape, dtype):
        """An uninitialised host array of ``shape`` and ``dtype`` (``xp.empty`` for other
        backends and small arrays)."""
        n = 1
        for d in shape:
            n *= d
        dtype = _np.dtype(dtype)
        size = n * dtype.itemsize
        if xp is not _np or self.free is None or size < self.min_bytes:
            return xp.empty(shape, dtype)
        free = self.free
        with self.lock:
            bufs = self.bufs
            for i in range(len(bufs)):
                a = bufs[i]
                if a.size == n and a.dtype == dtype and _refs(a) == free:
                    return a.reshape(shape)
            a = None
            i = 0
            while (len(bufs) >= self.limit or self.nbytes + size > self.max_bytes) \
                    and i < len(bufs):
                a = bufs[i]
                if _refs(a) == free:
                    self.nbytes -= a.nbytes
                    del bufs[i]
                else:
                    i += 1
                a = None
            if len(bufs) >= self.limit or self.nbytes + size > self.max_bytes:
                return _np.empty(shape, dtype)
            a = _np.empty(n, dtype)
            bufs.append(a)
            self.nbytes += size
            return a.reshape(shape)

    def clear(self):
        """Drop every pooled array (those still in use live on with their users)."""
        with self.lock:
            self.bufs = []
            self.nbytes = 0


_pool = BufferPool()
empty = _pool.empty
