"""Indexing: getitem/setitem, gather/scatter, index_*, masked_*, take, nonzero, searchsorted.

A key is parsed once into a *basic* part (ints, slices, None, Ellipsis: a NumPy view of the
input, so ``x[0]`` or ``x[:, 1:]`` share memory and the version counter, as in torch) and an
optional *advanced* part (integer arrays and boolean masks) applied to that view with NumPy's
placement rules, which are torch's once ints have been applied as ``select``.

Gradients scatter back: a plain assignment when indices cannot repeat, else a flat
``add.at`` over linear indices (repeated indices accumulate).
"""
from __future__ import annotations

import operator
import warnings

import numpy as _np  # isinstance checks only: op code computes with get_xp / ctx.xp

from ..autograd.engine import _sum_to
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import check_inplace, inplace, rebase_history, type_name, wrap_dim
from .movement import as_view

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "index_copy", "index_fill", "index_put", "index_put_", "masked_fill",
           "masked_select", "masked_scatter", "take", "take_along_dim", "put", "nonzero",
           "argwhere", "searchsorted", "bucketize"]

_FULL = slice(None)


# ---------------------------------------------------------------- parsing a key
class _Adv:
    """The advanced part of a key, over the dims of the basic view: ``items`` is a list of
    ``(dim, array, is_mask)``; ``rep`` says whether integer indices may repeat."""

    __slots__ = ("items", "rep", "_key", "_nz")

    def __init__(self, items, rep):
        self.items, self.rep, self._key, self._nz = items, rep, None, None

    def key(self):
        """The NumPy key: full slices up to the last advanced dim."""
        if self._key is None:
            key, d = [], 0
            for p, arr, is_mask in self.items:
                key.extend([_FULL] * (p - d))
                key.append(arr)
                d = p + (arr.ndim if is_mask else 1)
            self._key = tuple(key)
        return self._key

    def nz(self, xp):
        """Flat positions of a single mask (faster than NumPy's boolean indexing)."""
        if self._nz is None:
            self._nz = xp.flatnonzero(self.items[0][1])
        return self._nz


def _single(dim, index):
    return _Adv([(dim, index, False)], index.size > 1)


def _seq_as_tuple(seq):
    # torch's treatSequenceAsTuple: x[[0, slice(None)]] means x[0, :]
    if len(seq) >= 32:
        return False
    for k in seq:
        if k is None or k is Ellipsis or isinstance(k, (slice, Tensor, list, tuple)) or (
                hasattr(k, "ndim") and hasattr(k, "shape") and k.ndim > 0):
            return True
    return False


def _index_array(k, xp):
    """A list/ndarray/Tensor used as an index -> ('i', int), ('b', bool), int or bool array."""
    if isinstance(k, Tensor):
        a = k._data
    else:
        a = xp.asarray(k)
        if a.size == 0 and a.dtype.kind == "f":
            a = a.astype("int64")
        elif a.dtype.kind in "iu" and a.dtype.itemsize < 8:
            a = a.astype("int64")
    kind = a.dtype.kind
    if a.ndim == 0:
        if kind == "b" or a.dtype.name == "uint8":
            return "b", bool(a)
        if kind in "iu":
            return "i", int(a)
    if kind == "b":
        return "m", a
    name = a.dtype.name
    if name == "uint8":
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=4)
        return "m", a.astype(bool)
    if name in ("int64", "int32"):
        return "a", a
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _parse(data, key):
    """``key`` -> (basic, adv): a tuple for NumPy basic indexing (None when it would be a
    no-op before an advanced part) and an :class:`_Adv` or None."""
    tk = type(key)
    if tk is not tuple:
        if tk is list and _seq_as_tuple(key):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                          "deprecated; use x[tuple(seq)] instead of x[seq].", UserWarning,
                          stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    shape = data.shape
    nd = len(shape)
    items = []
    consumed = 0
    for k in key:
        t = type(k)
        if t is int:
            items.append(("i", k))
            consumed += 1
        elif t is slice:
            if k.step is not None:
                step = operator.index(k.step)
                if step == 0:
                    raise ValueError("slice step cannot be zero")
                if step < 0:
                    raise ValueError("step must be greater than zero")
            items.append(("s", k))
            consumed += 1
        elif k is None:
            items.append(("n", None))
        elif k is Ellipsis:
            items.append(("e", None))
        elif t is bool or t is _np.bool_:
            items.append(("b", bool(k)))
        elif t is str:
            raise TypeError("new(): invalid data type 'str'")
        elif isinstance(k, (Tensor, list, tuple)) or hasattr(k, "__array_interface__") \
                or hasattr(k, "__cuda_array_interface__"):
            kind, v = _index_array(k, get_xp(data))
            items.append((kind, v))
            if kind == "m":
                consumed += v.ndim
            elif kind != "b":
                consumed += 1
        elif hasattr(k, "__index__") and not isinstance(k, float):
            items.append(("i", operator.index(k)))
            consumed += 1
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {t.__name__})")
    if consumed > nd:
        if nd == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                             "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                             "number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    basic = []
    adv = []
    rep = False
    d = 0      # dim of the input
    o = 0      # dim of the basic view
    seen_ellipsis = False
    for kind, v in items:
        if d >= nd and kind in "isam" and (kind != "m" or v.ndim):
            raise IndexError(f"too many indices for tensor of dimension {nd}")
        if kind == "i":
            n = shape[d]
            if not -n <= v < n:
                raise IndexError(f"index {v} is out of bounds for dimension {d} with size {n}")
            basic.append(v)
            d += 1
        elif kind == "s":
            basic.append(v)
            d += 1
            o += 1
        elif kind == "n":
            basic.append(None)
            o += 1
        elif kind == "e":        # torch: every ellipsis skips the unspecified dims
            n = nd - consumed
            if not seen_ellipsis:
                seen_ellipsis = True
                basic.extend([_FULL] * n)
            d += n
            o += n
        elif kind == "b":
            basic.append(None)
            xp = get_xp(data)
            adv.append((o, xp.zeros(1 if v else 0, "int64"), False))
            o += 1
        elif kind == "a":
            basic.append(_FULL)
            adv.append((o, v, False))
            rep = rep or v.size > 1
            d += 1
            o += 1
        else:  # mask
            k = v.ndim
            if v.shape != shape[d:d + k]:
                for j in range(k):
                    if v.shape[j] != shape[d + j]:
                        raise IndexError(
                            f"The shape of the mask {list(v.shape)} at index {j} does not match "
                            f"the shape of the indexed tensor {list(shape)} at index {d + j}")
            basic.extend([_FULL] * k)
            adv.append((o, v, True))
            d += k
            o += k
    if not adv:
        basic.append(Ellipsis)   # a 0-d result stays an array view
        return tuple(basic), None
    for b in basic:
        if b is not _FULL:
            return tuple(basic) + (Ellipsis,), _Adv(adv, rep)
    return None, _Adv(adv, rep)


# ---------------------------------------------------------------- array kernels
def _copy(xp, a):
    """A writable C-contiguous copy (a gradient of a 0-d output may be a NumPy scalar)."""
    return xp.array(a, order="C")


def _numpy_msg(e):
    return str(e).replace("axis", "dimension")


def _adv_get(xp, v, adv):
    items = adv.items
    if len(items) == 1:
        p, arr, is_mask = items[0]
        if not is_mask:
            return xp.take(v, arr, axis=p)
        k = arr.ndim
        if k > 1:
            v = v.reshape(v.shape[:p] + (arr.size,) + v.shape[p + k:])
        return xp.take(v, adv.nz(xp), axis=p)
    return v[adv.key()]


def _adv_shape(vshape, adv):
    """The shape of ``v[adv]`` (NumPy's placement rules), computed without indexing."""
    shapes, dims = [], []
    for p, arr, is_mask in adv.items:
        k = arr.ndim if is_mask else 1
        shapes.append((int(arr.sum()),) if is_mask else arr.shape)
        dims.extend(range(p, p + k))
    nd = max(len(s) for s in shapes)
    b = []
    for i in range(nd):
        sizes = {s[len(s) - nd + i] for s in shapes if len(s) - nd + i >= 0} - {1}
        if len(sizes) > 1:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             "with shapes " + ", ".join(str(list(s)) for s in shapes))
        b.append(sizes.pop() if sizes else 1)
    rest = [vshape[d] for d in range(len(vshape)) if d not in dims]
    if dims == list(range(dims[0], dims[0] + len(dims))):
        before = [vshape[d] for d in range(dims[0])]
        return tuple(before + b + rest[len(before):])
    return tuple(b + rest)


def _empty_result(xp, a, basic, adv):
    """torch checks no index bounds when the result is empty: the empty result, else None."""
    v = a if basic is None else a[basic]
    if adv is None or v.size:
        return None
    shape = _adv_shape(v.shape, adv)
    return xp.zeros(shape, a.dtype) if _prod(shape) == 0 else None


def _index_get(xp, a, basic, adv):
    v = a if basic is None else a[basic]
    return v if adv is None else _adv_get(xp, v, adv)


def _expanded(xp, adv, shape):
    """Integer arrays (negatives wrapped, masks expanded to their nonzero) and their dims."""
    arrs, dims = [], []
    for p, arr, is_mask in adv.items:
        if is_mask:
            for j, a in enumerate(xp.nonzero(arr)):
                arrs.append(a.astype("int64", copy=False))
                dims.append(p + j)
        else:
            n = shape[p]
            a = arr.astype("int64", copy=False)
            arrs.append(a % n if n else a)
            dims.append(p)
    return arrs, dims


def _dup_counts(xp, c, m):
    """Whether the indices ``c`` (in ``[0, m)``) repeat, and their counts when computed."""
    n = c.size
    if n <= 1:
        return False, None
    c = c.reshape(-1)
    if m <= 16 * n + 65536:
        cnt = xp.bincount(c, minlength=m)
        return bool(cnt.max() > 1), cnt
    if n > m:
        return True, None
    s = xp.sort(c)
    return bool((s[1:] == s[:-1]).any()), None


def _linear(xp, shape, arrs, dims):
    """Flat (C-order) positions in ``shape`` of every element of the indexing result."""
    nd = len(shape)
    st = [1] * nd
    for i in range(nd - 2, -1, -1):
        st[i] = st[i + 1] * shape[i + 1]
    lin = arrs[0] * st[dims[0]]
    for a, d in zip(arrs[1:], dims[1:]):
        lin = lin + a * st[d]
    bshape = lin.shape
    rest = [d for d in range(nd) if d not in dims]
    adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
    before = [d for d in rest if d < dims[0]] if adjacent else []
    axes = before + [None] + [d for d in rest if d not in before]
    nb = len(bshape)
    out_nd = len(rest) + nb
    lin = lin.reshape((1,) * len(before) + bshape + (1,) * (out_nd - len(before) - nb))
    ax = 0
    for d in axes:
        if d is None:
            ax += nb
        else:
            r = xp.arange(shape[d]) * st[d]
            lin = lin + r.reshape((1,) * ax + (shape[d],) + (1,) * (out_nd - ax - 1))
            ax += 1
    return lin


def _adv_add(xp, v, adv, vals, fresh):
    """``v[adv] += vals`` with repeated indices accumulating (``fresh``: v is all zeros)."""
    if adv.rep:
        arrs, dims = _expanded(xp, adv, v.shape)
        c, m = arrs[0], v.shape[dims[0]]
        for a, d in zip(arrs[1:], dims[1:]):
            c = c * v.shape[d] + a
            m *= v.shape[d]
        dup, cnt = _dup_counts(xp, c, m)
        if dup:
            if cnt is not None and dims == [0]:
                _add_rows(xp, v, c, c.shape, cnt, vals, fresh)
            else:
                _add_flat(xp, v, _linear(xp, v.shape, arrs, dims), vals)
            return
    if fresh:
        _adv_set(xp, v, adv, vals)
    else:
        key = adv.key()
        v[key] += vals


def _add_flat(xp, v, lin, vals):
    """``v.flat[lin] += vals``, accumulating repeats."""
    vals = xp.broadcast_to(vals, lin.shape).reshape(-1)
    lin = lin.reshape(-1)
    tmp = v if v.flags.c_contiguous else xp.zeros(v.shape, v.dtype)
    flat = tmp.reshape(-1)
    if vals.dtype.kind == "f" and flat.size <= 65536 and lin.size >= flat.size:
        flat += xp.bincount(lin, vals, minlength=flat.size)
    else:
        xp.add.at(flat, lin, vals)
    if tmp is not v:
        v += tmp


def _add_rows(xp, v, rows, shape, cnt, vals, fresh):
    """``v[rows] += vals`` over dim 0 (embedding gradients): rows hit once are assigned,
    only the repeated ones go through the slower accumulation."""
    rest = v.shape[1:]
    vals = xp.broadcast_to(vals, shape + rest).reshape((rows.size,) + rest)
    rows = rows.reshape(-1)
    many = cnt[rows] > 1
    once = ~many
    if fresh:
        v[rows[once]] = vals[once]
    else:
        v[rows[once]] += vals[once]
    r = _prod(rest)
    lin = rows[many].reshape(-1, 1) * r + xp.arange(r)
    _add_flat(xp, v, lin.reshape((-1,) + rest), vals[many])


def _adv_set(xp, v, adv, vals):
    items = adv.items
    if len(items) == 1 and items[0][2] and v.flags.c_contiguous:
        p, arr, _ = items[0]
        vv = v.reshape(v.shape[:p] + (arr.size,) + v.shape[p + arr.ndim:])
        vv[(_FULL,) * p + (adv.nz(xp),)] = vals
    else:
        v[adv.key()] = vals


def _index_grad(xp, g, shape, basic, adv):
    out = xp.zeros(shape, g.dtype)
    v = out if basic is None else out[basic]
    if adv is None:
        v[...] = g
    else:
        _adv_add(xp, v, adv, g, True)
    return out


# ---------------------------------------------------------------- __getitem__
class Index(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, basic, adv):
        ctx.shape, ctx.basic, ctx.adv = a.shape, basic, adv
        try:
            return _index_get(ctx.xp, a, basic, adv)
        except IndexError as e:
            out = _empty_result(ctx.xp, a, basic, adv)
            if out is None:
                raise IndexError(_numpy_msg(e)) from None
            return out

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return IndexGrad.apply(g, ctx.shape, ctx.basic, ctx.adv), None, None
        return _index_grad(ctx.xp, g, ctx.shape, ctx.basic, ctx.adv), None, None


class IndexGrad(Function):
    """Scatter-add of a gradient into zeros at a key: Index's backward, differentiable."""
    _arrays = True

    @staticmethod
    def forward(ctx, g, shape, basic, adv):
        ctx.basic, ctx.adv = basic, adv
        return _index_grad(ctx.xp, g, shape, basic, adv)

    @staticmethod
    def backward(ctx, gg):
        if ctx.create_graph:
            return Index.apply(gg, ctx.basic, ctx.adv), None, None, None
        return _index_get(ctx.xp, gg, ctx.basic, ctx.adv), None, None, None


def _basic_view(input, basic):
    out = Index.apply(input, basic, None)
    replay = lambda b: _basic_view(b, basic)  # noqa: E731
    as_view(out, input, replay)
    if out._view_fn is None and _state.enabled:
        # as_view records the base only for views that require grad; torch records it for
        # every view, so that z[0][1:] = y (z without grad) gives z a history.
        base = input._base
        if base is None:
            out._base, out._view_fn = input, replay
        elif input._view_fn is not None:
            prev = input._view_fn
            out._base, out._view_fn = base, (lambda b: replay(prev(b)))
    return out


def getitem(self, key):
    """``self[key]``: basic indexing returns a view, advanced indexing a copy."""
    if type(key) is int:     # x[i]: the hot path
        data = self._data
        if data.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        n = data.shape[0]
        if not -n <= key < n:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {n}")
        return _basic_view(self, (key, Ellipsis))
    if type(key) is tuple and len(key) <= self._data.ndim:   # x[:, 0], x[1:3, 2]
        shape = self._data.shape
        i = 0
        for k in key:
            tk = type(k)
            if tk is int:
                if not -shape[i] <= k < shape[i]:
                    break
            elif tk is not slice or k.step is not None:
                break
            i += 1
        else:
            return _basic_view(self, key + (Ellipsis,))
    basic, adv = _parse(self._data, key)
    if adv is None:
        return _basic_view(self, basic)
    return Index.apply(self, basic, adv)


# ---------------------------------------------------------------- __setitem__ / index_put
class IndexPut(Function):
    """``out[key] = value`` (or ``+=`` with ``accumulate``); ``copy=False`` writes into the
    input's own memory (``__setitem__``, ``index_put_``)."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, value, basic, adv, accumulate, copy):
        ctx.basic, ctx.adv, ctx.acc = basic, adv, accumulate
        ctx.vshape = getattr(value, "shape", None)
        out = a.copy() if copy else a
        _write(ctx.xp, out, value, basic, adv, accumulate)
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_v = ctx.needs_input_grad[:2]
        basic, adv = ctx.basic, ctx.adv
        ga = gv = None
        if need_a:
            if ctx.acc:
                ga = g
            elif ctx.create_graph:
                ga = IndexPut.apply(g, 0.0, basic, adv, False, True)
            else:
                ga = _copy(ctx.xp, g)
                _write(ctx.xp, ga, 0, basic, adv, False)
        if need_v:
            gv = Index.apply(g, basic, adv) if ctx.create_graph else \
                _index_get(ctx.xp, g, basic, adv)
            gv = _reduce_to(gv, ctx.vshape)
        return ga, gv, None, None, None, None


def _write(xp, out, value, basic, adv, accumulate):
    v = out if basic is None else out[basic]
    if adv is None:
        if accumulate:
            v += value
        else:
            v[...] = value
    elif accumulate:
        _adv_add(xp, v, adv, value, False)
    else:
        _adv_set(xp, v, adv, value)


def _reduce_to(g, shape):
    """Sum a gradient to ``shape``, which may carry leading 1s the indexed region lacks."""
    if shape is None or g.shape == shape:
        return g
    core = shape
    while len(core) > g.ndim and core[0] == 1:
        core = core[1:]
    if g.shape != core:
        g = _sum_to(g, core)
    return g.reshape(shape) if core != shape else g


def _strip(value):
    d = value._data
    if d.ndim and d.shape[0] == 1:
        s = d.shape
        while s and s[0] == 1:
            s = s[1:]
        return value.reshape(s)
    return value


def _indexed_shape(a, basic, adv):
    v = a if basic is None else a[basic]
    return list(v.shape if adv is None else _adv_shape(v.shape, adv))


def _put(self, key_parts, value, accumulate):
    """Write ``value`` into ``self`` at (basic, adv), recording the in-place op."""
    basic, adv = key_parts
    if isinstance(value, Tensor):
        if adv is not None and value._data.dtype != self._data.dtype:
            raise RuntimeError("Index put requires the source and destination dtypes match, got "
                               f"{type_name(self._data.dtype)} for the destination and "
                               f"{type_name(value._data.dtype)} for the source.")
        if value._data.ndim > 0 and value._data.shape[0] == 1:
            value = _strip(value)
    recording = check_inplace(self, value)
    try:
        if recording:
            result = IndexPut.apply(self, value, basic, adv, accumulate, False)
        else:
            v = value._data if isinstance(value, Tensor) else value
            _write(get_xp(self._data), self._data, v, basic, adv, accumulate)
    except ValueError:
        vs = list(value.shape) if isinstance(value, Tensor) else []
        if adv is None:
            raise RuntimeError(f"The expanded size of the tensor does not match: value of shape "
                               f"{vs} cannot be copied into a region of shape "
                               f"{_indexed_shape(self._data, basic, adv)}") from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {vs} cannot be broadcast to "
                           f"indexing result of shape {_indexed_shape(self._data, basic, adv)}"
                           ) from None
    except IndexError as e:
        if _empty_result(get_xp(self._data), self._data, basic, adv) is None:
            raise IndexError(_numpy_msg(e)) from None
        return self
    self._bump_version()
    if recording:
        rebase_history(self, result)
    return self


def setitem(self, key, value):
    """``self[key] = value``: writes in place (a scalar or a broadcastable tensor)."""
    if not isinstance(value, Tensor):
        if isinstance(value, _np.generic):
            value = value.item()
        elif not isinstance(value, (int, float, complex)):
            raise TypeError(f"can't assign a {type(value).__module__}.{type(value).__name__} "
                            f"to a {self.type()}")
    _put(self, _parse(self._data, key), value, False)


def _index_tuple(indices):
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' must be tuple of Tensors")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tuple(indices)


def index_put_(input, indices, values, accumulate=False):
    """Puts values from ``values`` into ``input`` at ``indices`` (a tuple of tensors), in
    place; ``accumulate=True`` adds them (repeated indices accumulate)."""
    if not isinstance(values, Tensor):
        raise TypeError("index_put_(): argument 'values' must be Tensor")
    return _put(input, _parse(input._data, _index_tuple(indices)), values, accumulate)


def index_put(input, indices, values, accumulate=False):
    """Out-of-place version of :func:`index_put_`."""
    if not isinstance(values, Tensor):
        raise TypeError("index_put(): argument 'values' must be Tensor")
    basic, adv = _parse(input._data, _index_tuple(indices))
    if values._data.dtype != input._data.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{type_name(input._data.dtype)} for the destination and "
                           f"{type_name(values._data.dtype)} for the source.")
    values = _strip(values)
    try:
        return IndexPut.apply(input, values, basic, adv, accumulate, True)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot "
                           "be broadcast to indexing result of shape "
                           f"{_indexed_shape(input._data, basic, adv)}") from None
    except IndexError as e:
        raise IndexError(_numpy_msg(e)) from None


# ---------------------------------------------------------------- in-place ops on views
class CopySlices(Function):
    """The new history of a base whose view was modified in place: the view region's gradient
    goes to the in-place result, the rest to the old base."""
    _arrays = True

    def name(self):
        return "CopySlices"

    @staticmethod
    def forward(ctx, base, result, view_fn):
        ctx.view_fn = view_fn
        return base

    @staticmethod
    def backward(ctx, g):
        fn = ctx.view_fn
        if ctx.create_graph:
            m = get_xp(g._data).zeros(g.shape, bool)
            fn(_make(m, False, None, 0))._data[...] = True
            return MaskedFill.apply(g, m, 0.0), fn(g), None
        gb = _copy(ctx.xp, g)
        region = fn(_make(gb, False, None, 0))._data
        gr = region.copy()
        region[...] = 0
        return gb, gr, None


def rebase_view(view, result):
    """``view`` (of ``view._base``) was overwritten in place by ``result``: rebase the base's
    history (torch's CopySlices) and make the view a view of the new base."""
    base = view._base
    fn = view._view_fn
    node = CopySlices.apply(base, result, fn).grad_fn
    base.grad_fn, base._output_nr, base._requires_grad = node, 0, node is not None
    nv = fn(base)
    view.grad_fn, view._output_nr = nv.grad_fn, nv._output_nr
    view._requires_grad = nv._requires_grad


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


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


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


def masked_fill_(self, mask, value):
    return inplace(masked_fill, self, mask, value)


def masked_scatter_(self, mask, source):
    return inplace(masked_scatter, self, mask, source)


def put_(self, index, source, accumulate=False):
    return inplace(put, self, index, source, accumulate)


TENSOR_METHODS = {
    "__getitem__": getitem, "__setitem__": setitem,
    "gather": gather, "scatter": scatter, "scatter_": scatter_, "scatter_add": scatter_add,
    "scatter_add_": scatter_add_, "scatter_reduce": scatter_reduce,
    "scatter_reduce_": scatter_reduce_, "index_select": index_select, "index_add": index_add,
    "index_add_": index_add_, "index_copy": index_copy, "index_copy_": index_copy_,
    "index_fill": index_fill, "index_fill_": index_fill_, "index_put": index_put,
    "index_put_": index_put_, "masked_fill": masked_fill, "masked_fill_": masked_fill_,
    "masked_select": masked_select, "masked_scatter": masked_scatter,
    "masked_scatter_": masked_scatter_, "take": take, "take_along_dim": take_along_dim,
    "put": put, "put_": put_, "nonzero": nonzero, "argwhere": argwhere,
}
