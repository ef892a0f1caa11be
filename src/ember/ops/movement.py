"""Shape and view ops: reshape, permute, expand, slicing views, cat/stack, split, flip, ...

Ops that return views share memory and the version counter with their input, as in torch;
:func:`as_view` records the relation. View primitives whose gradient is a scatter (select,
narrow, diagonal, unfold) pair with a scatter primitive whose own gradient is the view again,
so double backward stays closed under these two ops.
"""
from __future__ import annotations

import operator as _operator
from math import prod as _prod
import warnings as _warnings

from .. import dtypes as _dt
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.function import Function
from ..backend import get_xp as _get_xp
from ..backend.cpu import ndarray as _ndarray
from ..backend.cpu import xp as _host_xp
from .._tensor import Tensor, _make
from ._util import inplace, wrap_dim

__all__ = [
    "reshape", "view_as", "reshape_as", "flatten", "unflatten", "ravel", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim",
    "moveaxis", "expand_copy", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
    "select", "narrow", "unbind", "split", "tensor_split", "chunk", "hsplit", "vsplit",
    "dsplit", "diagonal", "diag", "diag_embed", "diagflat", "as_strided", "cat", "concat",
    "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
    "atleast_1d", "atleast_2d", "atleast_3d", "flip", "fliplr", "flipud", "rot90", "roll",
    "tile", "repeat_interleave", "tril", "triu", "tril_indices", "triu_indices", "meshgrid",
]

_index = _operator.index
_ALL = slice(None)


def as_view(out, input, replay):
    """Mark ``out`` as a view of ``input``: shared version counter, and (when autograd
    records) the base and a ``replay(base) -> view`` function for in-place ops on the view."""
    box = input._vbox
    if box is None:
        box = input._vbox = [0]
    out._vbox = box
    if _grad_state.enabled:  # torch records the base whenever grad mode is on
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
    return shape


def _infer_shape(shape, numel):
    """``shape`` with its one ``-1`` resolved, checked against ``numel`` (torch's rules)."""
    if shape.__class__ is tuple and -1 not in shape and _prod(shape) == numel and (
            not shape or min(shape) >= 0):
        return shape  # the common case: an explicit, valid shape
    known = 1
    infer = -1
    for i, s in enumerate(shape):
        s = _index(s)
        if s >= 0:
            known *= s
        elif s == -1:
            if infer >= 0:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"{list(shape)}")
    shape = [_index(s) for s in shape]
    if infer >= 0:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[infer] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def _dims_arg(dims):
    if isinstance(dims, (tuple, list)):
        return tuple(_index(d) for d in dims)
    return (_index(dims),)


# ================================================================ reshape family
_VIEW_ERR = ("view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


class Reshape(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, shape, *, strict=False):
        ctx.in_shape = a.shape
        if a.flags.c_contiguous:
            return a.reshape(shape)
        item = a.itemsize
        strides = _view_strides(a.shape, [s // item for s in a.strides], shape)
        if strides is None:
            if strict:
                raise RuntimeError(_VIEW_ERR)
            return a.reshape(shape)  # a copy
        return ctx.xp.lib.stride_tricks.as_strided(a, shape, [s * item for s in strides])

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


def _view_strides(old, old_strides, new):
    """torch's computeStride: the strides of a view of (old, old_strides) as ``new``, or None
    when the view would need a copy."""
    if not old:
        return [1] * len(new)
    numel = 1
    for s in old:
        numel *= s
    if numel == 0:
        if tuple(old) == tuple(new):
            return list(old_strides)
        out = [1] * len(new)
        for d in range(len(new) - 2, -1, -1):
            out[d] = max(new[d + 1], 1) * out[d + 1]
        return out
    out = [0] * len(new)
    view_d = len(new) - 1
    base = old_strides[-1]
    tensor_numel = view_numel = 1
    for td in range(len(old) - 1, -1, -1):
        tensor_numel *= old[td]
        if td == 0 or (old[td - 1] != 1 and old_strides[td - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                out[view_d] = view_numel * base
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if td > 0:
                base = old_strides[td - 1]
                tensor_numel = view_numel = 1
    return out if view_d == -1 else None


def _shares(out, a):
    return _get_xp(a).may_share_memory(out, a)


def reshape(input, *shape):
    """Returns a tensor with the same data and number of elements as ``input``, but with the
    specified shape. When possible, the returned tensor will be a view of ``input``."""
    data = input._data
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = _infer_shape(shape, data.size)
    out = Reshape.apply(input, shape)
    if data.flags.c_contiguous or _shares(out._data, data):
        as_view(out, input, lambda b: reshape(b, shape))
    return out


def view(input, *shape):
    """Returns a new tensor with the same data as ``input`` but of a different ``shape``;
    ``view(dtype)`` reinterprets the bytes as another dtype."""
    if len(shape) == 1 and isinstance(shape[0], (_dt.dtype, str)):
        return _view_dtype(input, shape[0])
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    out = Reshape.apply(input, shape, strict=True)
    return as_view(out, input, lambda b: view(b, shape))


def _view_dtype(input, dtype):
    a = input._data
    new = _dt.to_np(dtype)
    old_size, new_size = a.itemsize, new.itemsize
    names = f"{input.dtype.name.capitalize()} as {_dt.as_dtype(dtype).name.capitalize()}"
    if old_size != new_size:
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names} (different element "
                               "sizes)")
        if a.strides[-1] != old_size and a.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names} (different element "
                               f"sizes), but got {a.strides[-1] // old_size}")
        if new_size > old_size and (a.shape[-1] * old_size) % new_size:
            raise RuntimeError(f"self.size(-1) must be divisible by {new_size // old_size} to "
                               f"view {names} (different element sizes), but got "
                               f"{a.shape[-1]}")
    try:
        out = a.view(new)
    except ValueError as e:
        raise RuntimeError(f"view(): cannot view {names}: {e}") from None
    return as_view(_make(out, False, None, 0), input, None)


def view_as(input, other):
    """View this tensor as the same size as ``other``."""
    return view(input, other._data.shape)


def reshape_as(input, other):
    """Returns this tensor as the same shape as ``other``."""
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Flattens ``input`` by reshaping it into a one-dimensional tensor. If ``start_dim`` or
    ``end_dim`` are passed, only dimensions starting with ``start_dim`` and ending with
    ``end_dim`` are flattened."""
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    """Expands a dimension of the input tensor over multiple dimensions."""
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    sizes = tuple(_index(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_shape(sizes, shape[dim])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[dim]}) in the input tensor") from None
    return reshape(input, shape[:dim] + sizes + shape[dim + 1:])  # splitting a dim: a view


def ravel(input):
    """Return a contiguous flattened tensor. A copy is made only if needed."""
    return reshape(input, (-1,))


def _fix_strides(out_arr, strides):
    """A view of ``out_arr`` with element ``strides`` (torch's choice where NumPy's differs
    only on size-1 dims)."""
    item = out_arr.itemsize
    xp = _get_xp(out_arr)
    return xp.lib.stride_tricks.as_strided(out_arr, out_arr.shape, [s * item for s in strides])


def squeeze(input, dim=None):
    """Returns a tensor with the specified dimensions of ``input`` of size 1 removed (all of
    them when ``dim`` is None)."""
    shape = input._data.shape
    nd = len(shape)
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        if isinstance(dim, (tuple, list)):
            dims = [wrap_dim(d, nd) for d in dim]
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        else:
            dims = (wrap_dim(dim, nd),)
        new = tuple(s for i, s in enumerate(shape) if s != 1 or i not in dims)
    out = Reshape.apply(input, new)
    return as_view(out, input, lambda b: reshape(b, new))


def unsqueeze(input, dim):
    """Returns a new tensor with a dimension of size one inserted at the specified position."""
    a = input._data
    nd = a.ndim
    dim = wrap_dim(dim, nd + 1)
    shape = a.shape
    new = shape[:dim] + (1,) + shape[dim:]
    out = Reshape.apply(input, new)
    if dim == nd and nd and a.strides[-1] != a.itemsize and type(a) is _ndarray:
        strides = [s // a.itemsize for s in a.strides] + [1]
        out._data = _fix_strides(out._data, strides)
    return as_view(out, input, lambda b: reshape(b, new))


def _atleast(tensors, nd):
    single = len(tensors) == 1
    if single and isinstance(tensors[0], (tuple, list)):
        tensors, single = tensors[0], False
    res = []
    for t in tensors:
        d = t._data.ndim
        if d >= nd:
            res.append(t)
        elif nd == 3 and d == 2:
            res.append(unsqueeze(t, -1))
        elif nd == 3 and d == 1:
            res.append(reshape(t, (1, t._data.shape[0], 1)))
        else:
            res.append(reshape(t, (1,) * (nd - d) + t._data.shape))
    return res[0] if single else tuple(res)


def atleast_1d(*tensors):
    """Returns a 1-dimensional view of each input tensor with zero dimensions."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Returns a 2-dimensional view of each input tensor with zero dimensions."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Returns a 3-dimensional view of each input tensor with zero dimensions."""
    return _atleast(tensors, 3)


# ================================================================ permutations
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
    """Returns a view of the original tensor ``input`` with its dimensions permuted."""
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


class Transpose(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        return a.swapaxes(d0, d1)

    @staticmethod
    def backward(ctx, g):
        return g.swapaxes(ctx.d0, ctx.d1), None, None


def transpose(input, dim0, dim1):
    """Returns a tensor that is a transposed version of ``input``: the given dimensions
    ``dim0`` and ``dim1`` are swapped. The result shares its storage with ``input``."""
    nd = input._data.ndim
    if nd == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return as_view(Permute.apply(input, ()), input, lambda b: b)
    d0 = dim0 % nd if -nd <= dim0 < nd else wrap_dim(dim0, nd)
    d1 = dim1 % nd if -nd <= dim1 < nd else wrap_dim(dim1, nd)
    out = Transpose.apply(input, d0, d1)
    return as_view(out, input, lambda b: transpose(b, d0, d1))


swapaxes = swapdims = transpose


def t(input):
    """Expects ``input`` to be <= 2-D tensor and transposes dimensions 0 and 1."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    if input._data.ndim == 2:
        return transpose(input, 0, 1)
    return as_view(Permute.apply(input, tuple(range(input._data.ndim))), input, lambda b: b)


def adjoint(input):
    """Returns a view of the tensor conjugated and with the last two dimensions transposed."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor." if input._data.ndim == 1 else
                           "tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 0-D tensor.")
    out = transpose(input, -2, -1)
    return out.conj() if input._data.dtype.kind == "c" else out


def movedim(input, source, destination):
    """Moves the dimension(s) of ``input`` at the position(s) in ``source`` to the position(s)
    in ``destination``. Other dimensions of ``input`` that are not explicitly moved remain in
    their original order."""
    nd = input._data.ndim
    src, dst = _dims_arg(source), _dims_arg(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = [wrap_dim(d, nd) for d in src]
    dst = [wrap_dim(d, nd) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(_dims_arg(source))})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` "
                           f"({list(_dims_arg(destination))})")
    if nd == 0:
        return permute(input, ())
    order = [-1] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    order = [o if o >= 0 else next(rest) for o in order]
    return permute(input, order)


moveaxis = movedim


# ================================================================ broadcasting
class Expand(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, shape):
        if type(a) is _ndarray and a.size and (a.flags.c_contiguous or a.flags.f_contiguous):
            return _expand_np(a, shape)
        return ctx.xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums the broadcast dims back


def _expand_np(a, shape):
    """A zero-copy broadcast view with torch's strides (NumPy's broadcast_to costs ~3 us)."""
    lead = len(shape) - a.ndim
    src, tail = a.shape, shape[lead:] if lead else shape
    strides = [0 if s != t else x for s, t, x in zip(src, tail, a.strides)]
    broadcast = src != tuple(tail)
    if lead:
        nxt = strides[0] * tail[0] if strides else a.itemsize
        head = [0] * lead
        for i in range(lead - 1, -1, -1):
            if shape[i] == 1:
                head[i] = nxt
            else:
                broadcast = True
            nxt = head[i] * shape[i]
        strides = head + strides
    out = _ndarray(shape, a.dtype, a, 0, strides)
    if broadcast or not a.flags.writeable:
        out.flags.writeable = False
    return out


def expand(input, *sizes):
    """Returns a new view of the ``input`` tensor with singleton dimensions expanded to a larger
    size. Passing -1 as the size for a dimension means not changing the size of that
    dimension."""
    sizes = _shape_arg(sizes)
    data = input._data
    cur_shape = data.shape
    if sizes == cur_shape or tuple(sizes) == cur_shape:
        shape = cur_shape
    else:
        shape = _expand_shape(input, sizes)
    out = Expand.apply(input, shape)
    return as_view(out, input, lambda b: expand(b, shape))


def _expand_shape(input, sizes):
    cur_shape = input._data.shape
    nd = len(cur_shape)
    if len(sizes) < nd:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(cur_shape)}}}, size={list(sizes)}):"
                           f" the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({nd})")
    lead = len(sizes) - nd
    shape = []
    for i, s in enumerate(sizes):
        s = _index(s)
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            shape.append(s)
            continue
        cur = cur_shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(cur_shape)}")
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(sizes)}")
        shape.append(s)
    return tuple(shape)


def expand_as(input, other):
    """Expand this tensor to the same size as ``other``."""
    return expand(input, other._data.shape)


def expand_copy(input, *sizes):
    return expand(input, *sizes).clone()


def broadcast_to(input, size):
    """Broadcasts ``input`` to the shape ``size``. Equivalent to ``input.expand(size)``."""
    return expand(input, tuple(size))


def broadcast_shapes(*shapes):
    """Similar to :func:`broadcast_tensors` but for shapes: returns the shape the given shapes
    broadcast to."""
    shapes = [(_index(s),) if not isinstance(s, (tuple, list)) else tuple(_index(x) for x in s)
              for s in shapes]
    nd = max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for k, s in enumerate(shapes):
        for i, d in enumerate(s):
            if d < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {d}: "
                                   f"{list(s)}")
            j = nd - len(s) + i
            if out[j] == 1:
                out[j] = d
            elif d != 1 and d != out[j]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {d} at "
                                   f"{i - len(s)}! Mismatching argument at index {k} had "
                                   f"{s}; but expected shape should be broadcastable to "
                                   f"{out}")
    from .._tensor import Size
    return Size(out)


def broadcast_tensors(*tensors):
    """Broadcasts the given tensors according to broadcasting semantics; each result is a
    view of its input."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = tuple(broadcast_shapes(*[t._data.shape for t in tensors]))
    return tuple(expand(t, shape) for t in tensors)


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


# ================================================================ joining
def _result_np(tensors):
    d = tensors[0]._data.dtype
    for t in tensors[1:]:
        e = t._data.dtype
        if e is not d:
            d = _dt.PROMOTE_NP[d, e]
    return d


def _tensors_arg(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    return list(tensors)


class Cat(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, *arrays, dim, np_dtype, skip):
        ctx.dim = dim
        ctx.sizes = [None if s else a.shape[dim] for a, s in zip(arrays, skip)]
        parts = [a if a.dtype == np_dtype else a.astype(np_dtype)
                 for a, s in zip(arrays, skip) if not s]
        if not parts:
            return ctx.xp.empty((0,), dtype=np_dtype)
        return ctx.xp.concatenate(parts, axis=dim)

    @staticmethod
    def backward(ctx, g):
        dim, sizes = ctx.dim, ctx.sizes
        needs = ctx.needs_input_grad
        kept = [s for s in sizes if s is not None]
        if ctx.create_graph and kept:
            pieces = iter(split(g, kept, dim))
        out = []
        pos = 0
        pre = (_ALL,) * dim
        for s, need in zip(sizes, needs):
            if s is None:
                out.append(ctx.xp.zeros((0,), dtype=g.dtype) if need else None)
                continue
            if ctx.create_graph:
                out.append(next(pieces))
            else:
                out.append(g[pre + (slice(pos, pos + s), Ellipsis)] if need else None)
            pos += s
        return tuple(out)


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenates the given sequence of tensors in ``tensors`` in the given dimension. All
    tensors must either have the same shape (except in the concatenating dimension) or be a 1-D
    empty tensor with size ``(0,)``."""
    tensors = _tensors_arg(tensors, "cat")
    if axis is not None:
        dim = axis
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    shapes = [t._data.shape for t in tensors]
    if () in shapes:
        raise RuntimeError(f"zero-dimensional tensor (at position {shapes.index(())}) cannot "
                           "be concatenated")
    skip = [s == (0,) for s in shapes]
    ref = next((s for s, k in zip(shapes, skip) if not k), None)
    if ref is None:
        d = wrap_dim(dim, 1)
    else:
        d = wrap_dim(dim, len(ref))
        pre, post = ref[:d], ref[d + 1:]
        for s, k in zip(shapes, skip):
            if not k and (s[:d] != pre or s[d + 1:] != post or len(s) != len(ref)):
                _cat_error(shapes, skip, ref, d)
    res = Cat.apply(*tensors, dim=d, np_dtype=_result_np(tensors), skip=tuple(skip))
    return _write_out(out, res)


def _cat_error(shapes, skip, ref, d):
    for i, (shape, k) in enumerate(zip(shapes, skip)):
        if k:
            continue
        if len(shape) != len(ref):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} "
                               f"and {len(shape)}")
        for j, (a, b) in enumerate(zip(ref, shape)):
            if j != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {a} but got size {b} for tensor number {i} "
                                   "in the list.")


concat = cat


def concatenate(tensors, axis=0, out=None):
    """Alias of :func:`cat` (NumPy's name and ``axis`` keyword)."""
    return cat(tensors, axis, out=out)


def _write_out(out, res):
    if out is None:
        return res
    if res._requires_grad:
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape != res._data.shape:
        out._data = res._data.astype(out._data.dtype)
    else:
        out._data[...] = res._data
    out._bump_version()
    return out


class Stack(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, *arrays, dim, np_dtype):
        ctx.dim = dim
        parts = [a if a.dtype == np_dtype else a.astype(np_dtype) for a in arrays]
        return ctx.xp.stack(parts, axis=dim)

    @staticmethod
    def backward(ctx, g):
        dim = ctx.dim
        if ctx.create_graph:
            return unbind(g, dim)
        pre = (_ALL,) * dim
        return tuple([g[pre + (i, Ellipsis)] if need else None
                      for i, need in enumerate(ctx.needs_input_grad)])


def stack(tensors, dim=0, *, out=None):
    """Concatenates a sequence of tensors along a new dimension. All tensors need to be of the
    same size."""
    tensors = _tensors_arg(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry "
                               f"{i}")
    d = wrap_dim(dim, len(shape) + 1)
    return _write_out(out, Stack.apply(*tensors, dim=d, np_dtype=_result_np(tensors)))


def hstack(tensors, *, out=None):
    """Stack tensors in sequence horizontally (column wise)."""
    tensors = atleast_1d(_tensors_arg(tensors, "hstack"))
    return cat(tensors, 0 if tensors and tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Stack tensors in sequence vertically (row wise)."""
    return cat(atleast_2d(_tensors_arg(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Stack tensors in sequence depthwise (along third axis)."""
    return cat(atleast_3d(_tensors_arg(tensors, "dstack")), 2, out=out)


def column_stack(tensors, *, out=None):
    """Creates a new tensor by horizontally stacking the tensors in ``tensors``: 0-D and 1-D
    tensors become columns first."""
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t
            for t in _tensors_arg(tensors, "column_stack")]
    return cat(cols, 1, out=out)


# ================================================================ copies: flip, roll, repeat
def _unique_dims(dims, nd):
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return dims


class Flip(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, axes):
        ctx.axes = axes
        return ctx.xp.flip(a, axes).copy()

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.flip(g, ctx.axes), None


def flip(input, *dims):
    """Reverse the order of an n-D tensor along the given axes in ``dims``. Makes a copy of
    ``input``'s data (unlike NumPy's ``np.flip``, which returns a view)."""
    dims = _shape_arg(dims) if dims else ()
    if isinstance(dims, int):
        dims = (dims,)
    nd = input._data.ndim
    dims = _unique_dims(dims, nd)
    return Flip.apply(input, dims if nd else ())


def fliplr(input):
    """Flip tensor in the left/right direction (dimension 1); ``input`` must be at least 2-D."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input):
    """Flip tensor in the up/down direction (dimension 0); ``input`` must be at least 1-D."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate an n-D tensor by 90 degrees in the plane specified by ``dims``; the rotation
    direction is from the first towards the second axis if ``k > 0``."""
    dims = list(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    k %= 4
    if k == 1:
        return transpose(Flip.apply(input, (d1,)), d0, d1)
    if k == 2:
        return Flip.apply(input, (d0, d1))
    if k == 3:
        return transpose(Flip.apply(input, (d0,)), d0, d1)
    return input.clone()


class Roll(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return ctx.xp.roll(a, shifts, axes)

    @staticmethod
    def backward(ctx, g):
        s = ctx.shifts
        neg = -s if isinstance(s, int) else tuple(-x for x in s)
        return ctx.xp.roll(g, neg, ctx.axes), None, None


def roll(input, shifts, dims=None):
    """Roll the tensor ``input`` along the given dimension(s). Elements that are shifted beyond
    the last position are re-introduced at the first position. If ``dims`` is None, the tensor
    is flattened before rolling and then restored to the original shape."""
    nd = input._data.ndim
    shifts_t = _dims_arg(shifts)
    if dims is None:
        if len(shifts_t) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, "
                               "dims:0")
        return Roll.apply(input, shifts_t[0], None)
    dims_t = _dims_arg(dims)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, "
                           f"dims:{len(dims_t)}")
    if nd == 0:
        raise IndexError(f"Dimension specified as {dims_t[0]} but tensor has no dimensions")
    dims_t = tuple(wrap_dim(d, nd) for d in dims_t)
    return Roll.apply(input, shifts_t, dims_t)


class Repeat(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, reps):
        shape = (1,) * (len(reps) - a.ndim) + a.shape
        src, inter = [], []
        for r, s in zip(reps, shape):
            src += [1, s]
            inter += [r, s]
        ctx.in_shape, ctx.inter = a.shape, tuple(inter)
        out = ctx.xp.empty(ctx.inter, dtype=a.dtype)
        out[...] = a.reshape(tuple(src))
        return out.reshape(tuple(r * s for r, s in zip(reps, shape)))

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(ctx.inter)
        if ctx.inter:
            g = g.sum(axis=tuple(range(0, len(ctx.inter), 2)))
        return g.reshape(ctx.in_shape), None


def repeat(input, *sizes):
    """Repeats this tensor along the specified dimensions (copying its data)."""
    reps = tuple(_index(r) for r in _shape_arg(sizes))
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {r}: "
                               f"{list(reps)}")
    return Repeat.apply(input, reps)


def tile(input, dims):
    """Constructs a tensor by repeating the elements of ``input``; ``dims`` specifies the
    number of repetitions in each dimension (padded with ones in front when shorter)."""
    reps = tuple(_index(r) for r in (dims if isinstance(dims, (tuple, list)) else (dims,)))
    reps = (1,) * (input._data.ndim - len(reps)) + reps
    return repeat(input, reps)


class RepeatInterleave(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, repeats, dim):
        ctx.shape, ctx.repeats, ctx.dim = a.shape, repeats, dim
        return ctx.xp.repeat(a, repeats, axis=dim)

    @staticmethod
    def backward(ctx, g):
        shape, r, dim = ctx.shape, ctx.repeats, ctx.dim
        if isinstance(r, int):
            split_shape = shape[:dim] + (shape[dim], r) + shape[dim + 1:]
            return g.reshape(split_shape).sum(axis=dim + 1), None, None
        if ctx.create_graph:  # g @ one-hot (out, in) matrix: differentiable again
            from .creation import eye
            onehot = repeat_interleave(eye(r.shape[0], dtype=g.dtype), _make(r, False, None, 0),
                                       dim=0)
            gm = ctx.xp.matmul(movedim(g, dim, -1), onehot)
            return movedim(gm, -1, dim), None, None
        xp = ctx.xp
        out = xp.zeros(shape, dtype=g.dtype)
        nz = r > 0
        if nz.any():
            starts = xp.cumsum(r) - r
            out[(_ALL,) * dim + (nz,)] = xp.add.reduceat(g, starts[nz], axis=dim)
        return out, None, None


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat elements of a tensor. ``repeats`` (an int or a tensor) is broadcast to fit the
    shape of the given axis; with ``dim=None`` the input is flattened first. With a single
    tensor argument, ``repeat_interleave(repeats)`` repeats ``arange(len(repeats))``."""
    if repeats is None:
        repeats = input
        from .creation import arange
        input = arange(repeats._data.shape[0] if repeats._data.ndim else 1,
                       dtype=_dt.int64)
        dim = 0
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    nd = input._data.ndim
    dim = wrap_dim(dim, nd)
    src = input if nd else reshape(input, (1,))
    n = src._data.shape[dim]
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                      f"'{repeats.dtype.name.capitalize()}'")
        if r.size == 1:
            repeats = int(r.reshape(-1)[0])
        else:
            if r.shape[0] != n:
                raise RuntimeError(f"repeats must have the same size as input along dim, but "
                                   f"got repeats.size(0) = {r.shape[0]} and input.size({dim}) "
                                   f"= {n}")
            if (r < 0).any():
                raise RuntimeError("repeats can not be negative")
            r = r.astype(_dt.int64.np)
            if output_size is not None and int(r.sum()) != output_size:
                raise RuntimeError("allocated size does not match required size")
            return RepeatInterleave.apply(src, r, dim)
    repeats = _index(repeats)
    if repeats < 0:
        raise RuntimeError("repeats can not be negative")
    if output_size is not None and output_size != n * repeats:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {n * repeats} "
                           f"but got {output_size}")
    return RepeatInterleave.apply(src, repeats, dim)


# ================================================================ triangles, grids
class Tril(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, k, upper):
        ctx.k, ctx.upper = k, upper
        return ctx.xp.triu(a, k) if upper else ctx.xp.tril(a, k)

    @staticmethod
    def backward(ctx, g):
        return (ctx.xp.triu(g, ctx.k) if ctx.upper else ctx.xp.tril(g, ctx.k)), None, None


def tril(input, diagonal=0, *, out=None):
    """Returns the lower triangular part of the matrix (2-D tensor) or batch of matrices
    ``input``; the other elements of the result are set to 0. ``diagonal`` controls which
    diagonal to consider."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _write_out(out, Tril.apply(input, _index(diagonal), False))


def triu(input, diagonal=0, *, out=None):
    """Returns the upper triangular part of a matrix (2-D tensor) or batch of matrices
    ``input``; the other elements of the result are set to 0."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _write_out(out, Tril.apply(input, _index(diagonal), True))


def _tri_indices(row, col, offset, dtype, upper):
    from .creation import tensor
    np = _host_xp  # index bookkeeping on the host, like torch's CPU kernel
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got {row}" if row < 0 else
                           f"col must be non-negative, got {col}")
    fn = np.triu_indices if upper else np.tril_indices
    rows, cols = fn(row, offset, col)
    return tensor(np.stack([rows, cols]).astype(_dt.to_np(dtype)).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Returns the indices of the lower triangular part of a ``row``-by-``col`` matrix in a
    2-by-N Tensor: the first row holds row coordinates, the second column coordinates."""
    out = _tri_indices(row, col, offset, dtype or _dt.int64, False)
    return out if device is None else out.to(device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Returns the indices of the upper triangular part of a ``row``-by-``col`` matrix in a
    2-by-N Tensor: the first row holds row coordinates, the second column coordinates."""
    out = _tri_indices(row, col, offset, dtype or _dt.int64, True)
    return out if device is None else out.to(device)


def meshgrid(*tensors, indexing=None):
    """Creates grids of coordinates specified by the 1D inputs in ``tensors``; with
    ``indexing='ij'`` the first dimension follows the first input, with ``'xy'`` the first two
    are swapped (Cartesian indexing). The results are expanded views."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        _warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                       "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(tensors)
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * n
    for t, p in zip(tensors, pos):
        shape[p] = t._data.size
    out = []
    for t, p in zip(tensors, pos):
        view_shape = [1] * n
        view_shape[p] = -1
        out.append(expand(reshape(t, tuple(view_shape)), tuple(shape)))
    return tuple(out)


# ================================================================ Tensor methods
def _squeeze_method(self, dim=None):
    return squeeze(self, dim)


def _flip_method(self, *dims):
    return flip(self, *dims)


TENSOR_METHODS = {
    "reshape": reshape, "view": view, "view_as": view_as, "reshape_as": reshape_as,
    "flatten": flatten, "unflatten": unflatten, "ravel": ravel, "squeeze": _squeeze_method,
    "unsqueeze": unsqueeze, "permute": permute, "transpose": transpose, "swapaxes": transpose,
    "swapdims": transpose, "t": t, "adjoint": adjoint, "movedim": movedim, "moveaxis": movedim,
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "select": select, "narrow": narrow, "unbind": unbind, "split": split,
    "tensor_split": tensor_split, "chunk": chunk, "hsplit": hsplit, "vsplit": vsplit,
    "dsplit": dsplit, "diagonal": diagonal, "diag": diag, "diag_embed": diag_embed,
    "diagflat": diagflat, "unfold": unfold, "as_strided": as_strided, "flip": _flip_method,
    "fliplr": fliplr, "flipud": flipud, "rot90": rot90, "roll": roll, "repeat": repeat,
    "tile": tile, "repeat_interleave": repeat_interleave, "tril": tril, "triu": triu,
    "tril_": lambda self, diagonal=0: inplace(tril, self, diagonal),
    "triu_": lambda self, diagonal=0: inplace(triu, self, diagonal),
}
