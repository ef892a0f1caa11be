"""Large host buffers reused from one training step to the next.

A fresh multi-megabyte NumPy array costs a page fault per 4 KiB on first touch, and a training
step frees and reallocates the same activations every step (measured: ~15% of an LSTM layer's
forward; the MNIST CNN step takes 53-59 ms with glibc's default malloc, 48 ms with this pool).
Kernels that produce large outputs take them from a pool instead of ``xp.empty``. A pooled
array is handed out again only while nothing but the pool refers to it -- any Tensor, view,
saved activation or array given to the user keeps its reference count up -- so reuse is
always safe. Of the free arrays of the requested size the one handed out most recently is
reused (the likeliest to still be in cache). A pool keeps at most ``limit`` arrays and
``max_bytes`` in all; past that, free arrays are dropped, or the request is served unpooled.

Arrays below ``min_bytes`` are left to malloc, which hands back the block freed last (warm in
cache): for arrays that fit in the caches that beats any pool (pooling from 64 KiB cost the MLP
step 7%), and where ``import ember`` tuned glibc's malloc (backend/cpu.py) it also beats the
pool up to 32 MiB (pooled from 4 MiB, the CNN step was 1-2 ms slower). The RNN layers keep a
pool of their own from 64 KiB (ops/rnn.py).
"""
from __future__ import annotations

import sys
import threading

from .cpu import MMAP_THRESHOLD, malloc_tuned
from .cpu import xp as _np

__all__ = ["BufferPool", "empty"]


def _refs(a):
    return sys.getrefcount(a)


class BufferPool:
    def __init__(self, min_bytes=4 << 20, limit=64, max_bytes=1 << 29):
        self.min_bytes, self.limit, self.max_bytes = min_bytes, limit, max_bytes
        self.bufs = {}            # (elements, dtype) -> arrays, the last handed out last
        self.count = 0
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
        key = (n, dtype)
        with self.lock:
            bufs = self.bufs.get(key)
            if bufs is None:
                bufs = self.bufs[key] = []
            for i in range(len(bufs) - 1, -1, -1):
                a = bufs[i]
                if _refs(a) == free:
                    del bufs[i]
                    bufs.append(a)
                    return a.reshape(shape)
            a = None
            if self.count >= self.limit or self.nbytes + size > self.max_bytes:
                self._drop_free(size)
                if self.count >= self.limit or self.nbytes + size > self.max_bytes:
                    return _np.empty(shape, dtype)
            a = _np.empty(n, dtype)
            bufs.append(a)
            self.count += 1
            self.nbytes += size
            return a.reshape(shape)

    def _drop_free(self, size):
        """Drop free arrays until one more of ``size`` bytes fits."""
        free = self.free
        for bufs in self.bufs.values():
            i = 0
            while i < len(bufs) and (self.count >= self.limit
                                     or self.nbytes + size > self.max_bytes):
                a = bufs[i]
                if _refs(a) == free:
                    self.count -= 1
                    self.nbytes -= a.nbytes
                    del bufs[i]
                else:
                    i += 1
                a = None

    def clear(self):
        """Drop every pooled array (those still in use live on with their users)."""
        with self.lock:
            self.bufs = {}
            self.count = 0
            self.nbytes = 0


# where import tuned glibc's malloc, it keeps freed blocks up to its mmap threshold mapped and
# hands back the warmest one: the pool only takes what malloc would map afresh
_pool = BufferPool(min_bytes=MMAP_THRESHOLD if malloc_tuned else 4 << 20)
empty = _pool.empty
