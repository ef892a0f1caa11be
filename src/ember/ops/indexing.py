"""Indexing: getitem/setitem (``x[key]``, ``x[key] = v``), index_put, and rebase_view (in-place
ops on views). gather/scatter/index_* are in scatter.py; masked_*, take/put, nonzero and
searchsorted in masked.py.

A key is parsed once into a *basic* part (ints, slices, None, Ellipsis: a NumPy view of the
input, so ``x[0]`` or ``x[:, 1:]`` share memory and the version counter, as in torch) and an
optional *advanced* part (integer arrays and boolean masks) applied to that view with NumPy's
placement rules, which are torch's once ints have been applied as ``select``.

Gradients scatter back: a plain assignment when indices cannot repeat, else a flat
``add.at`` over linear indices (repeated indices accumulate).
"""
from __future__ import annotations

import importlib
import operator
import warnings

import numpy as _np  # isinstance checks only: op code computes with get_xp / ctx.xp

from ..autograd.engine import _sum_to
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ..backend import get_xp
from .._tensor import Tensor, _make
from ._util import check_inplace, rebase_history, type_name
from .movement import as_view

__all__ = ["index_put", "index_put_"]

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
def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


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
            from .masked import MaskedFill
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


TENSOR_METHODS = {
    "__getitem__": getitem, "__setitem__": setitem, "index_put": index_put,
    "index_put_": index_put_,
}


# ---------------------------------------------------------------- names that moved out
def __getattr__(name):
    """gather/scatter/index_* and the masked ops moved to scatter.py and masked.py; they stay
    importable from here."""
    if not name.startswith("__"):
        for mod in ("scatter", "masked"):
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
