"""Pooling kernels and their functional forms: max/avg/adaptive/lp pooling, max_unpool.
(interpolate, pixel_shuffle, grid_sample and the other resampling ops are in vision.py.)

Max- and average-pooling run as one pass of ``maximum``/``add`` per kernel tap over strided
views of the (padded) input -- far cheaper than an unrolled window. Max-pool backward
recomputes the maximum and routes the gradient to the first maximum of each window (torch's
tie rule) with one masked strided add per tap; no scatter. Resampling that is linear in the
input (adaptive average pooling, interpolation) is a product with a small per-axis matrix, so
every derivative, the second included, comes from ``matmul``.
"""
from __future__ import annotations

import importlib
import threading

from ..autograd.function import Function
from ..backend import get_xp
from ..backend.pool import empty as _pooled
from ..backend.threads import parallel as _parallel
from .conv import _prod, _shape_str, _ws

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "lp_pool1d", "lp_pool2d"]

_POOL_CHUNK = 1 << 20   # bytes of input per chunk of the batch (temporaries stay in cache)
_ALL2 = (slice(None), slice(None))


# ------------------------------------------------------------------ geometry
class _Pool(tuple):
    """(K, stride, padding, dilation, S, Q, hi): kernel, stride, low padding, dilation, input
    and output spatial sizes, and the high padding the last window needs."""
    __slots__ = ()
    K = property(lambda s: s[0])
    stride = property(lambda s: s[1])
    pad = property(lambda s: s[2])
    dil = property(lambda s: s[3])
    S = property(lambda s: s[4])
    Q = property(lambda s: s[5])
    hi = property(lambda s: s[6])

    def taps(self):
        from itertools import product
        nd = len(self.K)
        for k in product(*map(range, self.K)):
            yield k, _ALL2 + tuple(slice(k[i] * self.dil[i],
                                         k[i] * self.dil[i] + self.stride[i] * (self.Q[i] - 1) + 1,
                                         self.stride[i]) for i in range(nd))

    @property
    def padded(self):
        return any(self.pad) or any(self.hi)

    @property
    def tiles(self):
        """Windows tile the input exactly: every input element lies in exactly one window."""
        return not self.padded and all(
            self.K[i] == self.stride[i] and (self.dil[i] == 1 or self.K[i] == 1) and
            self.Q[i] * self.K[i] == self.S[i] for i in range(len(self.K)))

    def inner(self):
        return _ALL2 + tuple(slice(self.pad[i], self.pad[i] + self.S[i])
                             for i in range(len(self.S)))


def _pool_out(S, K, s, p, d, ceil):
    num = S + 2 * p - d * (K - 1) - 1 + (s - 1 if ceil else 0)
    q = num // s + 1
    if ceil and (q - 1) * s >= S + p:
        q -= 1
    return q


def _geometry(name, x, nd, kernel_size, stride, padding, dilation, ceil_mode):
    def tup(v, what):
        if isinstance(v, (tuple, list)):
            v = tuple(int(i) for i in v)
            if len(v) == 1:
                return v * nd
            if len(v) != nd:
                raise RuntimeError(f"{name}: {what} must either be a single int, or a tuple of "
                                   f"{nd} ints")
            return v
        return (int(v),) * nd
    K = tup(kernel_size, "kernel_size")
    s = K if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) \
        else tup(stride, "stride")
    p = tup(padding, "padding")
    d = tup(dilation, "dilation")
    if any(k <= 0 for k in K):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got {K}")
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v < 0 for v in s):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got {s}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got {d}")
    for i in range(nd):
        if p[i] < 0:
            raise RuntimeError(f"{name}: pad must be non-negative, but got pad: {p[i]}")
        if p[i] > (d[i] * (K[i] - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p[i]}, kernel_size={K[i]} and dilation={d[i]}")
    S = tuple(x.shape[-nd:])
    Q = tuple(_pool_out(S[i], K[i], s[i], p[i], d[i], ceil_mode) for i in range(nd))
    if any(q <= 0 for q in Q):
        C = x.shape[-nd - 1] if x.ndim > nd else 1
        raise RuntimeError(f"Given input size: ({C}x{'x'.join(map(str, S))}). Calculated "
                           f"output size: ({C}x{'x'.join(map(str, Q))}). Output size is too small")
    hi = tuple(max(0, (Q[i] - 1) * s[i] + d[i] * (K[i] - 1) + 1 - S[i] - p[i]) for i in range(nd))
    return tuple.__new__(_Pool, (K, s, p, d, S, Q, hi))


def _to4(x, nd):
    """(N, C, *S) view of an input with or without the batch dim."""
    if x.ndim == nd + 1:
        return x.unsqueeze(0), True
    return x, False


def _fill_min(dtype):
    if dtype.kind == "f":
        return -float("inf")
    import numpy
    return numpy.iinfo(dtype).min


def _padded_view(xp, slot, xs, geo, fill):
    """The chunk ``xs`` inside a reusable workspace bordered with ``fill``."""
    if not geo.padded:
        return xs
    shape = xs.shape[:2] + tuple(geo.S[i] + geo.pad[i] + max(geo.hi[i], geo.pad[i])
                                 for i in range(len(geo.S)))
    key = (slot, fill, shape, xs.dtype, geo.pad)   # the border must stay at fill
    buf = _WSF.get(key)
    if buf is None:
        if len(_WSF) > 32:
            _WSF.clear()
        buf = _WSF[key] = xp.full(shape, fill, xs.dtype)
    buf[geo.inner()] = xs
    return buf


_WSF = {}


def _chunks(N, per_image_bytes):
    return max(1, _POOL_CHUNK // max(1, per_image_bytes)) if N else 1


# ------------------------------------------------------------------ max pooling
def _max_forward(xp, x, geo, want_idx):
    N, C = x.shape[:2]
    out = xp.empty((N, C) + geo.Q, x.dtype)
    idx = xp.empty((N, C) + geo.Q, xp.int64) if want_idx else None
    if N * C == 0:
        return out, idx
    fill = _fill_min(x.dtype)
    cb = _chunks(N, x[0].nbytes)
    taps = list(geo.taps())
    pos = _tap_positions(xp, geo) if want_idx else None

    def run(slot, chunks):
        slot = threading.get_ident()
        for c0, c1 in chunks:
            xpad = _padded_view(xp, slot, x[c0:c1], geo, fill)
            o = out[c0:c1]
            o[...] = xpad[taps[0][1]]
            for _, sl in taps[1:]:
                xp.maximum(o, xpad[sl], out=o)
            if want_idx:
                _first_max(xp, xpad, o, taps, idx[c0:c1], pos)

    _parallel(N, cb, run, 8.0 * out.size * len(taps), blas=False)
    return out, idx


def _is_2x2(geo, x):
    """2x2 windows with stride 2 tiling the input: the two-stage kernels below apply."""
    return geo.K == (2, 2) and geo.tiles and x.flags.c_contiguous


def _max2x2_forward(xp, x, want_sel):
    """2x2/2 max-pool in two passes over contiguous data: the max of each column pair (one
    strided ufunc call over the whole chunk), then of each row pair. With ``want_sel`` also
    the choices, for backward: ``csel`` (N, C, H, W/2) is True where the right column wins,
    ``rsel`` (N, C, H/2, W/2) where the bottom row does -- strict comparisons, so a tie goes
    to the first element in window order as in torch."""
    N, C, H, W = x.shape
    Q0, Q1 = H // 2, W // 2
    out = _pooled(xp, (N, C, Q0, Q1), x.dtype)
    csel = _pooled(xp, (N, C, H, Q1), bool) if want_sel else None
    rsel = _pooled(xp, (N, C, Q0, Q1), bool) if want_sel else None
    if out.size == 0:
        return out, csel, rsel
    cb = _chunks(N, x[0].nbytes)

    def run(slot, chunks):
        slot = threading.get_ident()
        for c0, c1 in chunks:
            r = (c1 - c0) * C * Q0
            x2 = x[c0:c1].reshape(2 * r, Q1, 2)
            cm = _ws(xp, slot, "pcm", (r, 2, Q1), x.dtype)
            xp.maximum(x2[..., 0], x2[..., 1], out=cm.reshape(2 * r, Q1))
            xp.maximum(cm[:, 0], cm[:, 1], out=out[c0:c1].reshape(r, Q1))
            if want_sel:
                xp.greater(x2[..., 1], x2[..., 0], out=csel[c0:c1].reshape(2 * r, Q1))
                xp.greater(cm[:, 1], cm[:, 0], out=rsel[c0:c1].reshape(r, Q1))

    _parallel(N, cb, run, 16.0 * x.size, blas=False)
    if want_sel and x.dtype.kind == "f" and out.sum() != out.sum():
        # a NaN wins its window (torch: the last NaN in window order): rare, so redone whole
        x2 = x.reshape(-1, Q1, 2)
        c2 = csel.reshape(-1, Q1)
        c2 |= xp.isnan(x2[..., 1])
        cm = xp.maximum(x2[..., 0], x2[..., 1]).reshape(-1, 2, Q1)
        r2 = rsel.reshape(-1, Q1)
        xp.greater(cm[:, 1], cm[:, 0], out=r2)
        r2 |= xp.isnan(cm[:, 1])
    return out, csel, rsel


def _max2x2_backward(xp, g, csel, rsel, xshape):
    """Route ``g`` through the saved row and column choices: four products with masks, the
    gradient written in two strided passes (even and odd columns)."""
    N, C, H, W = xshape
    Q1 = W // 2
    gx = _pooled(xp, xshape, g.dtype)
    if gx.size == 0:
        return gx
    g = g if g.flags.c_contiguous else xp.ascontiguousarray(g)
    cb = _chunks(N, gx[0].nbytes)

    def run(slot, chunks):
        slot = threading.get_ident()
        for c0, c1 in chunks:
            r = (c1 - c0) * C * (H // 2)
            g2 = g[c0:c1].reshape(r, Q1)
            rg = _ws(xp, slot, "prg", (r, 2, Q1), g.dtype)
            nm = _ws(xp, slot, "pnm", (2 * r, Q1), bool)
            rs = rsel[c0:c1].reshape(r, Q1)
            xp.multiply(g2, rs, out=rg[:, 1])
            xp.logical_not(rs, out=nm[:r])
            xp.multiply(g2, nm[:r], out=rg[:, 0])
            rg2 = rg.reshape(2 * r, Q1)
            cs = csel[c0:c1].reshape(2 * r, Q1)
            gx3 = gx[c0:c1].reshape(2 * r, Q1, 2)
            xp.multiply(rg2, cs, out=gx3[..., 1])
            xp.logical_not(cs, out=nm)
            xp.multiply(rg2, nm, out=gx3[..., 0])

    _parallel(N, cb, run, 16.0 * gx.size, blas=False)
    return gx


def _sel_to_idx(xp, csel, rsel, xshape):
    """The flat spatial index (torch's ``return_indices``) of the chosen element of each
    window, from the 2x2 kernel's row and column choices."""
    N, C, H, W = xshape
    Q0, Q1 = H // 2, W // 2
    r = rsel.astype(xp.int64)
    rows = 2 * xp.arange(Q0).reshape(Q0, 1) + r
    c = xp.where(rsel, csel[:, :, 1::2], csel[:, :, 0::2]).astype(xp.int64)
    return rows * W + 2 * xp.arange(Q1) + c


def _tap_positions(xp, geo):
    """For each tap, the flat input index (over the spatial dims) each output reads."""
    nd = len(geo.S)
    out = []
    for k, _ in geo.taps():
        flat = 0
        for i in range(nd):
            c = xp.arange(geo.Q[i]) * geo.stride[i] - geo.pad[i] + k[i] * geo.dil[i]
            flat = flat * geo.S[i] + c.reshape((-1,) + (1,) * (nd - 1 - i))
        out.append(flat)
    return out


def _first_max(xp, xpad, o, taps, idx, pos):
    taken = None
    for t, (_, sl) in enumerate(taps):
        m = xpad[sl] == o
        if o.dtype.kind == "f":
            m |= xp.isnan(xpad[sl]) & xp.isnan(o)
        if taken is None:
            taken = m
        else:
            m &= ~taken
            taken |= m
        idx[...] = xp.where(m, pos[t], idx) if t else pos[t]


def _max_backward(xp, x, g, geo):
    """Route ``g`` to the first maximum of each window (recomputed, no scatter)."""
    N, C = x.shape[:2]
    gx = xp.empty(x.shape, g.dtype) if geo.tiles else xp.zeros(x.shape, g.dtype)
    if N * C == 0:
        return gx
    fill = _fill_min(x.dtype)
    taps = list(geo.taps())
    cb = _chunks(N, x[0].nbytes)
    tiles = geo.tiles

    def run(slot, chunks):
        slot = threading.get_ident()
        for c0, c1 in chunks:
            xpad = _padded_view(xp, slot, x[c0:c1], geo, fill)
            shape = (c1 - c0, C) + geo.Q
            o = _ws(xp, slot, "mo", shape, x.dtype)
            o[...] = xpad[taps[0][1]]
            for _, sl in taps[1:]:
                xp.maximum(o, xpad[sl], out=o)
            gs = g[c0:c1]
            if tiles:
                dst = gx[c0:c1]
            elif geo.padded:
                dst = _ws(xp, slot, "mgp", xpad.shape, g.dtype)
                dst[...] = 0
            else:
                dst = gx[c0:c1]
            m = _ws(xp, slot, "mm", shape, bool)
            taken = _ws(xp, slot, "mt", shape, bool)
            last = len(taps) - 1
            for t, (_, sl) in enumerate(taps):
                xp.equal(xpad[sl], o, out=m)
                if t == 0:
                    if last:
                        taken[...] = m
                else:
                    xp.greater(m, taken, out=m)
                    if t < last:
                        taken |= m
                if tiles:
                    xp.multiply(gs, m, out=dst[sl])
                else:
                    dst[sl] += gs * m
            if geo.padded and not tiles:
                gx[c0:c1] = dst[geo.inner()]

    _parallel(N, cb, run, 8.0 * g.size * len(taps), blas=False)
    return gx


def _scatter_flat(xp, g, idx, S):
    """Sum ``g`` into a (N, C, *S) array at the flat spatial indices ``idx`` (duplicates add)."""
    N, C = g.shape[:2]
    P = _prod(S)
    lin = (xp.arange(N * C).reshape(N * C, 1) * P + idx.reshape(N * C, -1)).ravel()
    out = xp.bincount(lin, weights=g.reshape(-1).astype(xp.float64), minlength=N * C * P)
    return out.astype(g.dtype).reshape((N, C) + tuple(S))


def _scatter_flat_graph(g, idx, S):
    """The same scatter with ember ops (differentiable: its gradient is a gather)."""
    import ember
    N, C = g.shape[:2]
    z = ember.zeros((N, C, _prod(S)), dtype=g.dtype)
    i = ember.from_numpy(idx.reshape(N, C, -1))
    return z.scatter_add(2, i, g.reshape(N, C, -1)).reshape((N, C) + tuple(S))


class MaxPoolNd(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, geo, want_idx):
        ctx.geo = geo
        ctx.xshape = x.shape
        xp = ctx.xp
        if _is_2x2(geo, x):
            # backward needs only the choices: the input is not kept alive for it
            out, csel, rsel = _max2x2_forward(xp, x, want_idx or bool(ctx._edges))
            ctx.sel = csel, rsel
            idx = _sel_to_idx(xp, csel, rsel, x.shape) if want_idx else None
        else:
            ctx.save_for_backward(x)
            out, idx = _max_forward(xp, x, geo, want_idx)
        if want_idx:
            ctx.idx = idx
            ctx.mark_non_differentiable(idx)
            return out, idx
        return out

    @staticmethod
    def backward(ctx, g, *rest):
        geo = ctx.geo
        sel = getattr(ctx, "sel", None)
        if ctx.create_graph:
            idx = getattr(ctx, "idx", None)
            if idx is None:
                if sel is not None:
                    idx = _sel_to_idx(get_xp(sel[0]), *sel, ctx.xshape)
                else:
                    xa = ctx.saved_tensors[0]._data
                    idx = _max_forward(get_xp(xa), xa, geo, True)[1]
            return _scatter_flat_graph(g, idx, geo.S), None, None
        if sel is not None:
            return _max2x2_backward(ctx.xp, g, *sel, ctx.xshape), None, None
        x, = ctx.saved_tensors
        return _max_backward(ctx.xp, x, g, geo), None, None


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    name = f"max_pool{nd}d"
    if input.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[-nd - 1:][1:]) or \
            (input.ndim == nd + 1 and input.shape[0] == 0):
        if nd == 1:
            raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional "
                               f"0 dim batch size for input, but got:{_shape_str(input.shape)}")
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           f"input")
    geo = _geometry(name, input, nd, kernel_size, stride, padding, dilation, ceil_mode)
    x, unb = _to4(input, nd)
    res = MaxPoolNd.apply(x, geo, bool(return_indices))
    if return_indices:
        out, idx = res
        return (out.squeeze(0), idx.squeeze(0)) if unb else (out, idx)
    return res.squeeze(0) if unb else res


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    r"""Applies a 1D max pooling over an input signal composed of several input planes.

    See :class:`~ember.nn.MaxPool1d` for details.
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    r"""Applies a 2D max pooling over an input signal composed of several input planes.

    See :class:`~ember.nn.MaxPool2d` for details.
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    r"""Applies a 3D max pooling over an input signal composed of several input planes."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """:func:`max_pool1d` returning ``(output, indices)``."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """:func:`max_pool2d` returning ``(output, indices)``."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """:func:`max_pool3d` returning ``(output, indices)``."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ------------------------------------------------------------------ average pooling
def _avg_divisor(xp, geo, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return divisor_override
    div = None
    for i in range(len(geo.S)):
        start = xp.arange(geo.Q[i]) * geo.stride[i] - geo.pad[i]
        end = xp.minimum(start + geo.K[i], geo.S[i] + geo.pad[i])
        if count_include_pad:
            n = end - start
        else:
            n = xp.minimum(end, geo.S[i]) - xp.maximum(start, 0)
        n = n.reshape((-1,) + (1,) * (len(geo.S) - 1 - i))
        div = n if div is None else div * n
    return div.astype(dtype)


def _avg_forward(xp, x, geo, div):
    N, C = x.shape[:2]
    out = xp.empty((N, C) + geo.Q, x.dtype)
    if out.size == 0:
        return out
    taps = list(geo.taps())
    cb = _chunks(N, x[0].nbytes)

    def run(slot, chunks):
        slot = threading.get_ident()
        for c0, c1 in chunks:
            xpad = _padded_view(xp, slot, x[c0:c1], geo, 0)
            o = out[c0:c1]
            o[...] = xpad[taps[0][1]]
            for _, sl in taps[1:]:
                o += xpad[sl]
            o /= div

    _parallel(N, cb, run, 8.0 * out.size * len(taps), blas=False)
    return out


def _avg_adjoint(xp, g, geo, div):
    N, C = g.shape[:2]
    shape = (N, C) + tuple(geo.S[i] + geo.pad[i] + max(geo.hi[i], geo.pad[i])
                           for i in range(len(geo.S)))
    gs = g / div
    if geo.tiles:
        gx = xp.empty(shape, g.dtype)
        for _, sl in geo.taps():
            gx[sl] = gs
        return gx
    gx = xp.zeros(shape, g.dtype)
    for _, sl in geo.taps():
        gx[sl] += gs
    return xp.ascontiguousarray(gx[geo.inner()]) if geo.padded else gx


class AvgPoolNd(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, geo, cip, override):
        ctx.args = (geo, cip, override)
        div = _avg_divisor(ctx.xp, geo, cip, override, x.dtype)
        return _avg_forward(ctx.xp, x, geo, div)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return AvgPoolAdjoint.apply(g, *ctx.args), None, None, None
        div = _avg_divisor(ctx.xp, *ctx.args, g.dtype)
        return _avg_adjoint(ctx.xp, g, ctx.args[0], div), None, None, None


class AvgPoolAdjoint(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, g, geo, cip, override):
        ctx.args = (geo, cip, override)
        return _avg_adjoint(ctx.xp, g, geo, _avg_divisor(ctx.xp, geo, cip, override, g.dtype))

    @staticmethod
    def backward(ctx, h):
        if ctx.create_graph:
            return AvgPoolNd.apply(h, *ctx.args), None, None, None
        div = _avg_divisor(ctx.xp, *ctx.args, h.dtype)
        return _avg_forward(ctx.xp, h, ctx.args[0], div), None, None, None


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    name = f"avg_pool{nd}d"
    if input.ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"avg_pool1d: Expected 2D or 3D (batch mode) tensor with optional "
                               f"0 dim batch size for input, but got:{_shape_str(input.shape)}")
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           f"input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    geo = _geometry(name, input, nd, kernel_size, stride, padding, 1, ceil_mode)
    x, unb = _to4(input, nd)
    out = AvgPoolNd.apply(x, geo, bool(count_include_pad), divisor_override)
    return out.squeeze(0) if unb else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    r"""Applies a 1D average pooling over an input signal composed of several input planes.

    See :class:`~ember.nn.AvgPool1d` for details and output shape.
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    r"""Applies 2D average-pooling operation in :math:`kH \times kW` regions by step size
    :math:`sH \times sW` steps. The number of output features is equal to the number of
    input planes.

    See :class:`~ember.nn.AvgPool2d` for details and output shape.
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    r"""Applies 3D average-pooling operation in :math:`kT \times kH \times kW` regions."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""Apply a 1D power-average pooling over an input signal composed of several input planes.
    If the sum of all inputs to the power of `p` is zero, the gradient is set to zero as well.
    """
    from .. import sign
    k = kernel_size[0] if isinstance(kernel_size, (tuple, list)) else kernel_size
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (sign(out) * out.abs().relu()).mul(k).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    r"""Apply a 2D power-average pooling over an input signal composed of several input planes.
    If the sum of all inputs to the power of `p` is zero, the gradient is set to zero as well.
    """
    from .. import sign
    kw, kh = (kernel_size, kernel_size) if not isinstance(kernel_size, (tuple, list)) \
        else kernel_size
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (sign(out) * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


# ------------------------------------------------------------------ adaptive pooling
def _adaptive_bounds(S, Q):
    starts = [(i * S) // Q for i in range(Q)]
    ends = [-((-(i + 1) * S) // Q) for i in range(Q)]
    return starts, ends


def _adaptive_args(name, input, nd, output_size):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{_shape_str(input.shape)}")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            raise RuntimeError(f"{name}: output_size must be {nd}")
        Q = tuple(input.shape[-nd + i] if o is None else int(o)
                  for i, o in enumerate(output_size))
    else:
        Q = (int(output_size),) * nd
    if any(q < 0 for q in Q):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {Q}")
    for i in range(input.ndim - nd):
        if input.shape[i] == 0 and not (i == 0 and input.ndim == nd + 2):
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_shape_str(input.shape)} with "
                               f"dimension {i} being empty")
    return Q


def _avg_matrix(S, Q, np_dtype):
    import numpy
    M = numpy.zeros((Q, S), np_dtype)
    st, en = _adaptive_bounds(S, Q)
    for i in range(Q):
        M[i, st[i]:en[i]] = 1.0 / (en[i] - st[i])
    return M


def _apply_axes(x, mats, nd):
    """Multiply each of the last ``nd`` axes of ``x`` by its matrix (None: leave the axis)."""
    import ember
    for i, M in enumerate(mats):
        if M is None:
            continue
        axis = x.ndim - nd + i
        m = ember.from_numpy(M)
        if axis == x.ndim - 1:
            x = x.matmul(m.t())
        elif axis == x.ndim - 2:
            x = m.matmul(x)
        else:
            x = x.movedim(axis, -1).matmul(m.t()).movedim(-1, axis)
    return x


def _adaptive_avg(nd, input, output_size):
    Q = _adaptive_args(f"adaptive_avg_pool{nd}d", input, nd, output_size)
    S = tuple(input.shape[-nd:])
    if all(q > 0 and s % q == 0 for s, q in zip(S, Q)) and input.numel() > 0:
        if all(q == 1 for q in Q):
            return input.mean(tuple(range(-nd, 0)), keepdim=True)
        K = tuple(s // q for s, q in zip(S, Q))
        return _avg_pool(nd, input, K, K, 0, False, True, None)
    dt = input._data.dtype
    mats = [None if S[i] == Q[i] else _avg_matrix(S[i], Q[i], dt) for i in range(nd)]
    return _apply_axes(input, mats, nd)


def adaptive_avg_pool1d(input, output_size):
    r"""Applies a 1D adaptive average pooling over an input signal composed of several input
    planes. See :class:`~ember.nn.AdaptiveAvgPool1d` for details and output shape."""
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    r"""Applies a 2D adaptive average pooling over an input signal composed of several input
    planes. See :class:`~ember.nn.AdaptiveAvgPool2d` for details and output shape."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    r"""Applies a 3D adaptive average pooling over an input signal composed of several input
    planes."""
    return _adaptive_avg(3, input, output_size)


def _adaptive_max_arrays(xp, x, S, Q):
    from itertools import product
    N, C = x.shape[:2]
    nd = len(S)
    flat = x.reshape(N, C, -1)
    tables = []
    for i in range(nd):
        st, en = _adaptive_bounds(S[i], Q[i])
        kmax = max(e - s for s, e in zip(st, en)) if Q[i] else 0
        st = xp.asarray(st, dtype=xp.int64)
        en = xp.asarray(en, dtype=xp.int64)
        tables.append([xp.minimum(st + j, en - 1) for j in range(kmax)])
    out = idx = None
    for combo in product(*tables):
        lin = 0
        for i in range(nd):
            lin = lin * S[i] + combo[i].reshape((-1,) + (1,) * (nd - 1 - i))
        lin = lin.reshape(-1)
        cand = flat[:, :, lin]
        if out is None:
            out, idx = cand, xp.broadcast_to(lin, cand.shape).copy()
            continue
        m = cand > out
        if cand.dtype.kind == "f":
            m |= xp.isnan(cand) & ~xp.isnan(out)
        out = xp.where(m, cand, out)
        idx = xp.where(m, lin, idx)
    if out is None:
        out = xp.empty((N, C, 0), x.dtype)
        idx = xp.empty((N, C, 0), xp.int64)
    return out.reshape((N, C) + Q), idx.reshape((N, C) + Q)


class AdaptiveMaxPoolNd(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, Q):
        S = tuple(x.shape[2:])
        ctx.S = S
        out, idx = _adaptive_max_arrays(ctx.xp, x, S, Q)
        ctx.idx = idx
        ctx.mark_non_differentiable(idx)
        return out, idx

    @staticmethod
    def backward(ctx, g, _):
        if ctx.create_graph:
            return _scatter_flat_graph(g, ctx.idx, ctx.S), None
        return _scatter_flat(ctx.xp, g, ctx.idx, ctx.S), None


def _adaptive_max(nd, input, output_size, return_indices):
    name = f"adaptive_max_pool{nd}d"
    Q = _adaptive_args(name, input, nd, output_size)
    S = tuple(input.shape[-nd:])
    if all(q > 0 and s % q == 0 for s, q in zip(S, Q)) and input.numel() > 0:
        K = tuple(s // q for s, q in zip(S, Q))
        out, idx = _max_pool(nd, input, K, K, 0, 1, False, True)
    else:
        x, unb = _to4(input, nd)
        out, idx = AdaptiveMaxPoolNd.apply(x, Q)
        if unb:
            out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    r"""Applies a 1D adaptive max pooling over an input signal composed of several input
    planes. See :class:`~ember.nn.AdaptiveMaxPool1d` for details and output shape."""
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    r"""Applies a 2D adaptive max pooling over an input signal composed of several input
    planes. See :class:`~ember.nn.AdaptiveMaxPool2d` for details and output shape."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool1d` returning ``(output, indices)``."""
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool2d` returning ``(output, indices)``."""
    return _adaptive_max(2, input, output_size, True)


# ------------------------------------------------------------------ max_unpool
def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    import ember

    def tup(v):
        return tuple(int(i) for i in v) if isinstance(v, (tuple, list)) else (int(v),) * nd
    K = tup(kernel_size)
    s = K if stride is None else tup(stride)
    p = tup(padding)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"max_unpool{nd}d: Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{_shape_str(input.shape)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_shape_str(input.shape)}) but got indices tensor with shape: "
                           f"{_shape_str(indices.shape)}")
    Sin = tuple(input.shape[-nd:])
    default = tuple((Sin[i] - 1) * s[i] - 2 * p[i] + K[i] for i in range(nd))
    if output_size is None:
        S = default
    else:
        S = tuple(int(v) for v in output_size)
        if len(S) == nd + 2 or (len(S) == nd + 1 and input.ndim == nd + 1):
            S = S[-nd:]
        if len(S) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(S)}'")
        for i in range(nd):
            lo_, hi_ = default[i] - s[i], default[i] + s[i]
            if not lo_ < S[i] < hi_:
                raise ValueError(f'invalid output_size "{list(S)}" (dim {i} must be between '
                                 f'{lo_} and {hi_})')
    x, unb = _to4(input, nd)
    idx = indices.unsqueeze(0) if unb else indices
    N, C = x.shape[:2]
    P = _prod(S)
    ia = idx._data
    if ia.size and (int(ia.max()) >= P or int(ia.min()) < 0):
        bad = int(ia.max()) if int(ia.max()) >= P else int(ia.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, S))})")
    z = ember.zeros((N, C, P), dtype=x.dtype)
    out = z.scatter(2, idx.reshape(N, C, -1), x.reshape(N, C, -1)).reshape((N, C) + S)
    return out.squeeze(0) if unb else out


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    r"""Compute a partial inverse of :class:`MaxPool1d`. See :class:`~ember.nn.MaxUnpool1d`."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    r"""Compute a partial inverse of :class:`MaxPool2d`. See :class:`~ember.nn.MaxUnpool2d`."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    r"""Compute a partial inverse of :class:`MaxPool3d`."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# ------------------------------------------------------------------ names that moved out
def __getattr__(name):
    """interpolate, the shuffles and grid_sample moved to vision.py; they stay importable from
    here."""
    if not name.startswith("__"):
        module = importlib.import_module(".vision", __package__)
        if name in module.__dict__:
            return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
