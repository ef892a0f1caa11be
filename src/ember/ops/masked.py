"""Masked ops (masked_fill, masked_select, masked_scatter), flat indexing (take, put,
take_along_dim), nonzero/argwhere, and searchsorted/bucketize.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import inplace, type_name, wrap_dim
from .indexing import Index, IndexPut, _Adv, _prod, _single
from .scatter import Gather, _check_bounds, _check_index_dtype, _fill_value

__all__ = ["masked_fill", "masked_select", "masked_scatter", "take", "take_along_dim", "put",
           "nonzero", "argwhere", "searchsorted", "bucketize"]


# ---------------------------------------------------------------- masked ops
def _mask_data(mask, name):
    m = mask._data if isinstance(mask, Tensor) else mask
    if m.dtype.kind != "b":
        if name == "masked_fill_":
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {_C_NAMES.get(m.dtype.name, m.dtype.name)}")
        raise RuntimeError(f"{name}: expected BoolTensor for mask")
    return m


_C_NAMES = {"int64": "long int", "uint8": "unsigned char", "int32": "int", "float32": "float",
            "float64": "double", "int16": "short int", "int8": "signed char"}


def _broadcast_shape(a, b):
    nd = max(len(a), len(b))
    a = (1,) * (nd - len(a)) + tuple(a)
    b = (1,) * (nd - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


class MaskedFill(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        v = value.astype(a.dtype) if hasattr(value, "dtype") else \
            ctx.xp.asarray(value).astype(a.dtype)
        return ctx.xp.where(mask, v, a)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            ga = MaskedFill.apply(g, ctx.mask, 0.0)
        else:
            ga = ctx.xp.where(ctx.mask, 0, g)
        gv = (g - ga).sum() if ctx.needs_input_grad[2] else None
        return ga, None, gv


def masked_fill(input, mask, value):
    """Fills the elements of ``input`` with ``value`` where ``mask`` is True (the mask is
    broadcast with ``input``); out of place."""
    m = _mask_data(mask, "masked_fill_")
    _broadcast_shape(input._data.shape, m.shape)
    value = _fill_value(input, value, "masked_fill_")
    return MaskedFill.apply(input, m, value)


class MaskedSelect(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, mask, shape):
        xp = ctx.xp
        ctx.shape = shape
        if mask.shape != shape:
            mask = xp.broadcast_to(mask, shape)
        if a.shape != shape:
            a = xp.broadcast_to(a, shape)
        nz = ctx.nz = xp.flatnonzero(mask)
        return xp.take(a, nz)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            z = ctx.xp.zeros(int(_prod(ctx.shape)), dtype=g.dtype)
            return IndexPut.apply(z, g, None, _single(0, ctx.nz), False, True) \
                .reshape(ctx.shape), None, None
        out = ctx.xp.zeros(ctx.shape, g.dtype)
        out.reshape(-1)[ctx.nz] = g
        return out, None, None


def masked_select(input, mask, *, out=None):
    """Returns a new 1-D tensor of the elements of ``input`` where the boolean ``mask`` (broadcast
    with ``input``) is True."""
    m = _mask_data(mask, "masked_select")
    shape = _broadcast_shape(input._data.shape, m.shape)
    return MaskedSelect.apply(input, m, shape)


class MaskedScatter(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, mask, src, shape):
        xp = ctx.xp
        ctx.shape, ctx.src_shape = shape, src.shape
        out = xp.broadcast_to(a, shape).copy() if a.shape != shape else a.copy()
        m = xp.broadcast_to(mask, shape) if mask.shape != shape else mask
        nz = ctx.nz = xp.flatnonzero(m)
        if nz.size > src.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        ctx.mask = m
        out.reshape(-1)[nz] = src.reshape(-1)[:nz.size]
        return out

    @staticmethod
    def backward(ctx, g):
        n = ctx.nz.size
        cg = ctx.create_graph
        ga = MaskedFill.apply(g, ctx.mask, 0.0) if cg else ctx.xp.where(ctx.mask, 0, g)
        gs = None
        if ctx.needs_input_grad[2]:
            size = _prod(ctx.src_shape)
            if cg:
                sel = Index.apply(g.reshape(-1), None, _single(0, ctx.nz))
                z = ctx.xp.zeros(size, dtype=g.dtype)
                gs = IndexPut.apply(z, sel, (slice(0, n), Ellipsis), None, False, True)
            else:
                gs = ctx.xp.zeros(size, g.dtype)
                gs[:n] = g.reshape(-1)[ctx.nz]
            gs = gs.reshape(ctx.src_shape)
        return ga, None, gs, None


def masked_scatter(input, mask, source):
    """Copies elements of ``source`` into ``input`` (broadcast with ``mask``) at positions
    where ``mask`` is True, in order; out of place."""
    m = _mask_data(mask, "masked_scatter")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{type_name(input._data.dtype)} and {type_name(source._data.dtype)}")
    shape = _broadcast_shape(input._data.shape, m.shape)
    return MaskedScatter.apply(input, m, source, shape)


# ---------------------------------------------------------------- flat indexing
def _flat_index(input, index):
    a = input._data
    idx = index._data if isinstance(index, Tensor) else get_xp(a).asarray(index)
    if idx.dtype.name not in ("int64", "int32"):
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{type_name(idx.dtype)}")
    n = a.size
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
    return idx


def take(input, index):
    """Returns a new tensor with the elements of ``input`` (treated as 1-D) at ``index``; the
    result has the shape of ``index``."""
    idx = _flat_index(input, index)
    return Index.apply(input.reshape(-1), None, _Adv([(0, idx, False)], idx.size > 1))


def take_along_dim(input, indices, dim=None, *, out=None):
    """Selects values from ``input`` at the 1-D ``indices`` along ``dim`` (``input`` and
    ``indices`` are broadcast except along ``dim``); ``dim=None`` treats both as 1-D."""
    if dim is None:
        idx = _check_index_dtype(indices, "take_along_dim").reshape(-1)
        n = input._data.size
        idx = _check_bounds(get_xp(idx), idx, n, 0, True)
        return Gather.apply(input.reshape(-1), 0, idx)
    a, idx = input._data, _check_index_dtype(indices, "take_along_dim")
    if a.ndim != idx.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {a.ndim} dimensions for input, and "
                           f"{idx.ndim} dimensions for indices")
    dim = wrap_dim(dim, a.ndim)
    n = a.shape[dim] if a.ndim else 1
    idx = _check_bounds(get_xp(idx), idx, n, dim, True)
    sa, si = list(a.shape), list(idx.shape)
    sa[dim] = si[dim] = 1
    b = list(_broadcast_shape(sa, si))
    if a.ndim:
        b[dim] = a.shape[dim]
        if tuple(b) != a.shape:
            input = input.expand(*b)
        b[dim] = idx.shape[dim]
        if tuple(b) != idx.shape:
            idx = get_xp(idx).broadcast_to(idx, tuple(b))
    return Gather.apply(input, dim, idx)


def put(input, index, source, accumulate=False):
    """Copies the elements of ``source`` into ``input`` (treated as 1-D) at ``index``
    (adding them with ``accumulate=True``); out of place."""
    idx = _flat_index(input, index).reshape(-1)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {type_name(input._data.dtype)} and source.dtype = "
                           f"{type_name(source._data.dtype)}")
    if source._data.size != idx.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source._data.size}, "
                           f"index.numel() = {idx.size}")
    flat = IndexPut.apply(input.reshape(-1), source.reshape(-1), None,
                          _Adv([(0, idx, False)], idx.size > 1), accumulate, True)
    return flat.reshape(input._data.shape)


# ---------------------------------------------------------------- nonzero / searchsorted
def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the non-zero elements of ``input``: a 2-D tensor (one row per element)
    or, with ``as_tuple=True``, a tuple of 1-D tensors, one per dimension."""
    a = input._data
    xp = get_xp(a)
    if as_tuple:
        parts = xp.nonzero(a.reshape(1) if a.ndim == 0 else a)
        return tuple(_make(p.astype("int64", copy=False), False, None, 0) for p in parts)
    if a.ndim == 0:
        return _make(xp.zeros((int(a != 0), 0), "int64"), False, None, 0)
    return _make(xp.argwhere(a).astype("int64", copy=False), False, None, 0)


def argwhere(input):
    """Returns a tensor containing the indices of all non-zero elements of ``input``."""
    return nonzero(input)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Finds the indices into the innermost dimension of ``sorted_sequence`` such that
    inserting the values of ``input`` before them keeps the order."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    xp = get_xp(seq)
    vals = input._data if isinstance(input, Tensor) else xp.asarray(input)
    srt = sorter._data if isinstance(sorter, Tensor) else sorter
    dt = "int32" if out_int32 else "int64"
    sd = "right" if right else "left"
    if seq.ndim == 1:
        res = xp.searchsorted(seq, vals, side=sd, sorter=srt)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               "the first N-1 dimensions of boundaries tensor and input value "
                               "tensor must match, but we got boundaries tensor "
                               f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        if srt is not None:
            seq = xp.take_along_axis(seq, srt, axis=-1)
        res = xp.empty(vals.shape, dt)
        for i in _ndindex(seq.shape[:-1]):
            res[i] = xp.searchsorted(seq[i], vals[i], side=sd)
    return _make(xp.asarray(res).astype(dt, copy=False), False, None, 0)


def _ndindex(shape):
    import itertools
    return itertools.product(*(range(s) for s in shape))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Returns the indices of the buckets to which each value in ``input`` belongs, the
    bucket boundaries being ``boundaries`` (1-D, increasing)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---------------------------------------------------------------- in-place variants
def masked_fill_(self, mask, value):
    return inplace(masked_fill, self, mask, value)



def masked_scatter_(self, mask, source):
    return inplace(masked_scatter, self, mask, source)



def put_(self, index, source, accumulate=False):
    return inplace(put, self, index, source, accumulate)



TENSOR_METHODS = {
    "masked_fill": masked_fill, "masked_fill_": masked_fill_, "masked_select": masked_select,
    "masked_scatter": masked_scatter, "masked_scatter_": masked_scatter_, "take": take,
    "take_along_dim": take_along_dim, "put": put, "put_": put_, "nonzero": nonzero,
    "argwhere": argwhere,
}
