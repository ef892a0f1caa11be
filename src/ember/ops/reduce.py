"""Reductions: sum, mean, prod, max/min, var/std, norms, logsumexp, all/any. The cumulative ops
are in cumulative.py; sorting, median, kthvalue, topk and unique in sorting.py.

Value-selecting ops (max/min/median/kthvalue along a dim, sort, topk, cummax/cummin) compute
their indices without autograd and pick the values through one primitive, :class:`TakeAlong`,
whose backward sends the gradient to the picked index (and whose double backward picks
again). amax/amin and max()/min()/median() without a dim split the gradient evenly among
ties, as torch does. float16 inputs reduce in float32 and return float16.
"""
from __future__ import annotations

import builtins
import collections
import importlib
import math

from .. import dtypes as _dt
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..backend import get_xp
from ..backend.cpu import ndarray as _ndarray
from ..backend.cpu import xp as _cpu_xp
from ._util import expand_to, normalize_dims, to_float, type_name, wrap_dim

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax",
           "argmin", "aminmax", "var", "std", "var_mean", "std_mean", "logsumexp", "norm",
           "all", "any", "count_nonzero"]

_F16, _F32, _I64 = _dt.float16.np, _dt.float32.np, _dt.int64.np
_F64 = _dt.float64.np
_np_sum = _cpu_xp.add.reduce
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
        if axes is None and np_dtype is None and a.__class__ is _ndarray \
                and (a.dtype is _F32 or a.dtype is _F64):
            return _np_sum(a, None)  # the loss.sum() of every small graph: NumPy's bare reduction
        if np_dtype is None:
            if a.dtype.kind in "biu":
                np_dtype = _I64
            elif a.dtype == _F16:
                return a.sum(axis=axes, keepdims=keepdim, dtype=_F32).astype(_F16)
        return a.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.axes is not None:  # a full reduction's gradient broadcasts as it is
            g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim)
        return expand_to(ctx.xp, g, ctx.shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Returns the sum of all elements of ``input``, or of each row over dimension(s) ``dim``
    (integral and bool inputs sum to int64 unless ``dtype`` is given)."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    axes = None if dim is None else _axes(dim, input.ndim)
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
        ctx.n = n = _numel(a.shape, axes)
        if np_dtype is None:
            # what NumPy's mean computes (a sum, then a division), without its Python-level
            # wrapper (~3 us on small arrays)
            if a.dtype == _F16:
                return (a.sum(axis=axes, keepdims=keepdim, dtype=_F32) / n).astype(_F16)
            return a.sum(axis=axes, keepdims=keepdim) / n
        return a.mean(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.axes is not None:  # a full reduction's gradient broadcasts as it is
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
    axes = None if dim is None else _axes(dim, input.ndim)
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
        from . import elementwise
        fn = elementwise.maximum if kind == "max" else elementwise.minimum
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


TENSOR_METHODS = {
    "sum": sum, "mean": mean, "nansum": nansum, "nanmean": nanmean, "prod": prod, "max": max,
    "min": min, "amax": amax, "amin": amin, "argmax": argmax, "argmin": argmin,
    "aminmax": aminmax, "var": var, "std": std, "logsumexp": logsumexp, "norm": norm,
    "all": all, "any": any, "count_nonzero": count_nonzero,
}


# ---------------------------------------------------------------- names that moved out
def __getattr__(name):
    """The cumulative ops and sorting moved to cumulative.py and sorting.py; they stay
    importable from here."""
    if not name.startswith("__"):
        for mod in ("cumulative", "sorting"):
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
