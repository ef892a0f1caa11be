"""Slicing views: select, narrow, unbind, split/chunk and friends, diagonal (and diag,
diag_embed), unfold, as_strided.

The results share memory and the version counter with their input (:func:`as_view`). View
primitives whose gradient is a scatter (select, narrow, diagonal, unfold) pair with a scatter
primitive whose own gradient is the view again, so double backward stays closed under these
two ops.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend.cpu import ndarray as _ndarray
from .._tensor import Tensor
from ._util import wrap_dim
from .movement import _ALL, _index, as_view, reshape

__all__ = ["select", "narrow", "unbind", "split", "tensor_split", "chunk", "hsplit", "vsplit",
           "dsplit", "diagonal", "diag", "diag_embed", "diagflat", "as_strided"]


# ================================================================ slicing views
class Slice(Function):
    """``a[key]`` for a basic key (ints and slices, ending with Ellipsis): a view."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a.shape, key
        return a[key]

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return SliceScatter.apply(g, ctx.shape, ctx.key), None
        out = ctx.xp.zeros(ctx.shape, dtype=g.dtype)
        out[ctx.key] = g
        return out, None


class SliceScatter(Function):
    """Zeros of ``shape`` with ``g`` written at ``key``: the gradient of :class:`Slice`."""
    _arrays = True

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        out[key] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        if ctx.create_graph:
            return Slice.apply(gg, ctx.key), None, None
        return gg[ctx.key], None, None


def select(input, dim, index):
    """Slices the ``input`` tensor along the selected dimension at the given index. This
    function returns a view of the original tensor with the given dimension removed."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, nd)
    index = _index(index)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    index %= size
    out = Slice.apply(input, (_ALL,) * dim + (index, Ellipsis))
    return as_view(out, input, lambda b: select(b, dim, index))


def narrow(input, dim, start, length):
    """Returns a new tensor that is a narrowed version of ``input``: the dimension ``dim`` is
    input from ``start`` to ``start + length``. The returned tensor and ``input`` share the
    same underlying storage."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, nd)
    start, length = _index(start), _index(length)
    size = input._data.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    out = Slice.apply(input, (_ALL,) * dim + (slice(start, start + length), Ellipsis))
    return as_view(out, input, lambda b: narrow(b, dim, start, length))


class Unbind(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        if dim == 0:
            return tuple([a[i, ...] for i in range(a.shape[0])])
        pre = (_ALL,) * dim
        return tuple([a[pre + (i, Ellipsis)] for i in range(a.shape[dim])])

    @staticmethod
    def backward(ctx, *grads):
        return ctx.xp.stack(grads, ctx.dim), None


def unbind(input, dim=0):
    """Removes a tensor dimension. Returns a tuple of all slices along a given dimension,
    already without it (views of ``input``)."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(dim, nd)
    outs = Unbind.apply(input, dim)
    for i, o in enumerate(outs):
        as_view(o, input, lambda b, i=i: select(b, dim, i))
    return outs


class Split(Function):
    """Pieces ``a[start:stop]`` along ``dim`` (views); one output per piece."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, bounds):
        ctx.dim, ctx.bounds, ctx.shape = dim, bounds, a.shape
        pre = (_ALL,) * dim
        return tuple([a[pre + (slice(s, e), Ellipsis)] for s, e in bounds])

    @staticmethod
    def backward(ctx, *grads):
        dim, bounds = ctx.dim, ctx.bounds
        if _is_partition(bounds, ctx.shape[dim]):
            return ctx.xp.concatenate(grads, axis=dim), None, None
        pre = (_ALL,) * dim
        out = None
        for (s, e), g in zip(bounds, grads):
            key = pre + (slice(s, e), Ellipsis)
            if ctx.create_graph:
                piece = SliceScatter.apply(g, ctx.shape, key)
                out = piece if out is None else out + piece
            else:
                if out is None:
                    out = ctx.xp.zeros(ctx.shape, dtype=g.dtype)
                out[key] += g
        return out, None, None


def _is_partition(bounds, n):
    pos = 0
    for s, e in bounds:
        if s != pos or e < s:
            return False
        pos = e
    return pos == n and len(bounds) > 0


def _split_bounds(input, dim, bounds):
    outs = Split.apply(input, dim, bounds)
    for (s, e), o in zip(bounds, outs):
        length = max(0, min(e, input._data.shape[dim]) - s)
        as_view(o, input, lambda b, s=s, n=length: narrow(b, dim, s, n))
    return outs


def split(tensor, split_size_or_sections, dim=0):
    """Splits the tensor into chunks. Each chunk is a view of the original tensor. If
    ``split_size_or_sections`` is an integer, the tensor is split into equally sized chunks
    (the last one may be smaller); if it is a list, into ``len(split_size_or_sections)``
    chunks with sizes in ``dim`` according to it."""
    nd = tensor._data.ndim
    if nd == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, nd)
    n = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [_index(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
    else:
        size = _index(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size="
                               f"{size}")
        if size == 0:
            if n != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {n}")
            sizes = [0]
        else:
            sizes = [size] * (n // size) + ([n % size] if n % size or n == 0 else [])
    bounds, pos = [], 0
    for s in sizes:
        bounds.append((pos, pos + s))
        pos += s
    return _split_bounds(tensor, dim, tuple(bounds))


def tensor_split(input, indices_or_sections, dim=0):
    """Splits a tensor into multiple sub-tensors, all of which are views of ``input``, along
    dimension ``dim`` according to the indices or number of sections specified by
    ``indices_or_sections``."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = wrap_dim(dim, nd)
    n = input._data.shape[dim]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype.kind not in "iu":
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have "
                               f"integral dtype, but got {ios.dtype}")
        if ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios._data.ndim} dims")
        ios = int(ios.item()) if ios._data.ndim == 0 else [int(i) for i in ios.tolist()]
    if isinstance(ios, (list, tuple)):
        idx = [_index(i) for i in ios]
        bounds, prev = [], 0
        for i in idx + [n]:
            i = i + n if i < 0 else i
            i = min(max(i, 0), n)
            bounds.append((prev, max(prev, i)))
            prev = i
        return _split_bounds(input, dim, tuple(bounds))
    sections = _index(ios)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    q, r = divmod(n, sections)
    bounds, pos = [], 0
    for k in range(sections):
        size = q + (1 if k < r else 0)
        bounds.append((pos, pos + size))
        pos += size
    return _split_bounds(input, dim, tuple(bounds))


def chunk(input, chunks, dim=0):
    """Attempts to split a tensor into the specified number of chunks. Each chunk is a view
    of the input tensor; the last chunk is smaller if the size is not divisible (and fewer
    chunks may be returned)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = _index(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    size = -(-n // chunks)
    if size == 0 and n == 0:
        return split(input, [0] * chunks, dim)
    return split(input, size, dim)


def _split_dir(input, ios, dim, name, min_nd):
    if input._data.ndim < min_nd:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_nd} dimension"
                           f"{'s' if min_nd > 1 else ''}, but got a tensor with "
                           f"{input._data.ndim} dimensions!")
    if not isinstance(ios, (list, tuple, Tensor)) and input._data.shape[dim] % _index(ios):
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {input._data.shape[dim]} is not divisible "
                           f"by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    """Splits ``input`` horizontally (along dim 1, or 0 for 1-D tensors)."""
    dim = 0 if input._data.ndim == 1 else 1
    return _split_dir(input, indices_or_sections, dim, "hsplit", 1)


def vsplit(input, indices_or_sections):
    """Splits ``input`` vertically (along dim 0); ``input`` must be at least 2-D."""
    return _split_dir(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    """Splits ``input`` depthwise (along dim 2); ``input`` must be at least 3-D."""
    return _split_dir(input, indices_or_sections, 2, "dsplit", 3)


# ================================================================ diagonals
def _diag_view(a, offset, d1, d2):
    """A writable diagonal view of an array (NumPy's own is read-only)."""
    v = a.diagonal(offset, d1, d2)
    if type(v) is _ndarray and a.flags.writeable:
        v.flags.writeable = True
    return v


class Diagonal(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, offset, d1, d2, *, copy=False):
        ctx.shape, ctx.args = a.shape, (offset, d1, d2)
        out = _diag_view(a, offset, d1, d2)
        return out.copy() if copy else out

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return (DiagonalScatter.apply(g, ctx.shape, *ctx.args),) + (None,) * 3
        out = ctx.xp.zeros(ctx.shape, dtype=g.dtype)
        _diag_view(out, *ctx.args)[...] = g
        return (out,) + (None,) * 3


class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``g`` on the given diagonal: diag_embed and the gradient of
    :class:`Diagonal`."""
    _arrays = True

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        if ctx.create_graph:
            return (Diagonal.apply(gg, *ctx.args),) + (None,) * 4
        return (gg.diagonal(*ctx.args),) + (None,) * 4


def _diag_dims(nd, dim1, dim2):
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """Returns a partial view of ``input`` with its diagonal elements with respect to ``dim1``
    and ``dim2`` appended as a dimension at the end of the shape."""
    d1, d2 = _diag_dims(input._data.ndim, dim1, dim2)
    offset = _index(offset)
    out = Diagonal.apply(input, offset, d1, d2)
    return as_view(out, input, lambda b: diagonal(b, offset, d1, d2))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Creates a tensor whose diagonals of certain 2D planes (specified by ``dim1`` and
    ``dim2``) are filled by ``input``; the last dimension of ``input`` is the diagonal."""
    nd = input._data.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2)
    shape = list(input._data.shape[:-1])
    n = (input._data.shape[-1] if nd > 1 else 1) + abs(_index(offset))
    lo, hi = min(d1, d2), max(d1, d2)
    shape.insert(lo, n)
    shape.insert(hi, n)
    src = input if nd > 1 else reshape(input, (1,))
    return DiagonalScatter.apply(src, tuple(shape), _index(offset), d1, d2)


def diag(input, diagonal=0):
    """If ``input`` is a vector (1-D tensor), returns a 2-D square tensor with the elements of
    ``input`` as the diagonal; if ``input`` is a matrix (2-D tensor), returns a 1-D tensor with
    the diagonal elements of ``input``."""
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return Diagonal.apply(input, _index(diagonal), 0, 1, copy=True)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diagflat(input, offset=0):
    """Creates a two-dimensional tensor with the flattened ``input`` as a diagonal."""
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


# ================================================================ strided views
def _unfold_view(xp, a, dim, size, step):
    shape, st = a.shape, a.strides
    n = (shape[dim] - size) // step + 1
    new_shape = shape[:dim] + (n,) + shape[dim + 1:] + (size,)
    new_strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
    return xp.lib.stride_tricks.as_strided(a, new_shape, new_strides)


class Unfold(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, size, step):
        ctx.shape, ctx.args = a.shape, (dim, size, step)
        return _unfold_view(ctx.xp, a, dim, size, step)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return UnfoldBackward.apply(g, ctx.shape, *ctx.args), None, None, None
        return UnfoldBackward.forward(ctx, g, ctx.shape, *ctx.args), None, None, None


class UnfoldBackward(Function):
    """Sum of the windows of ``g`` back into ``shape`` (overlapping windows add up)."""
    _arrays = True

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        ctx.args = (dim, size, step)
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        n = g.shape[dim]
        pre = (_ALL,) * dim
        for k in range(size):
            out[pre + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
        return out

    @staticmethod
    def backward(ctx, gg):
        dim, size, step = ctx.args
        if ctx.create_graph:
            return Unfold.apply(gg, dim, size, step), None, None, None, None
        return _unfold_view(ctx.xp, gg, dim, size, step), None, None, None, None


def unfold(input, dimension, size, step):
    """Returns a view of the original tensor which contains all slices of size ``size`` from
    ``self`` tensor in the dimension ``dimension``, with ``step`` between two slices; the slices
    are a new last dimension."""
    nd = input._data.ndim
    dim = wrap_dim(dimension, nd)
    n = input._data.shape[dim] if nd else 1
    size, step = _index(size), _index(step)
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if nd == 0:
        return narrow(reshape(input, (1,)), 0, 0, size)
    out = Unfold.apply(input, dim, size, step)
    return as_view(out, input, lambda b: unfold(b, dim, size, step))


def _storage(a):
    """(flat array over ``a``'s whole buffer, ``a``'s element offset in it)."""
    root = a
    while isinstance(root.base, _ndarray):
        root = root.base
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        root = a if a.flags.c_contiguous else a.copy()
    flat = root.reshape(-1, order="A")
    item = a.itemsize
    off = (a.__array_interface__["data"][0] - flat.__array_interface__["data"][0]) // item
    return flat, off


class AsStrided(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, size, stride, offset):
        flat, a_off = _storage(a)
        if offset is None:
            offset = a_off
        ctx.args = (size, stride, offset, flat.size, a.shape,
                    tuple(s // a.itemsize for s in a.strides), a_off)
        need = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
        if all(size) and need > flat.size:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, "
                               f"storage offset {offset}, and itemsize {a.itemsize} requiring a "
                               f"storage size of {need * a.itemsize} are out of bounds for "
                               f"storage of size {flat.size * a.itemsize}")
        start = flat[offset:] if offset < flat.size else flat[:0]
        return ctx.xp.lib.stride_tricks.as_strided(start, size, [s * a.itemsize for s in stride])

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            raise NotImplementedError("as_strided: double backward is not supported")
        size, stride, offset, n, in_shape, in_strides, in_off = ctx.args
        xp = ctx.xp
        storage = xp.zeros(n, dtype=g.dtype)
        xp.add.at(storage, _positions(xp, size, stride, offset).reshape(-1), g.reshape(-1))
        return storage[_positions(xp, in_shape, in_strides, in_off)], None, None, None


def _positions(xp, shape, strides, offset):
    pos = xp.full(shape, offset, dtype=xp.int64)
    for i, (n, s) in enumerate(zip(shape, strides)):
        pos += (xp.arange(n) * s).reshape((n,) + (1,) * (len(shape) - i - 1))
    return pos


def as_strided(input, size, stride, storage_offset=None):
    """Create a view of an existing tensor with specified ``size``, ``stride`` and
    ``storage_offset`` (in elements of the underlying storage)."""
    size = tuple(_index(s) for s in size)
    stride = tuple(_index(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if storage_offset is not None:
        storage_offset = _index(storage_offset)
        if storage_offset < 0:
            raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    out = AsStrided.apply(input, size, stride, storage_offset)
    return as_view(out, input, lambda b: as_strided(b, size, stride, storage_offset))


# ================================================================ Tensor methods
TENSOR_METHODS = {
    "select": select, "narrow": narrow, "unbind": unbind, "split": split,
    "tensor_split": tensor_split, "chunk": chunk, "hsplit": hsplit, "vsplit": vsplit,
    "dsplit": dsplit, "diagonal": diagonal, "diag": diag, "diag_embed": diag_embed,
    "diagflat": diagflat, "unfold": unfold, "as_strided": as_strided,
}
