"""Reductions: sum, mean, prod, max/min, var/std, norms, logsumexp, cumulative ops, sorting."""
from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from ._util import expand_to, normalize_dims

__all__ = ["sum", "mean"]


def _expand_back(g, shape, axes, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if axes is not None and not keepdim:
        kept = list(g.shape)
        for ax in axes:
            kept.insert(ax, 1)
        g = g.reshape(tuple(kept))
    return g


class Sum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        if np_dtype is None and a.dtype.kind in "biu":
            np_dtype = _dt.int64.np
        return a.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        return expand_to(ctx.xp, g, ctx.shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Returns the sum of all elements, or of each row over dimension(s) ``dim``."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    axes = normalize_dims(dim, input.ndim)
    return Sum.apply(input, axes, keepdim, None if dtype is None else _dt.to_np(dtype))


class Mean(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim, np_dtype):
        if np_dtype is None and a.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_dt.FROM_NP[a.dtype].name.capitalize()}")
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        n = 1
        for ax in (range(a.ndim) if axes is None else axes):
            n *= a.shape[ax]
        ctx.n = n
        return a.mean(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim) / ctx.n
        return expand_to(ctx.xp, g, ctx.shape), None, None, None


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Returns the mean value of all elements, or of each row over dimension(s) ``dim``."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    axes = normalize_dims(dim, input.ndim)
    return Mean.apply(input, axes, keepdim, None if dtype is None else _dt.to_np(dtype))


TENSOR_METHODS = {"sum": sum, "mean": mean}
