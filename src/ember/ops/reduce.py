"""Reductions: sum, mean, prod, max/min, var/std, norms, logsumexp, cumulative ops, sorting.

Value-selecting ops (max/min/median/kthvalue along a dim, sort, topk, cummax/cummin) compute
their indices without autograd and pick the values through one primitive, :class:`TakeAlong`,
whose backward sends the gradient to the picked index (and whose double backward picks
again). amax/amin and max()/min()/median() without a dim split the gradient evenly among
ties, as torch does. float16 inputs reduce in float32 and return float16.
"""
from __future__ import annotations

import builtins
import collections
import math

from .. import dtypes as _dt
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..backend import get_xp
from ._util import expand_to, inplace, normalize_dims, to_float, type_name, wrap_dim

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax",
           "argmin", "aminmax", "var", "std", "var_mean", "std_mean", "logsumexp", "norm",
           "all", "any", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
           "count_nonzero", "median", "nanmedian", "kthvalue", "sort", "argsort", "msort",
           "topk", "unique", "unique_consecutive"]

_F16, _F32, _I64 = _dt.float16.np, _dt.float32.np, _dt.int64.np
_range = range


def _rt(name, fields="values indices"):
    cls = collections.namedtuple(name, fields)
    cls.__module__ = "ember.return_types"
    return cls


class return_types:
    """The named tuples value-selecting reductions return (``torch.return_types``)."""
    max, min, sort, topk, kthvalue = (_rt(n) for n in ("max", "min", "sort", "topk", "kthvalue"))
    median, nanmedian, cummax, cummin = (_rt(n) for n in ("median", "nanmedian", "cummax",
                                                          "cummin"))
    aminmax = _rt("aminmax", "min max")


# ---------------------------------------------------------------- helpers
def _axes(dim, ndim):
    """dims -> sorted tuple of axes, or None for all (a 0-d tensor reduces over nothing)."""
    axes = normalize_dims(dim, ndim)
    return None if ndim == 0 else axes


def _acc(a):
    return a.astype(_F32) if a.dtype == _F16 else a


def _numel(shape, axes):
    n = 1
    for i in (_range(len(shape)) if axes is None else axes):
        n *= shape[i]
    return n


def _reduced_shape(shape, axes):
    return () if axes is None else tuple(s for i, s in enumerate(shape) if i not in axes)


def _expand_back(g, shape, axes, keepdim):
    """Give a reduced gradient its reduced dims back (size 1), ready to broadcast."""
    if axes is not None and not keepdim:
        kept = list(g.shape)
        for ax in axes:
            kept.insert(ax, 1)
        g = g.reshape(tuple(kept))
    elif axes is None and not keepdim and len(shape):
        g = g.reshape((1,) * len(shape))
    return g


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _const(ctx, arr):
    """A non-differentiable array as an operand of a backward formula (a Tensor under
    create_graph, so the formula stays duck-typed)."""
    return _make(arr, False, None, 0) if ctx.create_graph else arr


def _no_bool(a, name, exc=NotImplementedError):
    if a.dtype.kind == "b":
        if exc is NotImplementedError:
            raise exc(f"\"{name}\" not implemented for 'Bool'")
        raise exc(name)


def _check_nonempty(name, shape, axes):
    for ax in (_range(len(shape)) if axes is None else axes):
        if shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


def _float_only(a, name):
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {type_name(a.dtype)}")


# ---------------------------------------------------------------- sum, mean, prod
class Sum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim, np_dtype):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        if np_dtype is None:
            if a.dtype.kind in "biu":
                np_dtype = _I64
            elif a.dtype == _F16:
                return a.sum(axis=axes, keepdims=keepdim, dtype=_F32).astype(_F16)
        return a.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        return expand_to(ctx.xp, g, ctx.shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Returns the sum of all elements of ``input``, or of each row over dimension(s) ``dim``
    (integral and bool inputs sum to int64 unless ``dtype`` is given)."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    axes = _axes(dim, input.ndim)
    return Sum.apply(input, axes, keepdim, None if dtype is None else _dt.to_np(dtype))


class Mean(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim, np_dtype):
        if np_dtype is None and a.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {type_name(a.dtype)}")
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.n = _numel(a.shape, axes)
        if np_dtype is None and a.dtype == _F16:
            return a.mean(axis=axes, keepdims=keepdim, dtype=_F32).astype(_F16)
        return a.mean(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        if ctx.n:
            g = g / ctx.n
        return expand_to(ctx.xp, g, ctx.shape), None, None, None


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Returns the mean value of all elements of ``input``, or of each row over dimension(s)
    ``dim``."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    axes = _axes(dim, input.ndim)
    return Mean.apply(input, axes, keepdim, None if dtype is None else _dt.to_np(dtype))


class NanSum(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim, np_dtype, mean):
        ctx.shape, ctx.axes, ctx.keepdim, ctx.mean = a.shape, axes, keepdim, mean
        ctx.save_for_backward(a)
        xp = ctx.xp
        if a.dtype.kind not in "fc":
            if mean:
                raise RuntimeError("nanmean(): expected input to have floating point or complex "
                                   f"dtype but got {type_name(a.dtype)}")
            return a.sum(axis=axes, keepdims=keepdim, dtype=np_dtype or _I64)
        keep = ~xp.isnan(a)
        x = xp.where(keep, _acc(a), 0)
        out = x.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)
        if mean:
            out = out / keep.sum(axis=axes, keepdims=keepdim)
        return out.astype(np_dtype or a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        ra = _raw(a)
        xp = get_xp(ra)
        keep = ~xp.isnan(ra)
        scale = keep.astype(ra.dtype)
        if ctx.mean:
            scale = scale / keep.sum(axis=ctx.axes, keepdims=True)
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        return g * _const(ctx, scale), None, None, None, None


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Returns the sum of all elements, treating Not a Numbers (NaNs) as zero."""
    axes = _axes(dim, input.ndim)
    return NanSum.apply(input, axes, keepdim, None if dtype is None else _dt.to_np(dtype), False)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Computes the mean of all non-NaN elements along the specified dimensions."""
    axes = _axes(dim, input.ndim)
    return NanSum.apply(input, axes, keepdim, None if dtype is None else _dt.to_np(dtype), True)


class Prod(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axis, keepdim, np_dtype):
        ctx.axis, ctx.keepdim = axis, keepdim
        if np_dtype is None and a.dtype.kind in "biu":
            np_dtype = _I64
        if np_dtype is None and a.dtype == _F16:
            out = a.prod(axis=axis, keepdims=keepdim, dtype=_F32).astype(_F16)
        else:
            out = ctx.xp.asarray(a.prod(axis=axis, keepdims=keepdim, dtype=np_dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        ra = _raw(a)
        xp = get_xp(ra)
        axes = None if ctx.axis is None else (ctx.axis,)
        g = _expand_back(g, ra.shape, axes, ctx.keepdim)
        zero = ra == 0
        if not zero.any():
            return g * _expand_back(out, ra.shape, axes, ctx.keepdim) / a, None, None, None
        if ctx.create_graph:
            return g * _prod_others(ctx, a, ctx.axis), None, None, None
        nz = zero.sum(axis=ctx.axis, keepdims=True)
        safe = xp.where(zero, 1, _acc(ra))
        p = safe.prod(axis=ctx.axis, keepdims=True)
        grad = xp.where(nz == 0, p / safe, xp.where(zero & (nz == 1), p, 0))
        return g * grad, None, None, None


def _prod_others(ctx, a, axis):
    """prod_{j != i} a_j along ``axis`` (all elements if None) as a differentiable Tensor
    formula, exact at zeros to every order (n x n products; only used under create_graph)."""
    shape = a.shape
    x = a.reshape(-1) if axis is None else a.transpose(axis, -1)
    n = x.shape[-1]
    xp = get_xp(a._data)
    eye = xp.eye(n, dtype=a._data.dtype)
    y = x.reshape(tuple(x.shape[:-1]) + (1, n)) * _make(1 - eye, False, None, 0) \
        + _make(eye, False, None, 0)
    r = Prod.apply(y, y.ndim - 1, False, None)
    return r.reshape(shape) if axis is None else r.transpose(axis, -1)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Returns the product of all elements in ``input``, or of each row over dimension
    ``dim``."""
    np_dtype = None if dtype is None else _dt.to_np(dtype)
    if dim is None:
        return Prod.apply(input, None, False, np_dtype)
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    axis = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return Prod.apply(input, None, False, np_dtype)
    return Prod.apply(input, axis, keepdim, np_dtype)


# ---------------------------------------------------------------- value-selecting primitive
class TakeAlong(Function):
    """``input`` picked at ``idx`` along ``axis`` (then reshaped to ``shape``): the values of
    every value-selecting op. The gradient goes to the picked positions, summed where an index
    repeats (``unique=False``, cummax/cummin)."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, idx, axis, shape, unique):
        ctx.in_shape, ctx.idx, ctx.axis, ctx.unique = a.shape, idx, axis, unique
        out = ctx.xp.take_along_axis(a if a.ndim else a.reshape(1), idx, axis)
        return out if shape is None else out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            g = PutAlong.apply(g, ctx.idx, ctx.axis, ctx.in_shape, ctx.unique)
        else:
            g = _put_along(ctx.xp, g, ctx.idx, ctx.axis, ctx.in_shape, ctx.unique)
        return g, None, None, None, None


class PutAlong(Function):
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``axis`` (TakeAlong's backward)."""
    _arrays = True

    @staticmethod
    def forward(ctx, g, idx, axis, shape, unique):
        ctx.g_shape, ctx.idx, ctx.axis, ctx.unique = g.shape, idx, axis, unique
        return _put_along(ctx.xp, g, idx, axis, shape, unique)

    @staticmethod
    def backward(ctx, gg):
        if ctx.create_graph:
            g = TakeAlong.apply(gg, ctx.idx, ctx.axis, ctx.g_shape, ctx.unique)
        else:
            src = gg if gg.ndim else gg.reshape(1)
            g = ctx.xp.take_along_axis(src, ctx.idx, ctx.axis).reshape(ctx.g_shape)
        return g, None, None, None, None


def _put_along(xp, g, idx, axis, shape, unique):
    g = g.reshape(idx.shape)
    full = tuple(shape) if len(shape) else (1,)
    if unique:
        out = xp.zeros(full, g.dtype)
        xp.put_along_axis(out, idx, g, axis)
        return out.reshape(shape)
    n = full[axis]
    im, gm = xp.moveaxis(idx, axis, -1), xp.moveaxis(g, axis, -1)
    rows = im.shape[:-1]
    r = _numel(rows, None)
    flat = (xp.arange(r).reshape(rows + (1,)) * n + im).ravel()
    res = xp.bincount(flat, weights=gm.ravel(), minlength=r * n).astype(g.dtype)
    return xp.moveaxis(res.reshape(rows + (n,)), -1, axis).reshape(shape)


def _pick(input, idx, axis, out_shape, unique=True):
    """values via TakeAlong, indices as an int64 tensor of ``out_shape``."""
    values = TakeAlong.apply(input, idx, axis, out_shape, unique)
    return values, _make(idx.reshape(out_shape).astype(_I64, copy=False), False, None, 0)


def _dim_setup(input, dim, keepdim):
    """(raw array as >=1-d, axis, out_shape) for a reduction over one dim."""
    a = input._data
    axis = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return a.reshape(1), 0, ()
    shape = list(a.shape)
    if keepdim:
        shape[axis] = 1
    else:
        del shape[axis]
    return a, axis, tuple(shape)


# ---------------------------------------------------------------- max / min / amax / amin
class SelectAll(Function):
    """max()/min()/median()/nanmedian() over all elements: one value; the gradient is split
    evenly among the elements equal to it (torch's evenly_distribute_backward)."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, kind):
        xp = ctx.xp
        ctx.save_for_backward(a)
        flat = a.reshape(-1)
        isf = a.dtype.kind in "fc"
        if kind in ("max", "min"):
            if a.size == 0:
                raise RuntimeError(f"{kind}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the 'dim' "
                                   "argument.")
            out = flat.max() if kind == "max" else flat.min()
        else:
            if isf and kind == "nanmedian":
                flat = flat[~xp.isnan(flat)]
            if flat.size == 0:
                out = xp.asarray(float("nan"), a.dtype)
            elif isf and kind == "median" and xp.isnan(flat).any():
                out = xp.asarray(float("nan"), a.dtype)
            else:
                k = (flat.size - 1) // 2
                out = xp.partition(flat, k)[k]
        ctx.value = out
        return xp.asarray(out)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        ra = _raw(a)
        xp = get_xp(ra)
        mask = xp.isnan(ra) if ctx.value != ctx.value else ra == ctx.value
        return g * _const(ctx, mask.astype(ra.dtype) / mask.sum()), None


class AMax(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim, is_max):
        ctx.axes, ctx.keepdim = axes, keepdim
        out = ctx.xp.asarray(a.max(axis=axes, keepdims=keepdim) if is_max
                             else a.min(axis=axes, keepdims=keepdim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        ra, ro = _raw(a), _raw(out)
        mask = ra == _expand_back(ro, ra.shape, ctx.axes, ctx.keepdim)
        scale = mask.astype(ra.dtype) / mask.sum(axis=ctx.axes, keepdims=True)
        return _expand_back(g, ra.shape, ctx.axes, ctx.keepdim) * _const(ctx, scale), None, \
            None, None


def _amax(input, dim, keepdim, is_max):
    name = "amax" if is_max else "amin"
    axes = _axes(dim, input.ndim)
    _check_nonempty(name, input.shape, axes)
    return AMax.apply(input, axes, keepdim, is_max)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Returns the maximum value of each slice of ``input`` in the given dimension(s) ``dim``
    (all dims by default). The gradient is distributed evenly between equal values."""
    return _amax(input, dim, keepdim, True)


def amin(input, dim=(), keepdim=False, *, out=None):
    """Returns the minimum value of each slice of ``input`` in the given dimension(s) ``dim``
    (all dims by default). The gradient is distributed evenly between equal values."""
    return _amax(input, dim, keepdim, False)


def _max_min(input, dim, keepdim, kind, other):
    if other is not None or isinstance(dim, Tensor):
        from . import selection
        fn = selection.maximum if kind == "max" else selection.minimum
        return fn(input, dim if other is None else other)
    if dim is None:
        return SelectAll.apply(input, kind)
    a, axis, shape = _dim_setup(input, dim, keepdim)
    _check_nonempty(kind, a.shape, (axis,))
    idx = a.argmax(axis) if kind == "max" else a.argmin(axis)
    values, indices = _pick(input, get_xp(a).expand_dims(idx, axis), axis, shape)
    return getattr(return_types, kind)(values, indices)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """Returns the maximum value of all elements in ``input``; with ``dim``, a namedtuple
    ``(values, indices)`` of the maximum of each row and its index (the first one among
    ties); with a tensor as second argument, :func:`maximum`."""
    return _max_min(input, dim, keepdim, "max", other)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """Returns the minimum value of all elements in ``input``; with ``dim``, a namedtuple
    ``(values, indices)`` of the minimum of each row and its index (the first one among
    ties); with a tensor as second argument, :func:`minimum`."""
    return _max_min(input, dim, keepdim, "min", other)


def _arg(input, dim, keepdim, is_max):
    name = "argmax" if is_max else "argmin"
    a = input._data
    _no_bool(a, f"{name}(): does not support bool input", RuntimeError)
    xp = get_xp(a)
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        i = a.argmax() if is_max else a.argmin()
        out = xp.asarray(i, _I64).reshape((1,) * a.ndim if keepdim else ())
        return _make(out, False, None, 0)
    a, axis, shape = _dim_setup(input, dim, keepdim)
    _check_nonempty(name, a.shape, (axis,))
    i = a.argmax(axis, keepdims=True) if is_max else a.argmin(axis, keepdims=True)
    return _make(i.reshape(shape).astype(_I64, copy=False), False, None, 0)


def argmax(input, dim=None, keepdim=False):
    """Returns the indices of the maximum value(s) of ``input`` (flattened when ``dim`` is
    None)."""
    return _arg(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    """Returns the indices of the minimum value(s) of ``input`` (flattened when ``dim`` is
    None)."""
    return _arg(input, dim, keepdim, False)


def aminmax(input, *, dim=None, keepdim=False):
    """Computes the minimum and maximum values of ``input`` (namedtuple ``(min, max)``)."""
    if dim is None and input._data.size == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if dim is not None:
        a, axis, _ = _dim_setup(input, dim, keepdim)
        if a.shape[axis] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {axis} to have non-zero size.")
    d = () if dim is None else dim
    return return_types.aminmax(amin(input, d, keepdim), amax(input, d, keepdim))


# ---------------------------------------------------------------- var / std
class Var(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, correction, keepdim, take_sqrt):
        if a.dtype.kind not in "fc":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        xp = ctx.xp
        ctx.axes, ctx.keepdim, ctx.sqrt = axes, keepdim, take_sqrt
        x = _acc(a)
        d = x - x.mean(axis=axes, keepdims=True)
        s = (d * d).sum(axis=axes, keepdims=keepdim)
        dof = _numel(a.shape, axes) - correction
        ctx.dof = dof if dof > 0 else 0
        out = xp.asarray(xp.divide(s, ctx.dof))
        if take_sqrt:
            out = xp.sqrt(out)
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        ra = _raw(a)
        g = _expand_back(g, ra.shape, ctx.axes, ctx.keepdim)
        d = a - a.mean(axis=ctx.axes, keepdims=True)
        if not ctx.sqrt:
            return g * d * (2.0 / ctx.dof if ctx.dof else math.inf), None, None, None, None
        o = _expand_back(out, ra.shape, ctx.axes, ctx.keepdim)
        zero = _raw(o) == 0
        o = o + _const(ctx, zero.astype(ra.dtype))  # std == 0 gives a zero gradient
        scale = (1.0 / ctx.dof if ctx.dof else math.inf)
        return g * d / o * _const(ctx, (~zero).astype(ra.dtype)) * scale, None, None, None, None


def _var_args(input, dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: both "
                        "'unbiased' and 'correction' given")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return _axes(dim, input.ndim), correction, keepdim


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Calculates the variance over the dimensions specified by ``dim``, with Bessel's
    ``correction`` (default 1; ``unbiased=False`` means 0)."""
    axes, c, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "var")
    return Var.apply(input, axes, c, keepdim, False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Calculates the standard deviation over the dimensions specified by ``dim``, with
    Bessel's ``correction`` (default 1; ``unbiased=False`` means 0)."""
    axes, c, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "std")
    return Var.apply(input, axes, c, keepdim, True)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Calculates the variance and mean over the dimensions specified by ``dim``."""
    axes, c, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return Var.apply(input, axes, c, keepdim, False), Mean.apply(input, axes, keepdim, None)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Calculates the standard deviation and mean over the dimensions specified by ``dim``."""
    axes, c, keepdim = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return Var.apply(input, axes, c, keepdim, True), Mean.apply(input, axes, keepdim, None)


# ---------------------------------------------------------------- logsumexp, norm
class LogSumExp(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes, keepdim):
        xp = ctx.xp
        ctx.axes, ctx.keepdim = axes, keepdim
        x = _acc(to_float(a))
        if x.size == 0:
            out = xp.log(xp.exp(x).sum(axis=axes, keepdims=keepdim))
        else:
            m = x.max(axis=axes, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
            if not keepdim:
                out = out.reshape(_reduced_shape(x.shape, axes))
        out = xp.asarray(out).astype(to_float(a).dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        shape = _raw(a).shape
        o = _expand_back(out, shape, ctx.axes, ctx.keepdim)
        return _expand_back(g, shape, ctx.axes, ctx.keepdim) * ctx.xp.exp(a - o), None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """Returns the log of summed exponentials of each row of ``input`` in the given
    dimension(s) ``dim``, computed in a numerically stable way."""
    return LogSumExp.apply(input, _axes(dim, input.ndim), keepdim)


class VectorNorm(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, p, axes, keepdim, np_dtype):
        xp = ctx.xp
        _float_only(a, "linalg.vector_norm")
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        x = xp.abs(_acc(a if np_dtype is None else a.astype(np_dtype)))
        kw = dict(axis=axes, keepdims=keepdim)
        if math.isinf(p):
            if x.size == 0 and _numel(a.shape, axes) == 0:
                raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty "
                                   "tensor because the operation does not have an identity")
            out = x.max(**kw) if p > 0 else x.min(**kw)
        elif p == 0:
            out = (x != 0).sum(dtype=x.dtype, **kw)
        elif p == 1:
            out = x.sum(**kw)
        elif p == 2:
            out = xp.sqrt((x * x).sum(**kw))
        else:
            with _errstate(xp):
                out = (x ** p).sum(**kw) ** (1.0 / p)
        out = xp.asarray(out).astype(np_dtype or a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None, None, None, None, None
        ra = _raw(a)
        xp = get_xp(ra)
        g = _expand_back(g, ra.shape, ctx.axes, ctx.keepdim)
        n = _expand_back(out, ra.shape, ctx.axes, ctx.keepdim)
        rn = _raw(n)
        sgn = xp.sign(ra)
        if p == 1:
            return g * _const(ctx, sgn), None, None, None, None
        if math.isinf(p):
            ab = xp.abs(ra)
            mask = (ab == rn) | xp.isnan(ab)
            scale = sgn * mask / mask.sum(axis=ctx.axes, keepdims=True)
            return g * _const(ctx, scale.astype(ra.dtype)), None, None, None, None
        nz = _const(ctx, (rn != 0).astype(ra.dtype))
        n_safe = n + _const(ctx, (rn == 0).astype(ra.dtype))
        if p == 2:
            return g * a / n_safe * nz, None, None, None, None
        ab = a * _const(ctx, sgn)
        if p < 1:
            z = ra == 0
            ab_safe = ab + _const(ctx, z.astype(ra.dtype))
            scaled = _const(ctx, sgn) * ab_safe ** (p - 1) * _const(ctx, (~z).astype(ra.dtype))
            return scaled * g * n ** (1 - p), None, None, None, None
        scaled = _const(ctx, sgn) * ab ** (p - 1) if p < 2 else a * ab ** (p - 2)
        return scaled * g / n_safe ** (p - 1) * nz, None, None, None, None


class _errstate:
    """Silence NumPy's divide/overflow warnings for norms with negative or large ``p``."""

    def __init__(self, xp):
        self.cm = xp.errstate(divide="ignore", over="ignore") if hasattr(xp, "errstate") \
            else None

    def __enter__(self):
        if self.cm is not None:
            self.cm.__enter__()

    def __exit__(self, *exc):
        if self.cm is not None:
            self.cm.__exit__(*exc)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Returns the matrix norm or vector norm of a given tensor (torch.norm: every order but
    'nuc' is a vector norm over ``dim``; 'fro' is the 2-norm)."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            p = 2
        else:
            from .. import linalg
            d = tuple(builtins.range(input.ndim)) if dim is None else dim
            if not hasattr(linalg, "matrix_norm"):
                raise NotImplementedError("norm(p='nuc') needs ember.linalg.matrix_norm")
            return linalg.matrix_norm(input, p, d, keepdim, dtype=dtype)
    p = 2.0 if p is None else float(p)
    np_dtype = None if dtype is None else _dt.to_np(dtype)
    return VectorNorm.apply(input, p, _axes(dim, input.ndim), keepdim, np_dtype)


# ---------------------------------------------------------------- all / any / count_nonzero
def _logical(input, dim, keepdim, is_all):
    a = input._data
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        out = a != 0
    else:
        axes = _axes(dim, a.ndim)
        out = a.all(axis=axes, keepdims=keepdim) if is_all else a.any(axis=axes,
                                                                        keepdims=keepdim)
    out = get_xp(a).asarray(out)
    return _make(out.astype(a.dtype) if a.dtype == _dt.uint8.np else out, False, None, 0)


def all(input, dim=None, keepdim=False, *, out=None):
    """Tests if all elements in ``input`` (or in each row over ``dim``) evaluate to True."""
    return _logical(input, dim, keepdim, True)


def any(input, dim=None, keepdim=False, *, out=None):
    """Tests if any element in ``input`` (or in each row over ``dim``) evaluates to True."""
    return _logical(input, dim, keepdim, False)


def count_nonzero(input, dim=None):
    """Counts the number of non-zero values in ``input`` along the given ``dim``."""
    a = input._data
    out = (a != 0).sum(axis=_axes(dim, a.ndim), dtype=_I64)
    return _make(get_xp(a).asarray(out), False, None, 0)


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


# ---------------------------------------------------------------- median, kthvalue
def median(input, dim=None, keepdim=False):
    """Returns the median of the values in ``input`` (the lower of the two medians for an even
    count); with ``dim``, a namedtuple ``(values, indices)`` per row."""
    return _median(input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    """Returns the median of the values in ``input``, ignoring NaN values."""
    return _median(input, dim, keepdim, True)


def _median(input, dim, keepdim, ignore_nan):
    name = "nanmedian" if ignore_nan else "median"
    _no_bool(input._data, "median_cpu" if dim is None else "median_out")
    if dim is None:
        return SelectAll.apply(input, name)
    a, axis, shape = _dim_setup(input, dim, keepdim)
    if a.shape[axis] == 0:
        raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size.")
    xp = get_xp(a)
    order = xp.argsort(a, axis=axis, kind="stable")   # the index order torch's comparator uses
    isf = a.dtype.kind in "fc"
    if ignore_nan and isf:
        cnt = (~xp.isnan(a)).sum(axis=axis, keepdims=True)
        k = xp.maximum((cnt - 1) // 2, 0)
        if (cnt == 0).any():  # all-NaN rows: where torch's std::nth_element leaves them
            order = order.copy()
            om = xp.moveaxis(order, axis, -1)
            om[xp.moveaxis(cnt, axis, -1)[..., 0] == 0, 0] = _nth_all_equal(a.shape[axis])
    else:
        k = xp.full(_keep(a.shape, axis), (a.shape[axis] - 1) // 2)
    idx = xp.take_along_axis(order, k, axis)
    if isf and not ignore_nan:
        nan = xp.isnan(a)
        idx = xp.where(nan.any(axis=axis, keepdims=True), nan.argmax(axis=axis, keepdims=True),
                       idx)
    cls = return_types.nanmedian if ignore_nan else return_types.median
    return cls(*_pick(input, idx, axis, shape))


def _nth_all_equal(n):
    """The index libstdc++'s std::nth_element puts first among ``n`` equivalent elements
    (torch's nanmedian index for an all-NaN row)."""
    idx = list(_range(n))
    first, last = 0, n
    while last - first > 3:
        mid = first + (last - first) // 2
        idx[first], idx[mid] = idx[mid], idx[first]
        lo, hi = first + 1, last
        while True:
            hi -= 1
            if not lo < hi:
                break
            idx[lo], idx[hi] = idx[hi], idx[lo]
            lo += 1
        last = lo
    return idx[0]


def _keep(shape, axis):
    s = list(shape)
    s[axis] = 1
    return tuple(s)


def _gt(x, y):
    return (x != x and y == y) or x > y


def _quickselect(vals, k):
    """The index torch's CPU kthvalue returns: its quickselect (Sedgewick's partition, median
    of three, NaN largest) run on one row; used only for rows with ties at the k-th value."""
    arr = list(vals)
    idx = list(_range(len(arr)))

    def swap(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]
    lo, hi = 0, len(arr) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt(arr[lo], arr[hi]):
                swap(lo, hi)
            break
        swap((lo + hi) >> 1, lo + 1)
        if _gt(arr[lo + 1], arr[hi]):
            swap(lo + 1, hi)
        if _gt(arr[lo], arr[hi]):
            swap(lo, hi)
        if _gt(arr[lo + 1], arr[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, arr[lo]
        while True:
            i += 1
            while _gt(piv, arr[i]):
                i += 1
            j -= 1
            while _gt(arr[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]


def kthvalue(input, k, dim=-1, keepdim=False):
    """Returns a namedtuple ``(values, indices)``: the ``k``-th smallest element of each row
    of ``input`` in the dimension ``dim`` and its index."""
    a, axis, shape = _dim_setup(input, dim, keepdim)
    _no_bool(a, "kthvalue_cpu")
    n = a.shape[axis]
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {axis} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    xp = get_xp(a)
    if a.size == 0:
        idx = xp.zeros(_keep(a.shape, axis), _I64)
        return return_types.kthvalue(*_pick(input, idx, axis, shape))
    v = xp.take(xp.partition(a, k - 1, axis=axis), [k - 1], axis=axis)
    match = a == v
    if a.dtype.kind in "fc":
        match |= xp.isnan(a) & xp.isnan(v)
    idx = match.argmax(axis=axis, keepdims=True)
    ties = match.sum(axis=axis, keepdims=True) > 1
    if ties.any():
        am, im, tm = (xp.moveaxis(t, axis, -1) for t in (a, idx, ties))
        for pos in zip(*xp.nonzero(tm[..., 0])):
            im[pos + (0,)] = _quickselect(am[pos].tolist(), k - 1)
    return return_types.kthvalue(*_pick(input, idx, axis, shape))


# ---------------------------------------------------------------- sort, topk
def _argsort(xp, a, axis, descending):
    """Stable argsort (NaN largest); descending keeps equal elements in their order."""
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    return (n - 1) - xp.flip(xp.argsort(xp.flip(a, axis), axis=axis, kind="stable"), axis)


def sort(input, dim=-1, descending=False, *, stable=False):
    """Sorts the elements of ``input`` along ``dim`` in ascending order by value (descending
    with ``descending``); returns a namedtuple ``(values, indices)``. The sort is always
    stable."""
    a, axis, _ = _dim_setup(input, dim, True)
    idx = _argsort(get_xp(a), a, axis, descending)
    return return_types.sort(*_pick(input, idx, axis, input.shape))


def argsort(input, dim=-1, descending=False, stable=False):
    """Returns the indices that sort ``input`` along ``dim`` by value."""
    return sort(input, dim, descending).indices


def msort(input):
    """Sorts the elements of ``input`` along its first dimension in ascending order."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """Returns a namedtuple ``(values, indices)``: the ``k`` largest (``largest=False``:
    smallest) elements of ``input`` along ``dim``, sorted; among equal values the lowest
    index comes first."""
    a, axis, _ = _dim_setup(input, dim, True)
    _no_bool(a, "topk does not support bool dtypes on CPU", RuntimeError)
    n = a.shape[axis]
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    xp = get_xp(a)
    idx = _argsort(xp, a, axis, largest)
    idx = idx[(slice(None),) * axis + (slice(0, k),)]
    shape = idx.shape if input.ndim else ()
    return return_types.topk(*_pick(input, idx, axis, shape))


# ---------------------------------------------------------------- unique
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Returns the unique elements of ``input`` (sorted), optionally with the inverse indices
    and the counts; with ``dim``, the unique slices along it."""
    a = input._data
    xp = get_xp(a)
    if dim is None:
        vals, inv, cnt = xp.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                   equal_nan=False)
        inv = inv.reshape(a.shape)
    else:
        axis = wrap_dim(dim, a.ndim)
        vals, inv, cnt = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
        inv = inv.reshape(-1)
    return _unique_out(vals, inv, cnt, return_inverse, return_counts)


def _unique_out(vals, inv, cnt, return_inverse, return_counts):
    out = [_make(vals, False, None, 0)]
    if return_inverse:
        out.append(_make(inv.astype(_I64), False, None, 0))
    if return_counts:
        out.append(_make(cnt.astype(_I64), False, None, 0))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Eliminates all but the first element from every consecutive group of equivalent
    elements (or slices along ``dim``)."""
    a = input._data
    xp = get_xp(a)
    if dim is None:
        rows, axis, shape = a.reshape(-1, 1), None, a.shape
    else:
        axis = wrap_dim(dim, a.ndim)
        m = xp.moveaxis(a, axis, 0)
        rows, shape = m.reshape(m.shape[0], -1), (m.shape[0],)
    n = rows.shape[0]
    start = xp.ones(n, bool)
    if n > 1:
        start[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    first = xp.nonzero(start)[0]
    if axis is None:
        vals = a.reshape(-1)[first]
    else:
        vals = xp.take(a, first, axis=axis)
    inv = (xp.cumsum(start) - 1).reshape(shape)
    cnt = xp.diff(xp.append(first, n))
    return _unique_out(vals, inv, cnt, return_inverse, return_counts)


TENSOR_METHODS = {
    "sum": sum, "mean": mean, "nansum": nansum, "nanmean": nanmean, "prod": prod, "max": max,
    "min": min, "amax": amax, "amin": amin, "argmax": argmax, "argmin": argmin,
    "aminmax": aminmax, "var": var, "std": std, "logsumexp": logsumexp, "norm": norm,
    "all": all, "any": any, "count_nonzero": count_nonzero, "cumsum": cumsum,
    "cumprod": cumprod, "cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp,
    "median": median, "nanmedian": nanmedian, "kthvalue": kthvalue, "sort": sort,
    "argsort": argsort, "msort": msort, "topk": topk, "unique": unique,
    "unique_consecutive": unique_consecutive,
    "cumsum_": lambda self, dim, *, dtype=None: inplace(cumsum, self, dim, dtype=dtype),
    "cumprod_": lambda self, dim, *, dtype=None: inplace(cumprod, self, dim, dtype=dtype),
}
