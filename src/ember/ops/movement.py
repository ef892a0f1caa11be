"""Shape and view ops: reshape, permute, expand, cat/stack, split, flip, ...

Ops that return views share memory and the version counter with their input, as in torch;
:func:`as_view` records the relation.
"""
from __future__ import annotations

from ..autograd.function import Function
from .._tensor import Tensor
from ._util import wrap_dim

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "expand_copy",
           "unbind", "t"]


def as_view(out, input, replay):
    """Mark ``out`` as a view of ``input``: shared version counter, and (when autograd
    records) the base and a ``replay(base) -> view`` function for in-place ops on the view."""
    out._vbox = input._share_version()
    if out._requires_grad:
        base = input._base
        if base is None:
            out._base = input
            out._view_fn = replay
        else:
            prev = input._view_fn
            out._base = base
            out._view_fn = (lambda b: replay(prev(b))) if prev is not None else None
    return out


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _infer_shape(shape, numel):
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class Reshape(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


def reshape(input, *shape):
    """Returns a tensor with the same data and number of elements as ``input``, but with the
    specified shape (a view when possible)."""
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    out = Reshape.apply(input, shape)
    if out._data.base is not None:
        as_view(out, input, lambda b: reshape(b, shape))
    return out


def view(input, *shape):
    """Returns a new tensor with the same data as ``input`` but of a different ``shape``."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return _view_dtype(input, shape[0])
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    out = Reshape.apply(input, shape)
    if out._data.base is None and input._data.size > 1:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return as_view(out, input, lambda b: view(b, shape))


def _view_dtype(input, dtype):
    from .. import dtypes
    from .._tensor import _make
    return _make(input._data.view(dtypes.to_np(dtype)), False, None, 0)


class Permute(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(*inv) if isinstance(g, Tensor) else g.transpose(inv), None


def permute(input, *dims):
    """Returns a view of ``input`` with its dimensions permuted."""
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = Permute.apply(input, dims)
    return as_view(out, input, lambda b: permute(b, dims))


def transpose(input, dim0, dim1):
    """Returns a tensor that is a transposed version of ``input`` (dims ``dim0``, ``dim1``
    swapped), sharing its storage."""
    nd = input._data.ndim
    if nd == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return as_view(Permute.apply(input, ()), input, lambda b: b)
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    dims = list(range(nd))
    dims[d0], dims[d1] = d1, d0
    return permute(input, dims)


swapaxes = swapdims = transpose


def t(input):
    """Expects ``input`` to be <= 2-D and transposes dimensions 0 and 1."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return transpose(input, 0, -1) if input._data.ndim == 2 else input


class Expand(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, shape):
        return ctx.xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums the broadcast dims back


def expand(input, *sizes):
    """Returns a new view of ``input`` with singleton dimensions expanded to a larger size
    (-1 keeps a size)."""
    sizes = _shape_arg(sizes)
    nd = input._data.ndim
    if len(sizes) < nd:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(input.shape)}}}, size={list(sizes)}):"
                           " the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({nd})")
    lead = len(sizes) - nd
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            shape.append(s)
            continue
        cur = input._data.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(input.shape)}")
        shape.append(s)
    shape = tuple(shape)
    out = Expand.apply(input, shape)
    return as_view(out, input, lambda b: expand(b, shape))


def expand_copy(input, *sizes):
    return expand(input, *sizes).clone()


class Select(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return a[(slice(None),) * dim + (index,)]

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if ctx.create_graph:
            return xp.stack([g if i == ctx.index else xp.zeros_like(g)
                             for i in range(ctx.shape[ctx.dim])], ctx.dim), None, None
        out = xp.zeros(ctx.shape, g.dtype)
        out[(slice(None),) * ctx.dim + (ctx.index,)] = g
        return out, None, None


def select(input, dim, index):
    """Slices ``input`` along ``dim`` at ``index`` (removing that dimension); a view."""
    nd = input._data.ndim
    dim = wrap_dim(dim, nd)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    index %= size
    out = Select.apply(input, dim, index)
    return as_view(out, input, lambda b: select(b, dim, index))


def unbind(input, dim=0):
    """Removes a tensor dimension, returning a tuple of all slices along it."""
    dim = wrap_dim(dim, input._data.ndim)
    return tuple(select(input, dim, i) for i in range(input._data.shape[dim]))


TENSOR_METHODS = {
    "reshape": reshape, "view": view, "permute": permute, "transpose": transpose,
    "swapaxes": transpose, "swapdims": transpose, "t": t, "expand": expand,
    "select": select, "unbind": unbind,
}
