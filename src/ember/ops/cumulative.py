"""Cumulative ops along a dim: cumsum, cumprod, logcumsumexp, cummax, cummin.

cumsum's gradient is a reversed cumsum; cumprod's handles zeros exactly (torch's formula);
cummax/cummin pick their values through :class:`~ember.ops.reduce.TakeAlong`, whose backward
sends the gradient to the picked index.
"""
from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import _make
from ..autograd.function import Function
from ..backend import get_xp
from ._util import inplace, type_name, wrap_dim
from .reduce import _I64, Prod, _acc, _const, _pick, _raw, return_types

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"]


# ---------------------------------------------------------------- cumulative ops
def _scan(xp, fn, a, axis, reverse):
    if a.ndim == 0:
        return fn(a.reshape(1), axis=0).reshape(())
    if reverse:
        return xp.flip(fn(xp.flip(a, axis), axis=axis), axis)
    return fn(a, axis=axis)


class Cumsum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axis, np_dtype, reverse):
        ctx.axis, ctx.reverse = axis, reverse
        if np_dtype is None and a.dtype.kind in "biu":
            np_dtype = _I64
        x = _acc(a) if np_dtype is None else a.astype(np_dtype)
        out = _scan(ctx.xp, ctx.xp.cumsum, x, axis, reverse)
        return out.astype(np_dtype or a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _cumsum(ctx, g, ctx.axis, not ctx.reverse), None, None, None


def _cumsum(ctx, g, axis, reverse):
    if ctx.create_graph:
        return Cumsum.apply(g, axis, None, reverse)
    return _scan(ctx.xp, ctx.xp.cumsum, g, axis, reverse)


def cumsum(input, dim, *, dtype=None, out=None):
    """Returns the cumulative sum of elements of ``input`` in the dimension ``dim``."""
    axis = wrap_dim(dim, input.ndim)
    return Cumsum.apply(input, axis, None if dtype is None else _dt.to_np(dtype), False)


class Cumprod(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axis, np_dtype):
        ctx.axis = axis
        if np_dtype is None and a.dtype.kind in "biu":
            np_dtype = _I64
        x = _acc(a) if np_dtype is None else a.astype(np_dtype)
        out = _scan(ctx.xp, ctx.xp.cumprod, x, axis, False).astype(np_dtype or a.dtype,
                                                                   copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        ra = _raw(a)
        xp, ax = get_xp(ra), ctx.axis
        if ra.ndim == 0:
            return g, None, None
        zero = ra == 0
        if not zero.any():
            return _cumsum(ctx, g * out, ax, True) / a, None, None
        if ctx.create_graph:
            return _cumprod_grad_graph(a, g, ax), None, None
        # before the first zero z of a slice: the usual formula; at z: out[z-1] times
        # sum_{k>=z} g_k prod_{z<j<=k} a_j; after z: 0.
        c = xp.cumsum(zero, axis=ax)
        before = c == 0
        first = zero & (c == 1)
        fl = ra.dtype
        cb = _const(ctx, before.astype(fl))
        a_safe = a * cb + _const(ctx, (~before).astype(fl))
        grad = _cumsum(ctx, g * out * cb, ax, True) / a_safe * cb
        after = (c >= 1) & ~first
        ca = _const(ctx, after.astype(fl))
        tail = a * ca + _const(ctx, (~after).astype(fl))
        tail = Cumprod.apply(tail, ax, None) if ctx.create_graph else xp.cumprod(tail, axis=ax)
        s = (g * tail * _const(ctx, (c >= 1).astype(fl))).sum(axis=ax, keepdims=True)
        head = a_safe.prod(axis=ax, keepdims=True) if not ctx.create_graph \
            else Prod.apply(a_safe, ax, True, None)
        return grad + s * head * _const(ctx, first.astype(fl)), None, None


def _cumprod_grad_graph(a, g, ax):
    """sum_{k>=i} g_k prod_{j<=k, j!=i} a_j as a Tensor formula exact at zeros to every
    order (n x n products; only used under create_graph when ``a`` has zeros)."""
    x, gt = a.transpose(ax, -1), g.transpose(ax, -1)
    n = x.shape[-1]
    xp = get_xp(a._data)
    eye = xp.eye(n, dtype=a._data.dtype)
    lead = tuple(x.shape[:-1])
    y = x.reshape(lead + (1, n)) * _make(1 - eye, False, None, 0) + _make(eye, False, None, 0)
    p = Cumprod.apply(y, len(lead) + 1, None)          # [.., i, k] = prod_{j<=k, j!=i} a_j
    upper = _make(xp.triu(xp.ones((n, n), a._data.dtype)), False, None, 0)   # k >= i
    return (p * gt.reshape(lead + (1, n)) * upper).sum(axis=-1).transpose(ax, -1)


def cumprod(input, dim, *, dtype=None, out=None):
    """Returns the cumulative product of elements of ``input`` in the dimension ``dim``."""
    axis = wrap_dim(dim, input.ndim)
    return Cumprod.apply(input, axis, None if dtype is None else _dt.to_np(dtype))


class LogCumSumExp(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axis, reverse):
        if a.dtype.kind not in "fc":
            raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                      f"'{type_name(a.dtype)}'")
        ctx.axis, ctx.reverse = axis, reverse
        xp = ctx.xp
        out = _scan(xp, xp.logaddexp.accumulate, _acc(a), axis, reverse).astype(a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        # sum_{k>=i} g_k exp(a_i - out_k), with the positive and negative parts of g taken
        # through a reversed logcumsumexp in log space (torch's stable formula)
        a, out = ctx.saved_tensors
        ra, rg = _raw(a), _raw(g)
        if ra.ndim == 0 or ra.size == 0:
            return g, None, None
        xp = ctx.xp
        rxp = get_xp(ra)
        res = None
        for sign in (1, -1):
            m = (rg * sign) > 0
            lg = xp.log(g * sign * _const(ctx, m.astype(rg.dtype))
                        + _const(ctx, (~m).astype(rg.dtype)))
            lowest = rxp.finfo(rg.dtype).min  # not -inf: no inf - inf in double backward
            lg = lg + _const(ctx, rxp.where(m, 0, lowest).astype(rg.dtype))
            t = lg - out
            if ctx.create_graph:
                r = LogCumSumExp.apply(t, ctx.axis, not ctx.reverse)
            else:
                r = _scan(rxp, rxp.logaddexp.accumulate, t, ctx.axis, not ctx.reverse)
            term = xp.exp(r + a)
            res = term if res is None else res - term
        return res, None, None


def logcumsumexp(input, dim, *, out=None):
    """Returns the logarithm of the cumulative summation of the exponentiation of elements of
    ``input`` in the dimension ``dim``."""
    return LogCumSumExp.apply(input, wrap_dim(dim, input.ndim), False)


def _cumext(input, dim, is_max):
    a = input._data
    xp = get_xp(a)
    axis = wrap_dim(dim, a.ndim)
    src = a if a.ndim else a.reshape(1)
    if src.size == 0:
        vals = src
    else:
        vals = (xp.maximum if is_max else xp.minimum).accumulate(src, axis=axis)
    match = src == vals
    if src.dtype.kind in "fc":
        match |= xp.isnan(src) & xp.isnan(vals)
    pos = xp.arange(src.shape[axis]).reshape((-1,) + (1,) * (src.ndim - axis - 1))
    idx = xp.maximum.accumulate(xp.where(match, pos, 0), axis=axis) if src.size else \
        xp.zeros(src.shape, _I64)
    cls = return_types.cummax if is_max else return_types.cummin
    return cls(*_pick(input, idx, axis, a.shape, unique=False))


def cummax(input, dim):
    """Returns a namedtuple ``(values, indices)``: the cumulative maximum of ``input`` in the
    dimension ``dim`` and the index where each maximum was found (the last among ties)."""
    return _cumext(input, dim, True)


def cummin(input, dim):
    """Returns a namedtuple ``(values, indices)``: the cumulative minimum of ``input`` in the
    dimension ``dim`` and the index where each minimum was found (the last among ties)."""
    return _cumext(input, dim, False)


TENSOR_METHODS = {
    "cumsum": cumsum, "cumprod": cumprod, "cummax": cummax, "cummin": cummin,
    "logcumsumexp": logcumsumexp,
    "cumsum_": lambda self, dim, *, dtype=None: inplace(cumsum, self, dim, dtype=dtype),
    "cumprod_": lambda self, dim, *, dtype=None: inplace(cumprod, self, dim, dtype=dtype),
}
