"""Ops that build a new tensor from pieces of others: cat/stack and their variants; flip,
rot90, roll, repeat, tile, repeat_interleave; tril/triu, tril_indices/triu_indices, meshgrid.
"""
from __future__ import annotations

import warnings as _warnings

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend.cpu import xp as _host_xp
from .._tensor import Tensor, _make
from ._util import inplace, wrap_dim
from .movement import (_ALL, _dims_arg, _index, _shape_arg, atleast_1d, atleast_2d, atleast_3d,
                       expand, movedim, reshape, transpose)
from .slicing import split, unbind

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack",
           "column_stack", "flip", "fliplr", "flipud", "rot90", "roll", "tile",
           "repeat_interleave", "tril", "triu", "tril_indices", "triu_indices", "meshgrid"]


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
def _flip_method(self, *dims):
    return flip(self, *dims)


TENSOR_METHODS = {
    "flip": _flip_method, "fliplr": fliplr, "flipud": flipud, "rot90": rot90, "roll": roll,
    "repeat": repeat, "tile": tile, "repeat_interleave": repeat_interleave, "tril": tril,
    "triu": triu,
    "tril_": lambda self, diagonal=0: inplace(tril, self, diagonal),
    "triu_": lambda self, diagonal=0: inplace(triu, self, diagonal),
}
