"""Convolution kernels (fused forward/backward on backend arrays) and their functional forms:
conv1d/2d/3d, conv_transpose1d/2d/3d; the workspaces and threads that fold.py (unfold/fold)
and pooling.py share. F.pad is in vision.py.

How the convolution runs (see shared/PERFORMANCE.md, "Convolution and memory-bound ops"):
the batch is processed in chunks of 1-2 images; each chunk is copied into a zero-bordered
workspace, unrolled (im2col) into a second reused workspace and multiplied by the weight in one
GEMM written straight into the output (``out=``; the bias rides along as one more weight
column against a row of ones). Stride-1 2-D convs use a "wide" layout: every output row is
computed over the full padded width, so each im2col tap is one contiguous copy. Backward
recomputes im2col instead of storing it; in the wide layout dX is ``W^T @ g`` followed by one
contiguous shifted add per kernel tap (no scatter); otherwise a col2im with one strided add per
tap, or for stride 1 a convolution of the padded output gradient with the flipped weight.
Large batches are split over two Python threads that take chunks as they free up, with BLAS on
one thread meanwhile: NumPy releases the GIL in matmul and copies.

The three bilinear maps of a convolution -- ``conv(x, w)``, its adjoint in ``x``
(``conv_transpose(g, w)``) and its adjoint in ``w`` (the weight gradient) -- are three
Functions whose backwards are written with each other, so double backward is closed over them.
"""
from __future__ import annotations

import importlib
import threading
from itertools import product as _product

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend.pool import empty as _pooled
from ..backend.threads import parallel as _parallel
from .._tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

# ------------------------------------------------------------------ workspaces and threads
_CHUNK_BYTES = 3 << 19       # im2col bytes per chunk (keeps im2col -> GEMM in cache)
_WS = {}                      # (thread slot, tag, shape, dtype) -> reusable array
_WS_MAX = 64


def _ws(xp, slot, tag, shape, dtype, zero=False):
    """A reusable workspace array (zeroed once on creation when ``zero``)."""
    key = (slot, tag, shape, dtype)
    a = _WS.get(key)
    if a is None:
        if len(_WS) >= _WS_MAX:
            _WS.clear()
        a = _WS[key] = (xp.zeros if zero else xp.empty)(shape, dtype)
    return a


def _chunk(per_image_bytes, n):
    """Images per chunk: what keeps im2col -> GEMM in cache (1-2 images of a large conv),
    yet at least ~8 chunks for two threads to share (small convs)."""
    return max(1, min(_CHUNK_BYTES // max(1, per_image_bytes), -(-n // 8)))


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


def _padded_size(S, K, Q, stride, dil, lo, hi):
    """The padded size the windows need (>= the input: crops when hi < 0 never happen)."""
    return tuple(max(S[i] + lo[i] + max(hi[i], 0),
                     (K[i] - 1) * dil[i] + (Q[i] - 1) * stride[i] + 1)
                 for i in range(len(S)))


def _wide_ok(K, Q, stride, Sp):
    """Stride-1 2-D convs whose padded rows are not much wider than the output rows use the
    "wide" layout (see ``_Im2col._init_wide``)."""
    return len(K) == 2 and tuple(stride) == (1, 1) and K[1] > 1 and 2 * Sp[1] <= 3 * Q[1]


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
        self.G = G
        self.wide = False
        self.cols1 = None
        self.direct = all(k == 1 for k in K) and all(s == 1 for s in stride) and \
            not any(lo) and tuple(Q) == tuple(S)
        L = _prod(Q)
        self.cols_shape = (b, G, C // G * _prod(K), L)
        if self.direct:
            return
        Sp = _padded_size(S, K, Q, stride, dil, lo, hi)
        inner = (slice(None), slice(None)) + tuple(slice(lo[i], lo[i] + S[i]) for i in range(nd))
        if _wide_ok(K, Q, stride, Sp):
            self._init_wide(xp, b, C, dtype, K, Q, dil, Sp, inner)
            return
        self.padded = any(lo) or tuple(Sp) != tuple(S)
        if self.padded:
            self.xpad = xp.zeros((b, C) + Sp, dtype)
            self.interior = self.xpad[inner]
            src = self.xpad
        else:
            self.xpad = None
            src = None
        self._alloc_cols(xp, b, C, tuple(K), tuple(Q), dtype)
        self.win = _windows(xp, src, tuple(K), tuple(Q), stride, dil) if src is not None \
            else None
        self.K, self.Q, self.stride, self.dil = tuple(K), tuple(Q), stride, dil

    def _init_wide(self, xp, b, C, dtype, K, Q, dil, Sp, inner):
        """Stride-1 2-D: compute every output row over the full padded width, so each tap of
        im2col is one contiguous run of ``Q0 * Wp`` elements (a fast copy); the ``Wp - Q1``
        extra columns per row are cropped from the output (or zero in the gradient)."""
        self.wide = True
        Wp = Sp[1]
        self.Lw = Q[0] * Wp
        self.Q, self.Wp = tuple(Q), Wp
        slack = dil[1] * (K[1] - 1)
        flat = xp.zeros((b, C, Sp[0] * Wp + slack), dtype)
        self.padded = True
        self.interior = flat[:, :, :Sp[0] * Wp].reshape((b, C) + Sp)[inner]
        it = flat.itemsize
        st = flat.strides
        self.win = xp.lib.stride_tricks.as_strided(
            flat, (b, C, K[0], K[1], self.Lw), (st[0], st[1], dil[0] * Wp * it, dil[1] * it, it),
            writeable=False)
        self.cols_shape = (b, self.G, C // self.G * K[0] * K[1], self.Lw)
        self._alloc_cols(xp, b, C, tuple(K), (self.Lw,), dtype)
        self.flat = flat
        self.Sp, self.inner = Sp, inner
        self.offsets = [k0 * dil[0] * Wp + k1 * dil[1] for k0 in range(K[0]) for k1 in range(K[1])]
        self._gbuf = {}

    def col2im(self, xp, wTt, gsrc, slot, gx):
        """Data gradient of the wide layout: ``gx`` (b, C, *S) = col2im(W^T @ g).

        ``wTt`` is W^T with its rows in (tap, channel) order, so the GEMM leaves each tap's
        rows for all channels of a group side by side; they are written with a row stride
        ``R`` (the flat padded image, columns past ``Lw`` kept zero), and col2im is one
        contiguous shifted add per tap over the whole chunk (what the zero and extra columns
        add is zero)."""
        b, G = gsrc.shape[:2]
        Kp = len(self.offsets)
        Cg = wTt.shape[1] // Kp
        C = G * Cg
        R = self.flat.shape[2]
        Lw = self.Lw
        dcols = _ws(xp, slot, "c2iR", (b, G, Kp * Cg, R), gx.dtype, zero=True)
        xp.matmul(wTt, gsrc, out=dcols[..., :Lw])
        dt = dcols.reshape(b, G, Kp, Cg * R)
        CR = C * R
        acc = _ws(xp, slot, "c2iacc", (b, CR + self.offsets[-1]), gx.dtype)
        acc[:, :CR].reshape(b, G, Cg * R)[...] = dt[:, :, 0]     # offsets[0] == 0
        acc[:, CR:] = 0
        for t in range(1, Kp):
            o = self.offsets[t]
            a = acc[:, o:o + CR].reshape(b, G, Cg * R)
            xp.add(a, dt[:, :, t], out=a)
        n = self.Sp[0] * self.Wp
        gx[...] = acc[:, :CR].reshape(b, C, R)[:, :, :n].reshape((b, C) + self.Sp)[self.inner]

    def _alloc_cols(self, xp, b, C, K, Q, dtype):
        """The im2col buffer; ungrouped, it has one more row of ones per image (``cols1``),
        so a forward with bias takes it in the GEMM as one more weight column."""
        CK, L = C * _prod(K), _prod(Q)
        if self.G == 1:
            buf = xp.empty((b, CK + 1, L), dtype)
            buf[:, CK] = 1
            self.cols1 = buf.reshape(b, 1, CK + 1, L)
            self.cols = buf[:, :CK].reshape((b, C) + K + Q)
        else:
            self.cols1 = None
            self.cols = xp.empty((b, C) + K + Q, dtype)
        self.cols4 = self.cols.reshape(self.cols_shape)

    def crop(self, a):
        """(b, X, Q0 * Wp) computed over wide rows -> the (b, X, Q0, Q1) view of valid outputs."""
        return a.reshape(a.shape[:2] + (self.Q[0], self.Wp))[..., :self.Q[1]]

    def widen(self, xp, g):
        """(b, O, Q0, Q1) output gradient -> (b, G, O/G, Q0 * Wp), zero in the extra columns."""
        buf = self._gbuf.get(g.shape[1])
        if buf is None:
            buf = self._gbuf[g.shape[1]] = xp.zeros(g.shape[:2] + (self.Q[0], self.Wp), g.dtype)
        buf[..., :self.Q[1]] = g
        return buf.reshape(g.shape[0], self.G, g.shape[1] // self.G, self.Lw)

    def __call__(self, xp, xs):
        """im2col of the chunk ``xs`` (b, C, *S) -> (b, G, C/G*prod(K), prod(Q)), or
        (..., Q0 * Wp) in the wide layout."""
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
    out = _pooled(xp, (N, O) + tuple(Q), x.dtype)
    if N == 0 or out.size == 0:
        if bias is not None:
            out[...] = 0
        return out if bias is None else out + bias.reshape((O,) + (1,) * len(Q))
    w3 = _contig(xp, w).reshape(G, O // G, -1)
    b2 = bias.reshape(O, 1) if bias is not None else None
    # the bias as one more weight column, against the ones row of the im2col buffer
    w3b = xp.concatenate([w3, b2.astype(w3.dtype).reshape(1, O, 1)], axis=2) \
        if b2 is not None and G == 1 else None
    ckl = C * _prod(K) * L
    cb = _chunk(ckl * x.itemsize, N)

    def run(slot, chunks):
        slot = threading.get_ident()
        for c0, c1 in chunks:
            plan = _Im2col.get(xp, slot, (c1 - c0, C) + S, x.dtype, K, Q, geo.stride,
                               geo.dilation, geo.lo, geo.hi, G)
            cols = plan(xp, x[c0:c1])
            wm, add_bias = w3, b2 is not None
            if add_bias and plan.cols1 is not None:
                cols, wm, add_bias = plan.cols1, w3b, False
            if plan.wide:
                ow = _ws(xp, slot, "ow", (c1 - c0, G, O // G, plan.Lw), x.dtype)
                xp.matmul(wm, cols, out=ow)
                out[c0:c1] = plan.crop(ow.reshape(c1 - c0, O, plan.Lw))
            else:
                xp.matmul(wm, cols, out=out[c0:c1].reshape(c1 - c0, G, O // G, L))
            if add_bias:
                o3 = out[c0:c1].reshape(c1 - c0, O, L)
                o3 += b2

    _parallel(N, cb, run, 2.0 * ckl * O / G * N)
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


def conv_backward_arrays(xp, x, w, g, geo, S, need_x, need_w, wshape=None):
    """Data gradient (shape (N, C, *S)) and weight gradient of a convolution, one pass over
    the batch; ``x`` may be None when only the data gradient is wanted, ``w`` None (with its
    ``wshape``) when only the weight gradient is."""
    g = _contig(xp, g)
    N, O = g.shape[:2]
    Q = tuple(g.shape[2:])
    wshape = tuple(w.shape) if w is not None else tuple(wshape)
    K = wshape[2:]
    G = geo.groups
    Og = O // G
    C = wshape[1] * G
    Cg = C // G
    Kp = _prod(K)
    L = _prod(Q)
    nd = len(K)
    S = tuple(S)
    dtype = g.dtype
    gx = _pooled(xp, (N, C) + S, dtype) if need_x else None
    if need_x and (N == 0 or gx.size == 0):
        gx[...] = 0
        need_x = False
    if need_w:
        x = _contig(xp, x)
    if need_x:
        w = _contig(xp, w)
    wide = need_x and _wide_ok(K, Q, geo.stride,
                               _padded_size(S, K, Q, geo.stride, geo.dilation, geo.lo, geo.hi))
    flip = need_x and not wide and _dgrad_flip_ok(geo, K, S, Q) and Cg >= 4
    if wide:
        # dX = col2im(W^T @ g) in the wide layout: contiguous shifted adds, no scatter
        wTt = xp.ascontiguousarray(w.reshape(G, Og, Cg, Kp).transpose(0, 3, 2, 1))
        wTt = wTt.reshape(G, Kp * Cg, Og)
    elif flip:
        # dX = conv(pad(g), flip(W) with in/out channels swapped), stride 1
        wf = w.reshape((G, Og, Cg) + K)[(slice(None),) * 3 + (slice(None, None, -1),) * nd]
        wf = xp.ascontiguousarray(wf.swapaxes(1, 2)).reshape(G, Cg, Og * Kp)
        lo2 = tuple(geo.dilation[i] * (K[i] - 1) - geo.lo[i] for i in range(nd))
        hi2 = tuple(S[i] + geo.lo[i] - Q[i] for i in range(nd))
        LS = _prod(S)
    elif need_x:
        wT = xp.ascontiguousarray(w.reshape(G, Og, Cg * Kp).swapaxes(1, 2))
        Sp = tuple(max(S[i] + geo.lo[i] + geo.hi[i],
                       geo.dilation[i] * (K[i] - 1) + geo.stride[i] * (Q[i] - 1) + 1)
                   for i in range(nd))
        taps = [tuple(slice(k[i] * geo.dilation[i],
                            k[i] * geo.dilation[i] + geo.stride[i] * (Q[i] - 1) + 1,
                            geo.stride[i]) for i in range(nd)) for k in _product(*map(range, K))]
        inner = tuple(slice(geo.lo[i], geo.lo[i] + S[i]) for i in range(nd))
        direct_out = Sp == S
    ckl = C * Kp * L
    cb = _chunk(ckl * dtype.itemsize, N)

    def run(slot, chunks):
        slot = threading.get_ident()
        gw = None
        for c0, c1 in chunks:
            b = c1 - c0
            g4 = g[c0:c1].reshape(b, G, Og, L)
            if need_w or wide:
                plan = _Im2col.get(xp, slot, (b, C) + S, dtype, K, Q, geo.stride,
                                   geo.dilation, geo.lo, geo.hi, G)
                gsrc = plan.widen(xp, g[c0:c1]) if plan.wide else g4
            if need_w:
                cols = plan(xp, x[c0:c1])
                # dW^T = im2col(x) @ g^T per image (this operand order is ~25% faster in
                # OpenBLAS than g @ im2col(x)^T), accumulated as (G, Cg*K, Og)
                tmp = _ws(xp, slot, "wg", (G, Cg * Kp, Og), dtype)
                for i in range(b):
                    if gw is None:
                        gw = xp.matmul(cols[i], gsrc[i].swapaxes(-1, -2))
                    else:
                        xp.matmul(cols[i], gsrc[i].swapaxes(-1, -2), out=tmp)
                        gw += tmp
            if wide:
                plan.col2im(xp, wTt, gsrc, slot, gx[c0:c1])
            elif flip:
                plan = _Im2col.get(xp, slot, (b, O) + Q, dtype, K, S, (1,) * nd,
                                   geo.dilation, lo2, hi2, G)
                gcols = plan(xp, g[c0:c1])
                if plan.wide:
                    tw = _ws(xp, slot, "dxw", (b, G, Cg, plan.Lw), dtype)
                    xp.matmul(wf, gcols, out=tw)
                    gx[c0:c1] = plan.crop(tw.reshape(b, C, plan.Lw))
                else:
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

    parts = _parallel(N, cb, run, 2.0 * ckl * Og * N * (int(need_x) + int(need_w)))
    gw = None
    if need_w:
        parts = [p for p in parts if p is not None]
        if parts:
            gw = parts[0]
            for p in parts[1:]:
                gw += p
            gw = xp.ascontiguousarray(gw.swapaxes(1, 2)).reshape(wshape)
        else:
            gw = xp.zeros(wshape, dtype)
    return gx, gw


# ------------------------------------------------------------------ Functions
def _bias_grad(xp, g):
    """Sum over all dims but the channels: on arrays a product with a ones vector (a GEMV
    over contiguous rows, ~3x faster than NumPy's multi-axis sum), on Tensors a sum."""
    if isinstance(g, Tensor):
        return g.sum(axis=(0,) + tuple(range(2, g.ndim)))
    N, O = g.shape[:2]
    L = _prod(g.shape[2:])
    return xp.matmul(g.reshape(N * O, L), xp.ones(L, g.dtype)).reshape(N, O).sum(axis=0)


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
        gb = _bias_grad(ctx.xp, g) if need_b else None
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
        gb = _bias_grad(ctx.xp, h) if need_b else None
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
        _, gw = conv_backward_arrays(ctx.xp, x, None, g, geo, x.shape[2:], False, True,
                                     wshape)
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


# ------------------------------------------------------------------ argument handling
def _tuple(v, nd, name):
    if isinstance(v, (tuple, list)):
        v = tuple(int(i) for i in v)
        if len(v) == 1 and nd != 1:
            return v * nd
        if len(v) != nd:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}")
        return v
    return (int(v),) * nd


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_float(x, w, b, name):
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_tname(x)} but found {_tname(w)}")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_tname(x)} but found {_tname(b)}")
    if not x.dtype.is_floating_point:
        raise RuntimeError(f'"{name}" not implemented for \'{_tname(x)}\'')


def _tname(t):
    from ._util import type_name
    return type_name(t._data.dtype)


def _batchify(input, nd, name):
    if input.ndim == nd + 2:
        return input, False
    if input.ndim == nd + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                       f"but got input of size: {_shape_str(input.shape)}")


def _check_common(nd, stride, dilation, groups):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _half_wrap(fn, input, weight, bias, *args):
    """float16/bfloat16 compute in float32 (as the CPU kernels do internally)."""
    if input.dtype is _dt.float16:
        dt = input.dtype
        out = fn(input.float(), weight.float(), None if bias is None else bias.float(), *args)
        return out.to(dt)
    return None


def _conv(nd, input, weight, bias, stride, padding, dilation, groups):
    name = f"conv{nd}d"
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{name}() argument 'input' and 'weight' must be Tensor")
    if weight.ndim != nd + 2:
        raise RuntimeError("weight should have at least three dimensions" if weight.ndim < 3
                           else f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
                           f"input, but got {weight.ndim}-dimensional weight of size "
                           f"{_shape_str(weight.shape)}")
    x, unbatched = _batchify(input, nd, name)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    groups = int(groups)
    _check_common(nd, stride, dilation, groups)
    K = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            tot = [dilation[i] * (K[i] - 1) for i in range(nd)]
            lo = tuple(t // 2 for t in tot)
            hi = tuple(t - t // 2 for t in tot)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lo = hi = _tuple(padding, nd, "padding")
        if any(p < 0 for p in lo):
            raise RuntimeError("negative padding is not supported")
    O = weight.shape[0]
    C = x.shape[1]
    if O % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size "
                           f"[{_shape_str(weight.shape)}] instead")
    if C != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(weight.shape)}, "
                           f"expected input{_shape_str(x.shape)} to have "
                           f"{weight.shape[1] * groups} channels, but got {C} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != O):
        raise RuntimeError(f"Given weight of size {_shape_str(weight.shape)}, expected bias to "
                           f"be 1-dimensional with {O} elements, but got bias of size "
                           f"{_shape_str(bias.shape)} instead")
    S = x.shape[2:]
    padded = [S[i] + lo[i] + hi[i] for i in range(nd)]
    eff = [dilation[i] * (K[i] - 1) + 1 for i in range(nd)]
    if any(padded[i] < eff[i] for i in range(nd)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           f"actual input size")
    half = _half_wrap(lambda a, b, c: _conv(nd, a, b, c, stride, padding, dilation, groups),
                      x, weight, bias)
    if half is not None:
        out = half
    else:
        _check_float(x, weight, bias, f"slow_conv{nd}d_cpu")
        out = ConvNd.apply(x, weight, bias, _Geo(stride, dilation, lo, hi, groups))
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""Applies a 1D convolution over an input signal composed of several input planes.

    Args:
        input: input tensor of shape :math:`(\text{minibatch} , \text{in\_channels} , iW)`
        weight: filters of shape :math:`(\text{out\_channels} ,
            \frac{\text{in\_channels}}{\text{groups}} , kW)`
        bias: optional bias of shape :math:`(\text{out\_channels})`. Default: ``None``
        stride: the stride of the convolving kernel. Can be a single number or a one-element
            tuple `(sW,)`. Default: 1
        padding: implicit paddings on both sides of the input. Can be a string {'valid',
            'same'}, single number or a one-element tuple `(padW,)`. Default: 0
        dilation: the spacing between kernel elements. Default: 1
        groups: split input into groups, :math:`\text{in\_channels}` should be divisible by
            the number of groups. Default: 1
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""Applies a 2D convolution over an input image composed of several input planes.

    Args:
        input: input tensor of shape :math:`(\text{minibatch} , \text{in\_channels} , iH , iW)`
        weight: filters of shape :math:`(\text{out\_channels} ,
            \frac{\text{in\_channels}}{\text{groups}} , kH , kW)`
        bias: optional bias tensor of shape :math:`(\text{out\_channels})`. Default: ``None``
        stride: the stride of the convolving kernel. Can be a single number or a tuple
            `(sH, sW)`. Default: 1
        padding: implicit paddings on both sides of the input. Can be a string {'valid',
            'same'}, single number or a tuple `(padH, padW)`. Default: 0
        dilation: the spacing between kernel elements. Default: 1
        groups: split input into groups, both :math:`\text{in\_channels}` and
            :math:`\text{out\_channels}` should be divisible by the number of groups. Default: 1

    Examples::

        >>> filters = ember.randn(8, 4, 3, 3)
        >>> inputs = ember.randn(1, 4, 5, 5)
        >>> F.conv2d(inputs, filters, padding=1).shape
        ember.Size([1, 8, 5, 5])
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    r"""Applies a 3D convolution over an input image composed of several input planes.

    Args:
        input: input tensor of shape :math:`(\text{minibatch} , \text{in\_channels} , iT , iH ,
            iW)`
        weight: filters of shape :math:`(\text{out\_channels} ,
            \frac{\text{in\_channels}}{\text{groups}} , kT , kH , kW)`
        bias: optional bias tensor of shape :math:`(\text{out\_channels})`. Default: None
        stride, padding, dilation, groups: as in :func:`conv2d`, with three spatial dims.
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(nd, input, weight, bias, stride, padding, output_padding, groups, dilation,
                    output_size=None):
    name = f"conv_transpose{nd}d"
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional "
                           f"input, but got {weight.ndim}-dimensional weight of size "
                           f"{_shape_str(weight.shape)}")
    x, unbatched = _batchify(input, nd, name)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    pad = _tuple(padding, nd, "padding")
    opad = _tuple(output_padding, nd, "output_padding")
    groups = int(groups)
    _check_common(nd, stride, dilation, groups)
    if any(p < 0 for p in pad):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in opad):
        raise RuntimeError("negative output_padding is not supported")
    if any(opad[i] >= stride[i] and opad[i] >= dilation[i] for i in range(nd)):
        hw = ["height", "width"] if nd == 2 else (["width"] if nd == 1
                                                  else ["depth", "height", "width"])
        parts = " ".join(f"output_padding_{hw[i]}: {opad[i]}" for i in range(nd)) + " " + \
            " ".join(f"stride_{hw[i]}: {stride[i]}" for i in range(nd)) + " " + \
            " ".join(f"dilation_{hw[i]}: {dilation[i]}" for i in range(nd))
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got {parts}")
    C = x.shape[1]
    if C != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(weight.shape)}, "
                           f"expected input{_shape_str(x.shape)} to have {weight.shape[0]} "
                           f"channels, but got {C} channels instead")
    if C % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size "
                           f"[{_shape_str(weight.shape)}] instead")
    O = weight.shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != O):
        raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(weight.shape)}, "
                           f"expected bias to be 1-dimensional with {O} elements, but got bias "
                           f"of size {_shape_str(bias.shape)} instead")
    K = tuple(weight.shape[2:])
    Q = x.shape[2:]
    S = tuple((Q[i] - 1) * stride[i] - 2 * pad[i] + dilation[i] * (K[i] - 1) + opad[i] + 1
              for i in range(nd))
    if any(s <= 0 for s in S):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, Q))}). "
                           f"Calculated output size per channel: ({' x '.join(map(str, S))}). "
                           "Output size is too small")
    half = _half_wrap(lambda a, b, c: _conv_transpose(nd, a, b, c, stride, pad, opad, groups,
                                                      dilation), x, weight, bias)
    if half is not None:
        out = half
    else:
        _check_float(x, weight, bias, f"slow_conv_transpose{nd}d_cpu")
        out = ConvTransposeNd.apply(x, weight, bias, _Geo(stride, dilation, pad, pad, groups), S)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    r"""Applies a 1D transposed convolution operator over an input signal composed of several
    input planes, sometimes also called "deconvolution".

    Args:
        input: input tensor of shape :math:`(\text{minibatch} , \text{in\_channels} , iW)`
        weight: filters of shape :math:`(\text{in\_channels} ,
            \frac{\text{out\_channels}}{\text{groups}} , kW)`
        bias: optional bias of shape :math:`(\text{out\_channels})`. Default: None
        stride: the stride of the convolving kernel. Default: 1
        padding: ``dilation * (kernel_size - 1) - padding`` zero-padding will be added to both
            sides of each dimension in the input. Default: 0
        output_padding: additional size added to one side of each dimension in the output
            shape. Default: 0
        groups: split input into groups. Default: 1
        dilation: the spacing between kernel elements. Default: 1
    """
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    r"""Applies a 2D transposed convolution operator over an input image composed of several
    input planes, sometimes also called "deconvolution".

    Args:
        input: input tensor of shape :math:`(\text{minibatch} , \text{in\_channels} , iH , iW)`
        weight: filters of shape :math:`(\text{in\_channels} ,
            \frac{\text{out\_channels}}{\text{groups}} , kH , kW)`
        bias: optional bias of shape :math:`(\text{out\_channels})`. Default: None
        stride, padding, output_padding, groups, dilation: as in :func:`conv_transpose1d`,
            each a single number or a tuple ``(h, w)``.
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    r"""Applies a 3D transposed convolution operator over an input image composed of several
    input planes, sometimes also called "deconvolution"."""
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


# ------------------------------------------------------------------ names that moved out
def __getattr__(name):
    """unfold/fold and pad moved to fold.py and vision.py; they stay importable from here."""
    if not name.startswith("__"):
        for mod in ("fold", "vision"):
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
