"""Shape and view ops: reshape/view/flatten/squeeze, permute/transpose, expand/broadcast; and
:func:`as_view`, which every view op calls. Slicing views (select, narrow, split, diagonal,
unfold, as_strided) are in slicing.py; the ops that build new tensors from pieces (cat, stack,
flip, roll, repeat, tril, ...) in join.py.

Ops that return views share memory and the version counter with their input, as in torch;
:func:`as_view` records the relation. View primitives whose gradient is a scatter (select,
narrow, diagonal, unfold) pair with a scatter primitive whose own gradient is the view again,
so double backward stays closed under these two ops.
"""
from __future__ import annotations

import importlib as _importlib
import operator as _operator
from math import prod as _prod

from .. import dtypes as _dt
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.function import Function
from ..backend import get_xp as _get_xp
from ..backend.cpu import ndarray as _ndarray
from .._tensor import Tensor, _make
from ._util import wrap_dim

__all__ = [
    "reshape", "view_as", "reshape_as", "flatten", "unflatten", "ravel", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim",
    "moveaxis", "expand_copy", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
    "atleast_1d", "atleast_2d", "atleast_3d",
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


# ================================================================ Tensor methods
def _squeeze_method(self, dim=None):
    return squeeze(self, dim)


TENSOR_METHODS = {
    "reshape": reshape, "view": view, "view_as": view_as, "reshape_as": reshape_as,
    "flatten": flatten, "unflatten": unflatten, "ravel": ravel, "squeeze": _squeeze_method,
    "unsqueeze": unsqueeze, "permute": permute, "transpose": transpose, "swapaxes": transpose,
    "swapdims": transpose, "t": t, "adjoint": adjoint, "movedim": movedim, "moveaxis": movedim,
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
}


# ================================================================ names that moved out
def __getattr__(name):
    """The slicing views and the joining ops moved to slicing.py and join.py; they stay
    importable from here."""
    if not name.startswith("__"):
        for mod in ("slicing", "join"):
            module = _importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
