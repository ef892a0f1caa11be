"""Large host buffers reused from one training step to the next.

A fresh multi-megabyte NumPy array costs a page fault per 4 KiB on first touch, and a training
step frees and reallocates the same activations every step. Where glibc's malloc is left at
its defaults (``EMBER_MALLOC_TUNING=0``, or not glibc at all) that costs 10-30% of a step:
6,087 page faults per GPT step. The kernels that make a step's large arrays take them from
this pool instead of ``xp.empty``: conv, relu, max-pool, dropout, GELU, layer norm, attention
and the 2-D products of Linear; the RNN layers keep a pool of their own (ops/rnn.py). With
glibc untuned the GPT step then faults 795 times, and MLP / CNN / GPT / LSTM steps ran 4.41 /
48.6 / 86.4 / 129 ms against 4.35 / 47.3 / 83.9 / 131 ms with tuned malloc (without the pool:
5.9 / 53-59 / 96 / -).

A pooled array is handed out again only while nothing but the pool refers to it -- any
Tensor, view, saved activation or array given to the user keeps its reference count up -- so
reuse is always safe. Of the free arrays of the requested size the one handed out most
recently is reused (the likeliest to still be in cache). A pool keeps at most ``limit``
arrays and ``max_bytes`` in all; past that, free arrays are dropped, or the request is served
unpooled.

Where ``import ember`` tuned glibc's malloc (backend/cpu.py, the default) malloc keeps freed
blocks up to 32 MiB mapped and hands back the block freed last, which beats the pool (pooled
from 4 MiB, the CNN step was 1-2 ms slower): the pool then only takes larger arrays.
"""
from __future__ import annotations

import sys
import threading
from math import prod as _prod

from .cpu import MMAP_THRESHOLD, malloc_tuned
from .cpu import xp as _np

__all__ = ["BufferPool", "empty"]


def _refs(a):
    return sys.getrefcount(a)


class BufferPool:
    """Arrays of at least ``min_bytes``, at most ``limit`` of them and ``max_bytes`` in all."""

    def __init__(self, min_bytes=1 << 16, limit=64, max_bytes=1 << 29):
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
        n = _prod(shape)
        dtype = _np.dtype(dtype)
        size = n * dtype.itemsize
        if size < self.min_bytes or xp is not _np or self.free is None:
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
_pool = BufferPool(min_bytes=MMAP_THRESHOLD if malloc_tuned else 1 << 16)
empty = _pool.empty
# small ops test ``nbytes >= MIN_BYTES`` before calling ``empty``: the call costs them more
# than it saves (relu of 16 elements: +0.5 us each way)
MIN_BYTES = _pool.min_bytes
