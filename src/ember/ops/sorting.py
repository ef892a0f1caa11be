"""Sorting and order statistics: sort, argsort, msort, topk, median, nanmedian, kthvalue,
unique, unique_consecutive.

The indices are computed without autograd and the values picked through one primitive,
:class:`~ember.ops.reduce.TakeAlong`, whose backward sends the gradient to the picked index
(and whose double backward picks again). median() without a dim splits the gradient evenly
among ties, as torch does.
"""
from __future__ import annotations

from .._tensor import _make
from ..backend import get_xp
from ._util import wrap_dim
from .reduce import _I64, SelectAll, _dim_setup, _no_bool, _pick, _range, return_types

__all__ = ["median", "nanmedian", "kthvalue", "sort", "argsort", "msort", "topk", "unique",
           "unique_consecutive"]


# ---------------------------------------------------------------- median, kthvalue
def median(input, dim=None, keepdim=False):
    """Returns the median of the values in ``input`` (the lower of the two medians for an even
    count); with ``dim``, a namedtuple ``(values, indices)`` per row."""
    return _median(input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False):
    """Returns the median of the values in ``input``, ignoring NaN values."""
    return _median(input, dim, keepdim, True)


def _median(input, dim, keepdim, ignore_nan):
    name = "nanmedian" if ignore_nan else "median"
    _no_bool(input._data, "median_cpu" if dim is None else "median_out")
    if dim is None:
        return SelectAll.apply(input, name)
    a, axis, shape = _dim_setup(input, dim, keepdim)
    if a.shape[axis] == 0:
        raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size.")
    xp = get_xp(a)
    order = xp.argsort(a, axis=axis, kind="stable")   # the index order torch's comparator uses
    isf = a.dtype.kind in "fc"
    if ignore_nan and isf:
        cnt = (~xp.isnan(a)).sum(axis=axis, keepdims=True)
        k = xp.maximum((cnt - 1) // 2, 0)
        if (cnt == 0).any():  # all-NaN rows: where torch's std::nth_element leaves them
            order = order.copy()
            om = xp.moveaxis(order, axis, -1)
            om[xp.moveaxis(cnt, axis, -1)[..., 0] == 0, 0] = _nth_all_equal(a.shape[axis])
    else:
        k = xp.full(_keep(a.shape, axis), (a.shape[axis] - 1) // 2)
    idx = xp.take_along_axis(order, k, axis)
    if isf and not ignore_nan:
        nan = xp.isnan(a)
        idx = xp.where(nan.any(axis=axis, keepdims=True), nan.argmax(axis=axis, keepdims=True),
                       idx)
    cls = return_types.nanmedian if ignore_nan else return_types.median
    return cls(*_pick(input, idx, axis, shape))


def _nth_all_equal(n):
    """The index libstdc++'s std::nth_element puts first among ``n`` equivalent elements
    (torch's nanmedian index for an all-NaN row)."""
    idx = list(_range(n))
    first, last = 0, n
    while last - first > 3:
        mid = first + (last - first) // 2
        idx[first], idx[mid] = idx[mid], idx[first]
        lo, hi = first + 1, last
        while True:
            hi -= 1
            if not lo < hi:
                break
            idx[lo], idx[hi] = idx[hi], idx[lo]
            lo += 1
        last = lo
    return idx[0]


def _keep(shape, axis):
    s = list(shape)
    s[axis] = 1
    return tuple(s)


def _gt(x, y):
    return (x != x and y == y) or x > y


def _quickselect(vals, k):
    """The index torch's CPU kthvalue returns: its quickselect (Sedgewick's partition, median
    of three, NaN largest) run on one row; used only for rows with ties at the k-th value."""
    arr = list(vals)
    idx = list(_range(len(arr)))

    def swap(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]
    lo, hi = 0, len(arr) - 1
    while hi > lo:
        if hi == lo + 1:
            if _gt(arr[lo], arr[hi]):
                swap(lo, hi)
            break
        swap((lo + hi) >> 1, lo + 1)
        if _gt(arr[lo + 1], arr[hi]):
            swap(lo + 1, hi)
        if _gt(arr[lo], arr[hi]):
            swap(lo, hi)
        if _gt(arr[lo + 1], arr[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, arr[lo]
        while True:
            i += 1
            while _gt(piv, arr[i]):
                i += 1
            j -= 1
            while _gt(arr[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]


def kthvalue(input, k, dim=-1, keepdim=False):
    """Returns a namedtuple ``(values, indices)``: the ``k``-th smallest element of each row
    of ``input`` in the dimension ``dim`` and its index."""
    a, axis, shape = _dim_setup(input, dim, keepdim)
    _no_bool(a, "kthvalue_cpu")
    n = a.shape[axis]
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {axis} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    xp = get_xp(a)
    if a.size == 0:
        idx = xp.zeros(_keep(a.shape, axis), _I64)
        return return_types.kthvalue(*_pick(input, idx, axis, shape))
    v = xp.take(xp.partition(a, k - 1, axis=axis), [k - 1], axis=axis)
    match = a == v
    if a.dtype.kind in "fc":
        match |= xp.isnan(a) & xp.isnan(v)
    idx = match.argmax(axis=axis, keepdims=True)
    ties = match.sum(axis=axis, keepdims=True) > 1
    if ties.any():
        am, im, tm = (xp.moveaxis(t, axis, -1) for t in (a, idx, ties))
        for pos in zip(*xp.nonzero(tm[..., 0])):
            im[pos + (0,)] = _quickselect(am[pos].tolist(), k - 1)
    return return_types.kthvalue(*_pick(input, idx, axis, shape))


# ---------------------------------------------------------------- sort, topk
def _argsort(xp, a, axis, descending):
    """Stable argsort (NaN largest); descending keeps equal elements in their order."""
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    return (n - 1) - xp.flip(xp.argsort(xp.flip(a, axis), axis=axis, kind="stable"), axis)


def sort(input, dim=-1, descending=False, *, stable=False):
    """Sorts the elements of ``input`` along ``dim`` in ascending order by value (descending
    with ``descending``); returns a namedtuple ``(values, indices)``. The sort is always
    stable."""
    a, axis, _ = _dim_setup(input, dim, True)
    idx = _argsort(get_xp(a), a, axis, descending)
    return return_types.sort(*_pick(input, idx, axis, input.shape))


def argsort(input, dim=-1, descending=False, stable=False):
    """Returns the indices that sort ``input`` along ``dim`` by value."""
    return sort(input, dim, descending).indices


def msort(input):
    """Sorts the elements of ``input`` along its first dimension in ascending order."""
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):
    """Returns a namedtuple ``(values, indices)``: the ``k`` largest (``largest=False``:
    smallest) elements of ``input`` along ``dim``, sorted; among equal values the lowest
    index comes first."""
    a, axis, _ = _dim_setup(input, dim, True)
    _no_bool(a, "topk does not support bool dtypes on CPU", RuntimeError)
    n = a.shape[axis]
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    xp = get_xp(a)
    idx = _argsort(xp, a, axis, largest)
    idx = idx[(slice(None),) * axis + (slice(0, k),)]
    shape = idx.shape if input.ndim else ()
    return return_types.topk(*_pick(input, idx, axis, shape))


# ---------------------------------------------------------------- unique
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Returns the unique elements of ``input`` (sorted), optionally with the inverse indices
    and the counts; with ``dim``, the unique slices along it."""
    a = input._data
    xp = get_xp(a)
    if dim is None:
        vals, inv, cnt = xp.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                   equal_nan=False)
        inv = inv.reshape(a.shape)
    else:
        axis = wrap_dim(dim, a.ndim)
        vals, inv, cnt = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
        inv = inv.reshape(-1)
    return _unique_out(vals, inv, cnt, return_inverse, return_counts)


def _unique_out(vals, inv, cnt, return_inverse, return_counts):
    out = [_make(vals, False, None, 0)]
    if return_inverse:
        out.append(_make(inv.astype(_I64), False, None, 0))
    if return_counts:
        out.append(_make(cnt.astype(_I64), False, None, 0))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Eliminates all but the first element from every consecutive group of equivalent
    elements (or slices along ``dim``)."""
    a = input._data
    xp = get_xp(a)
    if dim is None:
        rows, axis, shape = a.reshape(-1, 1), None, a.shape
    else:
        axis = wrap_dim(dim, a.ndim)
        m = xp.moveaxis(a, axis, 0)
        rows, shape = m.reshape(m.shape[0], -1), (m.shape[0],)
    n = rows.shape[0]
    start = xp.ones(n, bool)
    if n > 1:
        start[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    first = xp.nonzero(start)[0]
    if axis is None:
        vals = a.reshape(-1)[first]
    else:
        vals = xp.take(a, first, axis=axis)
    inv = (xp.cumsum(start) - 1).reshape(shape)
    cnt = xp.diff(xp.append(first, n))
    return _unique_out(vals, inv, cnt, return_inverse, return_counts)


TENSOR_METHODS = {
    "median": median, "nanmedian": nanmedian, "kthvalue": kthvalue, "sort": sort,
    "argsort": argsort, "msort": msort, "topk": topk, "unique": unique,
    "unique_consecutive": unique_consecutive,
}
