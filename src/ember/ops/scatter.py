"""gather and scatter (scatter, scatter_add, scatter_reduce) along a dim, and the index_* ops
(index_select, index_add, index_copy, index_fill).

Each gather's gradient is a scatter-add and each scatter's gradient a gather, so double
backward stays closed over the pair.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import inplace, type_name, wrap_dim
from .indexing import _FULL, IndexPut, _adv_add, _copy, _single

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "index_copy", "index_fill"]


# ---------------------------------------------------------------- gather / scatter
def _check_index_dtype(index, name):
    if index._data.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    return index._data


def _check_bounds(xp, index, n, dim, allow_negative=False, exc=RuntimeError, prefix=""):
    if index.size == 0:
        return index
    lo, hi = int(index.min()), int(index.max())
    low = -n if allow_negative else 0
    if lo < low or hi >= n:
        bad = lo if lo < low else hi
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {n}")
    if lo < 0:
        index = index % n
    return index


def _scatter_lin(xp, shape, dim, index):
    """Flat positions in a C-contiguous ``shape`` addressed by ``index`` along ``dim``."""
    nd = len(shape)
    st = [1] * nd
    for i in range(nd - 2, -1, -1):
        st[i] = st[i + 1] * shape[i + 1]
    lin = index.astype("int64") * st[dim] if nd else index.astype("int64")
    for d in range(nd):
        if d != dim and index.shape[d] > 1:
            r = xp.arange(index.shape[d]) * st[d]
            lin = lin + r.reshape((1,) * d + (-1,) + (1,) * (nd - d - 1))
    return lin


def _region(src, index):
    """The part of ``src`` that ``index`` reads (src may be larger than index)."""
    if src.shape == index.shape:
        return src
    return src[tuple(slice(0, s) for s in index.shape)]


def _scatter_add_into(xp, out, dim, index, src):
    """``out`` (C-contiguous) += scatter of ``src`` at ``index`` along ``dim``."""
    lin = _scatter_lin(xp, out.shape, dim, index).reshape(-1)
    vals = _region(src, index).reshape(-1)
    flat = out.reshape(-1)
    if out.ndim and index.shape[dim] == 1:     # one index per line: no repeats
        flat[lin] += vals
    elif vals.dtype.kind == "f" and flat.size <= 65536 and lin.size >= flat.size:
        flat += xp.bincount(lin, vals, minlength=flat.size)
    else:
        xp.add.at(flat, lin, vals)


def _gather_arrays(xp, a, dim, index):
    if a.ndim == 0:
        return a.reshape(1)[index]
    sl = tuple(_FULL if d == dim or index.shape[d] == a.shape[d] else slice(0, index.shape[d])
               for d in range(a.ndim))
    return xp.take_along_axis(a[sl], index, axis=dim)


class Gather(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return _gather_arrays(ctx.xp, a, dim, index)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            z = ctx.xp.zeros(ctx.shape, dtype=g.dtype)
            return ScatterAdd.apply(z, ctx.dim, ctx.index, g), None, None
        out = ctx.xp.zeros(ctx.shape, g.dtype)
        _scatter_add_into(ctx.xp, out, ctx.dim, ctx.index, g)
        return out, None, None


def _check_gather(input, dim, index, name, src=None):
    a = input._data
    idx = _check_index_dtype(index, name)
    dim = wrap_dim(dim, a.ndim)
    if max(idx.ndim, 1) != max(a.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if idx.ndim == 0 and a.ndim == 1:
        raise RuntimeError(f"{name}(): a 0-d index into a 1-d input is not supported in Ember")
    for d in range(a.ndim):
        if d != dim and idx.shape[d] > a.shape[d] or (
                src is not None and idx.shape[d] > src.shape[d]):
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {d} expected index "
                                   f"{list(idx.shape)} to be no larger than self "
                                   f"{list(a.shape)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                               f"{list(a.shape)} apart from dimension {dim} and to be no larger "
                               f"size than src {list(src.shape)}")
    n = a.shape[dim] if a.ndim else 1
    idx = _check_bounds(get_xp(a), idx, n, dim)
    return dim, idx


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Gathers values along an axis specified by ``dim``:
    ``out[i][j][k] = input[i][index[i][j][k]][k]`` for ``dim == 1``."""
    dim, idx = _check_gather(input, dim, index, "gather")
    return Gather.apply(input, dim, idx)


def _scatter_arrays(xp, a, dim, index, src, reduce):
    out = _copy(xp, a)
    flat = out.reshape(-1)
    lin = _scatter_lin(xp, out.shape, dim, index).reshape(-1)
    vals = _region(src, index).reshape(-1) if hasattr(src, "shape") else src
    if reduce is None:
        flat[lin] = vals
    elif reduce == "add":
        xp.add.at(flat, lin, vals)
    else:
        xp.multiply.at(flat, lin, vals)
    return out


class Scatter(Function):
    """``out = input.clone(); out[index along dim] = src`` (a tensor or a scalar value)."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce=None):
        ctx.dim, ctx.index, ctx.reduce = dim, index, reduce
        ctx.src_shape = getattr(src, "shape", None)
        return _scatter_arrays(ctx.xp, a, dim, index, src, reduce)

    @staticmethod
    def backward(ctx, g):
        if ctx.reduce is not None:
            raise RuntimeError("scatter(): backward with a reduce argument is not supported; use "
                               "scatter_reduce")
        need_a, _, _, need_s = ctx.needs_input_grad[:4]
        ga = gs = None
        if need_a:
            ga = Scatter.apply(g, ctx.dim, ctx.index, 0.0) if ctx.create_graph else \
                _scatter_arrays(ctx.xp, g, ctx.dim, ctx.index, 0, None)
        if need_s:
            gs = _gathered_grad(ctx, g)
        return ga, None, None, gs, None


def _gathered_grad(ctx, g, scale=None):
    """gather(g, dim, index), zero-padded to src's shape (the gradient of a scatter's src)."""
    index = ctx.index
    if ctx.create_graph:
        gs = Gather.apply(g, ctx.dim, index)
        if scale is not None:
            gs = gs * scale
        if ctx.src_shape != index.shape:
            z = ctx.xp.zeros(ctx.src_shape, dtype=g.dtype)
            gs = IndexPut.apply(z, gs, tuple(slice(0, s) for s in index.shape), None, False,
                                True)
        return gs
    gs = _gather_arrays(ctx.xp, g, ctx.dim, index)
    if scale is not None:
        gs = gs * scale
    if ctx.src_shape != index.shape:
        z = ctx.xp.zeros(ctx.src_shape, g.dtype)
        z[tuple(slice(0, s) for s in index.shape)] = gs
        gs = z
    return gs


def _scatter_args(input, dim, index, src, name):
    a = input._data
    if isinstance(src, Tensor):
        if src._data.dtype != a.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        s = src._data
    else:
        s = None
    dim, idx = _check_gather(input, dim, index, name, s)
    return dim, idx


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """Writes the values of ``src`` (or the scalar ``value``) into ``input`` at the indices
    in ``index`` along ``dim`` (out of place)."""
    if src is None:
        src = value
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    dim, idx = _scatter_args(input, dim, index, src, "scatter")
    if isinstance(src, Tensor) and src._data.ndim != input._data.ndim and input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if not isinstance(src, Tensor) and hasattr(src, "item"):
        src = src.item()
    return Scatter.apply(input, dim, idx, src, reduce)


class ScatterAdd(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = a.copy()
        _scatter_add_into(ctx.xp, out, dim, index, src)
        return out

    @staticmethod
    def backward(ctx, g):
        need_s = ctx.needs_input_grad[3]
        return g, None, None, (_gathered_grad(ctx, g) if need_s else None)


def scatter_add(input, dim, index, src):
    """Adds all values from ``src`` into ``input`` at the indices in ``index`` along ``dim``
    (repeated indices accumulate)."""
    if not isinstance(src, Tensor):
        raise TypeError("scatter_add(): argument 'src' (position 4) must be Tensor")
    dim, idx = _scatter_args(input, dim, index, src, "scatter")
    return ScatterAdd.apply(input, dim, idx, src)


_REDUCE_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
                 "amin": "minimum"}


def _identity(reduce, dtype, xp):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -xp.inf if reduce == "amax" else xp.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = xp.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


class ScatterReduce(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce, include_self):
        xp = ctx.xp
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        ctx.reduce, ctx.include_self = reduce, include_self
        out = a.copy()
        flat = out.reshape(-1)
        lin = _scatter_lin(xp, out.shape, dim, index).reshape(-1)
        vals = _region(src, index).reshape(-1)
        if not include_self:
            flat[lin] = _identity(reduce, a.dtype, xp)
        getattr(xp, _REDUCE_UFUNC[reduce]).at(flat, lin, vals)
        count = None
        if reduce in ("mean", "amax", "amin") or not include_self:
            count = xp.bincount(lin, minlength=flat.size).reshape(out.shape)
        if reduce == "mean":
            div = xp.maximum(count + (1 if include_self else 0), 1)
            if out.dtype.kind in "fc":
                out /= div
            else:
                out //= div.astype(out.dtype)
            ctx.div = div
        ctx.count = count
        if reduce in ("amax", "amin"):
            ctx.save_for_backward(a, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        reduce, dim, index, cg = ctx.reduce, ctx.dim, ctx.index, ctx.create_graph
        need_a, need_s = ctx.needs_input_grad[0], ctx.needs_input_grad[3]
        ga = gs = None
        if reduce == "sum":
            ga = g if ctx.include_self else _keep_unscattered(ctx, g)
            if need_s:
                gs = _gathered_grad(ctx, g)
        elif reduce == "mean":
            div = _as_const(ctx, ctx.div)
            ga = g / div if ctx.include_self else _keep_unscattered(ctx, g)
            if need_s:
                gs = _gathered_grad(ctx, g / div)
        elif reduce in ("amax", "amin"):
            a, src, out = ctx.saved_tensors
            xp = ctx.xp
            if cg:
                a, src, out = a._data, src._data, out._data
                xp = get_xp(a)
            self_hit = (a == out) if ctx.include_self else ctx.count == 0
            src_hit = _region(src, index) == _gather_arrays(xp, out, dim, index)
            ties = self_hit.astype(g.dtype.np if cg else g.dtype)
            _scatter_add_into(xp, ties, dim, index, src_hit.astype(ties.dtype))
            ties = xp.maximum(ties, 1)
            ga = g * _as_const(ctx, self_hit / ties)
            if need_s:
                w = _gather_arrays(xp, 1.0 / ties, dim, index) * src_hit
                gs = _gathered_grad(ctx, g, _as_const(ctx, w))
        else:
            raise RuntimeError("scatter_reduce(): the gradient for reduce='prod' is not "
                               "implemented in Ember")
        return (ga if need_a else None), None, None, gs, None, None


def _as_const(ctx, arr):
    return _make(arr, False, None, 0) if ctx.create_graph else arr


def _keep_unscattered(ctx, g):
    """g where no index pointed (the positions whose own value was excluded), 0 elsewhere."""
    hit = ctx.count > 0
    if ctx.create_graph:
        from .masked import MaskedFill
        return MaskedFill.apply(g, hit, 0.0)
    return ctx.xp.where(hit, 0, g)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Reduces all values from ``src`` into ``input`` at the indices in ``index`` along
    ``dim`` with ``reduce`` ("sum", "prod", "mean", "amax", "amin")."""
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    dim, idx = _scatter_args(input, dim, index, src, "scatter_reduce")
    return ScatterReduce.apply(input, dim, idx, src, reduce, include_self)


# ---------------------------------------------------------------- index_* along a dim
def _dim_index(input, dim, index, name, exc=RuntimeError, negative=False, prefix=""):
    a = input._data
    dim = wrap_dim(dim, a.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if idx.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    idx = idx.reshape(-1)
    n = a.shape[dim] if a.ndim else 1
    idx = _check_bounds(get_xp(a), idx, n, dim, negative, exc, prefix)
    return dim, idx


def _select_arrays(xp, a, dim, index):
    if a.ndim == 0:
        return a.reshape(1)[index].reshape(())
    return xp.take(a, index, axis=dim)


def _fill_arrays(xp, a, dim, index, value):
    out = _copy(xp, a)
    if out.ndim == 0:
        if index.size:
            out[...] = value
    else:
        out[(_FULL,) * dim + (index,)] = value
    return out


class IndexSelect(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim, ctx.index = a.shape, dim, index
        return _select_arrays(ctx.xp, a, dim, index)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if ctx.create_graph:
            z = xp.zeros(ctx.shape, dtype=g.dtype)
            return IndexAdd.apply(z, ctx.dim, ctx.index, g, 1), None, None
        out = xp.zeros(ctx.shape, g.dtype)
        if out.ndim == 0:
            out[...] = g.sum()
        else:
            _adv_add(xp, out, _single(ctx.dim, ctx.index), g, True)
        return out, None, None


def index_select(input, dim, index, *, out=None):
    """Returns a new tensor which indexes ``input`` along ``dim`` using the entries in
    ``index`` (a 1-D integer tensor)."""
    a = input._data
    dim = wrap_dim(dim, a.ndim)
    idx = index._data
    if a.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype.name not in ("int64", "int32"):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = idx.reshape(-1)
    n = a.shape[dim] if a.ndim else 1
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
    return IndexSelect.apply(input, dim, idx)


def _check_source(input, dim, idx, source, name):
    a, s = input._data, source._data
    if s.dtype != a.dtype:
        raise RuntimeError(f"{name}(): self ({type_name(a.dtype)}) and source "
                           f"({type_name(s.dtype)}) must have the same scalar type")
    ns = s.shape[dim] if s.ndim else 1
    if ns != idx.size:
        raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {dim}")
    expect = a.shape[:dim] + (idx.size,) + a.shape[dim + 1:] if a.ndim else (idx.size,)
    if s.ndim and s.shape != expect or s.ndim == 0 and a.ndim:
        raise RuntimeError(f"{name}(): Source/destination tensor must have same slice shapes. "
                           f"Destination slice shape: {list(a.shape)} at dimension {dim} and "
                           f"source slice shape: {list(s.shape)} at dimension {dim}.")


class IndexAdd(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index, src, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = a.copy()
        vals = src if alpha == 1 else src * alpha
        if out.ndim == 0:
            out += vals.sum()
        else:
            _adv_add(ctx.xp, out, _single(dim, index), vals, False)
        return out

    @staticmethod
    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[3]:
            gs = IndexSelect.apply(g, ctx.dim, ctx.index) if ctx.create_graph else \
                _select_arrays(ctx.xp, g, ctx.dim, ctx.index)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return g, None, None, gs, None


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """Accumulates ``alpha`` times the elements of ``source`` into ``input`` at the indices
    in ``index`` along ``dim`` (repeated indices accumulate)."""
    dim, idx = _dim_index(input, dim, index, "index_add")
    _check_source(input, dim, idx, source, "index_add_")
    return IndexAdd.apply(input, dim, idx, source, alpha)


class IndexCopy(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        if out.ndim == 0:
            out[...] = src.reshape(-1)[-1]
        else:
            out[(_FULL,) * dim + (index,)] = src
        return out

    @staticmethod
    def backward(ctx, g):
        cg = ctx.create_graph
        ga = IndexFill.apply(g, ctx.dim, ctx.index, 0.0) if cg else \
            _fill_arrays(ctx.xp, g, ctx.dim, ctx.index, 0)
        gs = None
        if ctx.needs_input_grad[3]:
            gs = IndexSelect.apply(g, ctx.dim, ctx.index) if cg else \
                _select_arrays(ctx.xp, g, ctx.dim, ctx.index)
        return ga, None, None, gs


def index_copy(input, dim, index, source):
    """Copies the elements of ``source`` into ``input`` at the indices in ``index`` along
    ``dim`` (out of place)."""
    dim, idx = _dim_index(input, dim, index, "index_copy", IndexError, prefix="index_copy_(): ")
    _check_source(input, dim, idx, source, "index_copy_")
    return IndexCopy.apply(input, dim, idx, source)


class IndexFill(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim, ctx.index = dim, index
        return _fill_arrays(ctx.xp, a, dim, index, value)

    @staticmethod
    def backward(ctx, g):
        ga = IndexFill.apply(g, ctx.dim, ctx.index, 0.0) if ctx.create_graph else \
            _fill_arrays(ctx.xp, g, ctx.dim, ctx.index, 0)
        gv = (g - ga).sum() if ctx.needs_input_grad[3] else None
        return ga, None, None, gv


def index_fill(input, dim, index, value):
    """Fills the elements of ``input`` at the indices in ``index`` along ``dim`` with
    ``value`` (a number or a 0-d tensor), out of place."""
    dim, idx = _dim_index(input, dim, index, "index_fill", IndexError, negative=True)
    value = _fill_value(input, value, "index_fill_")
    return IndexFill.apply(input, dim, idx, value)


def _fill_value(input, value, name):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value._data.dtype != input._data.dtype:
            if value._requires_grad and input._data.dtype.kind in "fc":
                return value.to(input.dtype)
            return value._data.astype(input._data.dtype)
        return value
    return value


# ---------------------------------------------------------------- in-place variants
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    return inplace(scatter, self, dim, index, src, value, reduce=reduce)



def scatter_add_(self, dim, index, src):
    return inplace(scatter_add, self, dim, index, src)



def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return inplace(scatter_reduce, self, dim, index, src, reduce, include_self=include_self)



def index_add_(self, dim, index, source, *, alpha=1):
    return inplace(index_add, self, dim, index, source, alpha=alpha)



def index_copy_(self, dim, index, source):
    return inplace(index_copy, self, dim, index, source)



def index_fill_(self, dim, index, value):
    return inplace(index_fill, self, dim, index, value)



TENSOR_METHODS = {
    "gather": gather, "scatter": scatter, "scatter_": scatter_, "scatter_add": scatter_add,
    "scatter_add_": scatter_add_, "scatter_reduce": scatter_reduce,
    "scatter_reduce_": scatter_reduce_, "index_select": index_select, "index_add": index_add,
    "index_add_": index_add_, "index_copy": index_copy, "index_copy_": index_copy_,
    "index_fill": index_fill, "index_fill_": index_fill_,
}
