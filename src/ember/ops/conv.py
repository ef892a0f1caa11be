"""Convolution kernels (fused forward/backward on backend arrays) and their functional forms:
conv1d/2d/3d, conv_transpose1d/2d/3d, unfold/fold (im2col/col2im) and pad.

How the convolution runs (see shared/PERFORMANCE.md, "Convolution and memory-bound ops"):
the batch is processed in chunks of 1-2 images; each chunk is copied into a zero-bordered
workspace, unrolled (im2col) into a second reused workspace and multiplied by the weight in one
GEMM written straight into the output (``out=``). Backward recomputes im2col instead of storing
it; dX is a col2im of ``W^T @ dY`` with one strided add per kernel tap, or, for stride 1, a
convolution of the padded output gradient with the flipped weight (no scatter at all). Large
batches are split over two Python threads: NumPy releases the GIL in matmul and copies.

The three bilinear maps of a convolution -- ``conv(x, w)``, its adjoint in ``x``
(``conv_transpose(g, w)``) and its adjoint in ``w`` (the weight gradient) -- are three
Functions whose backwards are written with each other, so double backward is closed over them.
"""
from __future__ import annotations

import math
import os
import threading
from itertools import product as _product

from .. import dtypes as _dt
from ..autograd.function import Function
from .._tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold", "pad"]

# ------------------------------------------------------------------ workspaces and threads
_CHUNK_BYTES = 3 << 20       # im2col bytes per chunk (keeps im2col -> GEMM in cache)
_THREAD_FLOPS = 3e7          # split an op over two Python threads above this much work
_N_THREADS = 2 if (os.cpu_count() or 1) >= 2 else 1
_WS = {}                      # (thread slot, tag, shape, dtype) -> reusable array
_WS_MAX = 64
_pool = None
_pool_lock = threading.Lock()

try:  # optional: run BLAS on one thread while our two Python threads share the cores
    from threadpoolctl import threadpool_limits as _tp_limits
except ImportError:  # pragma: no cover - depends on the environment
    _tp_limits = None


def _ws(xp, slot, tag, shape, dtype, zero=False):
    """A reusable workspace array (zeroed once on creation when ``zero``)."""
    key = (slot, tag, shape, dtype)
    a = _WS.get(key)
    if a is None:
        if len(_WS) >= _WS_MAX:
            _WS.clear()
        a = _WS[key] = (xp.zeros if zero else xp.empty)(shape, dtype)
    return a


def _executor():
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                from concurrent.futures import ThreadPoolExecutor
                _pool = ThreadPoolExecutor(max(1, _N_THREADS - 1), thread_name_prefix="ember-conv")
    return _pool


def _parallel(n, run, flops):
    """Call ``run(slot, n0, n1)`` over the batch ``[0, n)``: in two threads when it pays."""
    if _N_THREADS < 2 or n < 2 or flops < _THREAD_FLOPS:
        return [run(0, 0, n)]
    half = (n + 1) // 2
    if _tp_limits is not None:
        with _tp_limits(1, "blas"):
            fut = _executor().submit(run, 1, half, n)
            first = run(0, 0, half)
            return [first, fut.result()]
    fut = _executor().submit(run, 1, half, n)
    first = run(0, 0, half)
    return [first, fut.result()]


def _chunk(per_image_bytes):
    return max(1, min(2, _CHUNK_BYTES // max(1, per_image_bytes)))


# ------------------------------------------------------------------ geometry
class _Geo(tuple):
    """(stride, dilation, pad_lo, pad_hi, groups), each per spatial dim; hashable."""
    __slots__ = ()

    def __new__(cls, stride, dilation, lo, hi, groups):
        return tuple.__new__(cls, (tuple(stride), tuple(dilation), tuple(lo), tuple(hi),
                                   groups))

    stride = property(lambda self: self[0])
    dilation = property(lambda self: self[1])
    lo = property(lambda self: self[2])
    hi = property(lambda self: self[3])
    groups = property(lambda self: self[4])


def _prod(t):
    p = 1
    for v in t:
        p *= v
    return p


def _windows(xp, xpad, K, Q, stride, dil):
    """The (b, C, *K, *Q) strided view of every kernel tap of every output position."""
    st = xpad.strides
    nd = len(K)
    strides = st[:2] + tuple(st[2 + i] * dil[i] for i in range(nd)) + \
        tuple(st[2 + i] * stride[i] for i in range(nd))
    return xp.lib.stride_tricks.as_strided(xpad, xpad.shape[:2] + K + Q, strides,
                                           writeable=False)


class _Im2col:
    """Per (slot, chunk shape) plan: padded workspace, its window view and the cols buffer."""
    _cache = {}

    @classmethod
    def get(cls, xp, slot, xshape, dtype, K, Q, stride, dil, lo, hi, G):
        key = (slot, xshape, dtype, K, Q, stride, dil, lo, hi, G)
        p = cls._cache.get(key)
        if p is None:
            if len(cls._cache) >= _WS_MAX:
                cls._cache.clear()
            p = cls._cache[key] = cls(xp, xshape, dtype, K, Q, stride, dil, lo, hi, G)
        return p

    def __init__(self, xp, xshape, dtype, K, Q, stride, dil, lo, hi, G):
        b, C = xshape[:2]
        S = xshape[2:]
        nd = len(S)
        self.direct = all(k == 1 for k in K) and all(s == 1 for s in stride) and \
            not any(lo) and tuple(Q) == tuple(S)
        L = _prod(Q)
        self.cols_shape = (b, G, C // G * _prod(K), L)
        if self.direct:
            return
        # the padded size the windows need (>= the input: crops when hi < 0 never happens)
        Sp = tuple(max(S[i] + lo[i] + max(hi[i], 0),
                       lo[i] + (K[i] - 1) * dil[i] + (Q[i] - 1) * stride[i] + 1)
                   for i in range(nd))
        self.padded = any(lo) or tuple(Sp) != tuple(S)
        if self.padded:
            self.xpad = xp.zeros((b, C) + Sp, dtype)
            self.interior = self.xpad[(slice(None), slice(None)) + tuple(
                slice(lo[i], lo[i] + S[i]) for i in range(nd))]
            src = self.xpad
        else:
            self.xpad = None
            src = None
        self.cols = xp.empty((b, C) + tuple(K) + tuple(Q), dtype)
        self.cols4 = self.cols.reshape(self.cols_shape)
        self.win = _windows(xp, src, tuple(K), tuple(Q), stride, dil) if src is not None \
            else None
        self.K, self.Q, self.stride, self.dil = tuple(K), tuple(Q), stride, dil

    def __call__(self, xp, xs):
        """im2col of the chunk ``xs`` (b, C, *S) -> (b, G, C/G*prod(K), prod(Q))."""
        if self.direct:
            return xs.reshape(self.cols_shape)
        if self.padded:
            self.interior[...] = xs
            self.cols[...] = self.win
        else:
            self.cols[...] = _windows(xp, xs, self.K, self.Q, self.stride, self.dil)
        return self.cols4


def _out_size(S, K, geo):
    return tuple((S[i] + geo.lo[i] + geo.hi[i] - geo.dilation[i] * (K[i] - 1) - 1)
                 // geo.stride[i] + 1 for i in range(len(S)))


def _contig(xp, a):
    return a if a.flags.c_contiguous else xp.ascontiguousarray(a)


# ------------------------------------------------------------------ the three kernels
def conv_forward_arrays(xp, x, w, bias, geo, Q):
    """``out[n] = W @ im2col(x[n]) (+ bias)``; ``Q`` the output spatial size."""
    x = _contig(xp, x)
    N, C = x.shape[:2]
    S = x.shape[2:]
    O = w.shape[0]
    K = tuple(w.shape[2:])
    G = geo.groups
    L = _prod(Q)
    out = xp.empty((N, O) + tuple(Q), x.dtype)
    if N == 0 or out.size == 0:
        if bias is not None:
            out[...] = 0
        return out if bias is None else out + bias.reshape((O,) + (1,) * len(Q))
    w3 = _contig(xp, w).reshape(G, O // G, -1)
    b2 = bias.reshape(O, 1) if bias is not None else None
    ckl = C * _prod(K) * L
    cb = _chunk(ckl * x.itemsize)

    def run(slot, n0, n1):
        for c0 in range(n0, n1, cb):
            c1 = min(c0 + cb, n1)
            plan = _Im2col.get(xp, slot, (c1 - c0, C) + S, x.dtype, K, Q, geo.stride,
                               geo.dilation, geo.lo, geo.hi, G)
            cols = plan(xp, x[c0:c1])
            o = out[c0:c1].reshape(c1 - c0, G, O // G, L)
            xp.matmul(w3, cols, out=o)
            if b2 is not None:
                o3 = out[c0:c1].reshape(c1 - c0, O, L)
                o3 += b2

    _parallel(N, run, 2.0 * ckl * O / G * N)
    return out


def _dgrad_flip_ok(geo, K, S, Q):
    if any(s != 1 for s in geo.stride):
        return False
    for i in range(len(K)):
        lo2 = geo.dilation[i] * (K[i] - 1) - geo.lo[i]
        hi2 = S[i] + geo.lo[i] - Q[i]
        if lo2 < 0 or hi2 < 0:
            return False
    return True


def conv_backward_arrays(xp, x, w, g, geo, S, need_x, need_w):
    """Data gradient (shape (N, C, *S)) and weight gradient of a convolution, one pass over
    the batch; ``x`` may be None when only the data gradient is wanted."""
    g = _contig(xp, g)
    N, O = g.shape[:2]
    Q = tuple(g.shape[2:])
    K = tuple(w.shape[2:])
    G = geo.groups
    Og = O // G
    C = w.shape[1] * G
    Cg = C // G
    Kp = _prod(K)
    L = _prod(Q)
    nd = len(K)
    S = tuple(S)
    dtype = g.dtype
    gx = xp.empty((N, C) + S, dtype) if need_x else None
    if need_x and (N == 0 or gx.size == 0):
        gx[...] = 0
        need_x = False
    if need_w:
        x = _contig(xp, x)
    w = _contig(xp, w)
    flip = need_x and _dgrad_flip_ok(geo, K, S, Q) and Cg >= 4
    if flip:
        # dX = conv(pad(g), flip(W) with in/out channels swapped), stride 1
        wf = w.reshape((G, Og, Cg) + K)[(slice(None),) * 3 + (slice(None, None, -1),) * nd]
        wf = xp.ascontiguousarray(wf.swapaxes(1, 2)).reshape(G, Cg, Og * Kp)
        lo2 = tuple(geo.dilation[i] * (K[i] - 1) - geo.lo[i] for i in range(nd))
        hi2 = tuple(S[i] + geo.lo[i] - Q[i] for i in range(nd))
        LS = _prod(S)
    elif need_x:
        wT = xp.ascontiguousarray(w.reshape(G, Og, Cg * Kp).swapaxes(1, 2))
        Sp = tuple(max(S[i] + geo.lo[i] + geo.hi[i],
                       geo.lo[i] + geo.dilation[i] * (K[i] - 1) + geo.stride[i] * (Q[i] - 1) + 1)
                   for i in range(nd))
        taps = [tuple(slice(k[i] * geo.dilation[i],
                            k[i] * geo.dilation[i] + geo.stride[i] * (Q[i] - 1) + 1,
                            geo.stride[i]) for i in range(nd)) for k in _product(*map(range, K))]
        inner = tuple(slice(geo.lo[i], geo.lo[i] + S[i]) for i in range(nd))
        direct_out = Sp == S
    ckl = C * Kp * L
    cb = _chunk(ckl * dtype.itemsize)

    def run(slot, n0, n1):
        gw = None
        for c0 in range(n0, n1, cb):
            c1 = min(c0 + cb, n1)
            b = c1 - c0
            g4 = g[c0:c1].reshape(b, G, Og, L)
            if need_w:
                plan = _Im2col.get(xp, slot, (b, C) + S, dtype, K, Q, geo.stride,
                                   geo.dilation, geo.lo, geo.hi, G)
                cols = plan(xp, x[c0:c1])
                tmp = _ws(xp, slot, "wg", (G, Og, Cg * Kp), dtype)
                for i in range(b):
                    if gw is None:
                        gw = xp.matmul(g4[i], cols[i].swapaxes(-1, -2))
                    else:
                        xp.matmul(g4[i], cols[i].swapaxes(-1, -2), out=tmp)
                        gw += tmp
            if flip:
                plan = _Im2col.get(xp, slot, (b, O) + Q, dtype, K, S, (1,) * nd,
                                   geo.dilation, lo2, hi2, G)
                gcols = plan(xp, g[c0:c1])
                xp.matmul(wf, gcols, out=gx[c0:c1].reshape(b, G, Cg, LS))
            elif need_x:
                dcols = _ws(xp, slot, "dcols", (b, G, Cg * Kp, L), dtype)
                xp.matmul(wT, g4, out=dcols)
                dc = dcols.reshape((b, C, Kp) + Q)
                dxp = gx[c0:c1] if direct_out else _ws(xp, slot, "dxp", (b, C) + Sp, dtype)
                dxp[...] = 0
                for t, sl in enumerate(taps):
                    dxp[(slice(None), slice(None)) + sl] += dc[:, :, t]
                if not direct_out:
                    gx[c0:c1] = dxp[(slice(None), slice(None)) + inner]
        return gw

    parts = _parallel(N, run, 2.0 * ckl * Og * N * (int(need_x) + int(need_w)))
    gw = None
    if need_w:
        parts = [p for p in parts if p is not None]
        if parts:
            gw = parts[0]
            for p in parts[1:]:
                gw += p
            gw = gw.reshape(w.shape)
        else:
            gw = xp.zeros(w.shape, dtype)
    return gx, gw


# ------------------------------------------------------------------ Functions
def _bias_grad(g):
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


class ConvNd(Function):
    """``conv(x, w) + b`` on (N, C, *S) arrays."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, w, b, geo):
        ctx.save_for_backward(x, w)
        ctx.geo = geo
        Q = _out_size(x.shape[2:], w.shape[2:], geo)
        return conv_forward_arrays(ctx.xp, x, w, b, geo, Q)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        geo = ctx.geo
        gb = _bias_grad(g) if need_b else None
        if ctx.create_graph:
            gx = ConvTransposeNd.apply(g, w, None, geo, tuple(x.shape[2:])) if need_x else None
            gw = ConvWeightNd.apply(x, g, geo, tuple(w.shape)) if need_w else None
            return gx, gw, gb, None
        gx, gw = conv_backward_arrays(ctx.xp, x, w, g, geo, x.shape[2:], need_x, need_w)
        return gx, gw, gb, None


class ConvTransposeNd(Function):
    """The adjoint of ``conv(., w)``: ``conv_transpose(y, w) + b`` with spatial output ``S``."""
    _arrays = True

    @staticmethod
    def forward(ctx, y, w, b, geo, S):
        ctx.save_for_backward(y, w)
        ctx.geo = geo
        out, _ = conv_backward_arrays(ctx.xp, None, w, y, geo, S, True, False)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(S))
        return out

    @staticmethod
    def backward(ctx, h):
        y, w = ctx.saved_tensors
        need_y, need_w, need_b = ctx.needs_input_grad[:3]
        geo = ctx.geo
        gb = _bias_grad(h) if need_b else None
        if ctx.create_graph:
            gy = ConvNd.apply(h, w, None, geo) if need_y else None
            gw = ConvWeightNd.apply(h, y, geo, tuple(w.shape)) if need_w else None
            return gy, gw, gb, None, None
        Q = tuple(y.shape[2:])
        gy = conv_forward_arrays(ctx.xp, h, w, None, geo, Q) if need_y else None
        gw = None
        if need_w:
            _, gw = conv_backward_arrays(ctx.xp, h, w, y, geo, h.shape[2:], False, True)
        return gy, gw, gb, None, None


class ConvWeightNd(Function):
    """The adjoint of ``conv(x, .)``: the weight gradient ``sum_n g[n] @ im2col(x[n])^T``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, g, geo, wshape):
        ctx.save_for_backward(x, g)
        ctx.geo = geo
        w_like = _Shape(wshape)
        _, gw = conv_backward_arrays(ctx.xp, x, w_like, g, geo, x.shape[2:], False, True)
        return gw

    @staticmethod
    def backward(ctx, h):
        x, g = ctx.saved_tensors
        need_x, need_g = ctx.needs_input_grad[:2]
        geo = ctx.geo
        if ctx.create_graph:
            gx = ConvTransposeNd.apply(g, h, None, geo, tuple(x.shape[2:])) if need_x else None
            gg = ConvNd.apply(x, h, None, geo) if need_g else None
            return gx, gg, None, None
        gx = gg = None
        if need_x:
            gx, _ = conv_backward_arrays(ctx.xp, None, h, g, geo, x.shape[2:], True, False)
        if need_g:
            gg = conv_forward_arrays(ctx.xp, x, h, None, geo, tuple(g.shape[2:]))
        return gx, gg, None, None


class _Shape:
    """A stand-in for the weight where only its shape is read."""

    def __init__(self, shape):
        self.shape = tuple(shape)
        self.flags = _Flags

    def reshape(self, *s):
        return self


class _Flags:
    c_contiguous = True
