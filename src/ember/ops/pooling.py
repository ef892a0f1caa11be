"""Pooling and resampling kernels and their functional forms: max/avg/adaptive/lp pooling,
max_unpool, interpolate, pixel_shuffle/unshuffle, channel_shuffle, grid_sample, affine_grid.

Max- and average-pooling run as one pass of ``maximum``/``add`` per kernel tap over strided
views of the (padded) input -- far cheaper than an unrolled window. Max-pool backward
recomputes the maximum and routes the gradient to the first maximum of each window (torch's
tie rule) with one masked strided add per tap; no scatter. Resampling that is linear in the
input (adaptive average pooling, interpolation) is a product with a small per-axis matrix, so
every derivative, the second included, comes from ``matmul``.
"""
from __future__ import annotations

import math
import threading

from ..autograd.function import Function
from ..backend import get_xp
from .conv import _parallel, _prod, _shape_str, _ws

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "lp_pool1d", "lp_pool2d", "interpolate", "upsample", "upsample_nearest",
           "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "grid_sample", "affine_grid"]

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

    def run(slot, n0, n1):
        slot = threading.get_ident()
        for c0 in range(n0, n1, cb):
            c1 = min(c0 + cb, n1)
            xpad = _padded_view(xp, slot, x[c0:c1], geo, fill)
            o = out[c0:c1]
            o[...] = xpad[taps[0][1]]
            for _, sl in taps[1:]:
                xp.maximum(o, xpad[sl], out=o)
            if want_idx:
                _first_max(xp, xpad, o, taps, idx[c0:c1], pos)

    _parallel(N, run, 8.0 * out.size * len(taps))
    return out, idx


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

    def run(slot, n0, n1):
        slot = threading.get_ident()
        for c0 in range(n0, n1, cb):
            c1 = min(c0 + cb, n1)
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

    _parallel(N, run, 8.0 * g.size * len(taps))
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
        ctx.save_for_backward(x)
        ctx.geo = geo
        out, idx = _max_forward(ctx.xp, x, geo, want_idx)
        if want_idx:
            ctx.idx = idx
            ctx.mark_non_differentiable(idx)
            return out, idx
        return out

    @staticmethod
    def backward(ctx, g, *rest):
        x, = ctx.saved_tensors
        geo = ctx.geo
        if ctx.create_graph:
            idx = getattr(ctx, "idx", None)
            if idx is None:
                xa = x._data
                _, idx = _max_forward(get_xp(xa), xa, geo, True)
            return _scatter_flat_graph(g, idx, geo.S), None, None
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

    def run(slot, n0, n1):
        slot = threading.get_ident()
        for c0 in range(n0, n1, cb):
            c1 = min(c0 + cb, n1)
            xpad = _padded_view(xp, slot, x[c0:c1], geo, 0)
            o = out[c0:c1]
            o[...] = xpad[taps[0][1]]
            for _, sl in taps[1:]:
                o += xpad[sl]
            o /= div

    _parallel(N, run, 8.0 * out.size * len(taps))
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


# ------------------------------------------------------------------ interpolate
def _cubic_coeffs(np, t, A=-0.75):
    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


_MATS = {}


def _interp_matrix(mode, S, Q, scale, ac, dt):
    """The (Q, S) matrix of 1-D resampling, computed in torch's precision for ``dt``."""
    key = (mode, S, Q, scale, ac, dt)
    M = _MATS.get(key)
    if M is not None:
        return M
    import numpy as np
    M = np.zeros((Q, S), dt)
    j = np.arange(Q)
    if mode in ("nearest", "nearest-exact"):
        if Q == S:
            src = j
        elif Q == 2 * S and mode == "nearest":
            src = j >> 1
        else:
            sc = np.float32(1.0 / scale) if scale else np.float32(S) / np.float32(Q)
            off = np.float32(0.5) if mode == "nearest-exact" else np.float32(0)
            src = np.minimum(np.floor((j.astype(np.float32) + off) * sc).astype(np.int64), S - 1)
        M[j, src] = 1
    else:
        dt_ = np.dtype(dt)
        if ac:
            sc = dt_.type((S - 1) / (Q - 1)) if Q > 1 else dt_.type(0)
        else:
            sc = dt_.type(1.0 / scale) if scale else dt_.type(S) / dt_.type(Q)
        jj = j.astype(dt_)
        real = sc * jj if ac else sc * (jj + dt_.type(0.5)) - dt_.type(0.5)
        if mode == "linear":
            if Q == S:
                M[j, j] = 1
            else:
                real = np.maximum(real, 0)
                i0 = real.astype(np.int64)
                i1 = i0 + (i0 < S - 1)
                l1 = np.clip(real - i0.astype(dt_), 0, 1).astype(dt_)
                l0 = (dt_.type(1) - l1).astype(dt_)
                np.add.at(M, (j, i0), l0)
                np.add.at(M, (j, i1), l1)
        else:  # cubic
            i0 = np.minimum(np.floor(real), S - 1).astype(np.int64)
            t = np.clip(real - i0.astype(dt_), 0, 1).astype(dt_)
            for k, c in enumerate(_cubic_coeffs(np, t)):
                np.add.at(M, (j, np.clip(i0 - 1 + k, 0, S - 1)), c.astype(dt_))
    if len(_MATS) > 256:
        _MATS.clear()
    _MATS[key] = M
    return M


_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    r"""Down/up samples the input.

    Tensor interpolated to either the given :attr:`size` or the given :attr:`scale_factor`.
    The algorithm used for interpolation is determined by :attr:`mode`. Currently temporal,
    spatial and volumetric sampling are supported, i.e. expected inputs are 3-D, 4-D or 5-D in
    shape. The input dimensions are interpreted in the form: `mini-batch x channels x
    [optional depth] x [optional height] x width`.

    The modes available for resizing are: `nearest`, `linear` (3D-only), `bilinear`,
    `bicubic` (4D-only), `trilinear` (5D-only), `area`, `nearest-exact`.

    Args:
        input (Tensor): the input tensor
        size (int or Tuple[int]): output spatial size.
        scale_factor (float or Tuple[float]): multiplier for spatial size.
        mode (str): algorithm used for upsampling. Default: ``'nearest'``
        align_corners (bool, optional): if ``True``, the corner pixels of the input and output
            tensors are aligned, preserving their values. Default: ``False``
        recompute_scale_factor (bool, optional): recompute the scale_factor for use in the
            interpolation calculation.
        antialias (bool, optional): not supported (must be ``False``).
    """
    dim = input.ndim - 2
    known = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format.")
            out_size = [int(s) for s in size]
        else:
            out_size = [int(size)] * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in (N, "
                    "C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out_size = [math.floor(float(input.shape[i + 2]) * scales[i]) for i in range(dim)]
        scales = None
    if align_corners is not None and mode in ("nearest", "area", "nearest-exact"):
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode not in known or dim not in (1, 2, 3):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode in _MODES and _MODES[mode] != dim:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_MODES[mode] + 2}D input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    S = tuple(input.shape[2:])
    if out_size is None:
        out_size = [math.floor(S[i] * scales[i]) for i in range(dim)]
    if any(q <= 0 for q in out_size):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, S))}) and output "
                           f"({', '.join(map(str, out_size))})")
    if mode == "area":
        return _adaptive_avg(dim, input, tuple(out_size))
    kind = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    dt = input._data.dtype
    if dt.kind != "f":
        raise RuntimeError(f"\"upsample_{mode}\" not implemented for '{input.dtype}'")
    ac = bool(align_corners)
    mats = []
    for i in range(dim):
        sc = scales[i] if scales is not None else None
        mats.append(None if (out_size[i] == S[i] and kind in ("nearest", "linear"))
                    else _interp_matrix(kind, S[i], out_size[i], sc, ac, dt))
    return _apply_axes(input, mats, dim)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    r"""Upsample input (deprecated in favour of :func:`interpolate`)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    r"""Upsamples the input, using nearest neighbours' pixel values (deprecated)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    r"""Upsamples the input, using bilinear upsampling with ``align_corners=True``
    (deprecated)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------ shuffles
def pixel_shuffle(input, upscale_factor):
    r"""Rearranges elements in a tensor of shape :math:`(*, C \times r^2, H, W)` to a tensor of
    shape :math:`(*, C, H \times r, W \times r)`, where r is the :attr:`upscale_factor`.

    See :class:`~ember.nn.PixelShuffle` for details.
    """
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, C, H, W = input.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={C} "
                           f"is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(tuple(lead) + (C // (r * r), r, r, H, W))
    perm = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    return x.permute(perm).reshape(tuple(lead) + (C // (r * r), H * r, W * r))


def pixel_unshuffle(input, downscale_factor):
    r"""Reverses the :class:`~ember.nn.PixelShuffle` operation by rearranging elements in a
    tensor of shape :math:`(*, C, H \times r, W \times r)` to a tensor of shape
    :math:`(*, C \times r^2, H, W)`, where r is the :attr:`downscale_factor`.
    """
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, C, H, W = input.shape
    if H % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={H} is not divisible by {r}")
    if W % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={W} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(tuple(lead) + (C, H // r, r, W // r, r))
    perm = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    return x.permute(perm).reshape(tuple(lead) + (C * r * r, H // r, W // r))


def channel_shuffle(input, groups):
    r"""Divide the channels in a tensor of shape :math:`(*, C , H, W)` into g groups and
    rearrange them as :math:`(*, C \frac g, g, H, W)`, while keeping the original tensor shape.
    """
    g = int(groups)
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    N, C = input.shape[:2]
    if C % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {C} channels "
                           f"and {g} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((N, g, C // g) + rest).transpose(1, 2).reshape((N, C) + rest)


# ------------------------------------------------------------------ grid_sample / affine_grid
def _unnormalize(coord, size, ac):
    if ac:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, lo2, hi2):
    import ember
    if lo2 == hi2:
        return ember.zeros_like(coord)
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    c = (coord - mn).abs()
    extra = ember.fmod(c, span)
    flips = ember.floor(c / span)
    even = ember.remainder(flips, 2) == 0
    return ember.where(even, extra + mn, span - extra + mn)


def _source_index(coord, size, padding_mode, ac):
    c = _unnormalize(coord, size, ac)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if ac else _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    r"""Compute grid sample.

    Given an :attr:`input` and a flow-field :attr:`grid`, computes the ``output`` using
    :attr:`input` values and pixel locations from :attr:`grid`. Only spatial (4-D) inputs are
    supported: :attr:`input` of shape :math:`(N, C, H_\text{in}, W_\text{in})` and :attr:`grid`
    of shape :math:`(N, H_\text{out}, W_\text{out}, 2)` give an output of shape
    :math:`(N, C, H_\text{out}, W_\text{out})`. ``grid[n, h, w]`` holds normalized ``(x, y)``
    locations in ``[-1, 1]``.

    Args:
        input (Tensor): input of shape :math:`(N, C, H_\text{in}, W_\text{in})`
        grid (Tensor): flow-field of shape :math:`(N, H_\text{out}, W_\text{out}, 2)`
        mode (str): interpolation mode, ``'bilinear'`` | ``'nearest'``. Default: ``'bilinear'``
        padding_mode (str): ``'zeros'`` | ``'border'`` | ``'reflection'``. Default: ``'zeros'``
        align_corners (bool, optional): whether -1 and 1 refer to the centers (``True``) or the
            edges (``False``) of the corner pixels. Default: ``False``
    """
    import ember
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        import warnings
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=2)
        align_corners = False
    if input.ndim != grid.ndim:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same number of "
                           f"dimensions, but got input with sizes {_shape_str(input.shape)} and "
                           f"grid with sizes {_shape_str(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {_shape_str(input.shape)} and grid with "
                           f"sizes {_shape_str(grid.shape)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last "
                           f"dimension, but got grid with sizes {_shape_str(grid.shape)}")
    if input.ndim != 4:
        raise NotImplementedError("grid_sample: only 4-D (spatial) inputs are supported")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    N, C, H, W = input.shape
    Ho, Wo = grid.shape[1:3]
    ix = _source_index(grid[..., 0], W, padding_mode, align_corners)
    iy = _source_index(grid[..., 1], H, padding_mode, align_corners)
    flat = input.reshape(N, C, H * W)

    def corner(xi, yi):
        """Values at integer corners (N, C, Ho, Wo), zero outside the input."""
        valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1)
        lin = (yi.clamp(0, H - 1) * W + xi.clamp(0, W - 1)).long().reshape(N, 1, Ho * Wo)
        v = flat.gather(2, lin.expand(N, C, Ho * Wo)).reshape(N, C, Ho, Wo)
        return v * valid.unsqueeze(1).to(input.dtype)

    if mode == "nearest":   # the grid gets a zero gradient, as in torch
        return _ZeroGradTo.apply(corner(ember.round(ix).detach(), ember.round(iy).detach()),
                                 grid)
    x0 = ember.floor(ix).detach()
    y0 = ember.floor(iy).detach()
    x1, y1 = x0 + 1, y0 + 1
    wx1, wy1 = (ix - x0).unsqueeze(1), (iy - y0).unsqueeze(1)
    wx0, wy0 = (x1 - ix).unsqueeze(1), (y1 - iy).unsqueeze(1)
    return (corner(x0, y0) * (wx0 * wy0) + corner(x1, y0) * (wx1 * wy0) +
            corner(x0, y1) * (wx0 * wy1) + corner(x1, y1) * (wx1 * wy1))


class _ZeroGradTo(Function):
    """Identity on its first input; the second input receives a zero gradient."""
    _arrays = True

    @staticmethod
    def forward(ctx, out, other):
        ctx.shape = other.shape
        return out.copy()

    @staticmethod
    def backward(ctx, g):
        return g, ctx.xp.zeros(ctx.shape, dtype=g.dtype)


def _base_coords(n, ac, np_dtype):
    import numpy as np
    if n <= 1:
        return np.zeros(max(n, 0), np_dtype)
    v = np.linspace(-1, 1, n, dtype=np.float64)
    if not ac:
        v = v * (n - 1) / n
    return v.astype(np_dtype)


def affine_grid(theta, size, align_corners=None):
    r"""Generate 2D or 3D flow field (sampling grid), given a batch of affine matrices
    :attr:`theta`.

    Args:
        theta (Tensor): input batch of affine matrices with shape (:math:`N \times 2 \times 3`)
            for 2D or (:math:`N \times 3 \times 4`) for 3D
        size (torch.Size): the target output image size. (:math:`N \times C \times H \times W`
            for 2D or :math:`N \times C \times D \times H \times W` for 3D)
        align_corners (bool, optional): see :func:`grid_sample`. Default: ``False``

    Returns:
        output (Tensor): output Tensor of size (:math:`N \times H \times W \times 2`)
    """
    import numpy as np

    import ember
    if align_corners is None:
        import warnings
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype
    axes = [_base_coords(n, align_corners, dt) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")          # D/H/W order
    coords = list(mesh)[::-1] + [np.ones_like(mesh[0])]     # x, y, (z), 1
    base = np.stack(coords, axis=-1).reshape(1, -1, len(coords))
    grid = ember.from_numpy(np.ascontiguousarray(base)).matmul(theta.transpose(1, 2))
    return grid.reshape((size[0],) + tuple(spatial) + (len(spatial),))
